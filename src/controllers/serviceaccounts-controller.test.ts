import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Namespace, ServiceAccount } from '../api/types.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import { startControllerHarness, type ControllerHarness } from '../testing/controller-harness.js';
import { waitFor } from '../testing/wait.js';
import { newServiceAccountsController } from './serviceaccounts-controller.js';
import { newRootCACertPublisher, rootCAConfigMapName } from './root-ca-cert-publisher.js';

const accounts = resourceFor('serviceaccounts');
const configMaps = resourceFor('configmaps');
const caCert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
let h: ControllerHarness;
let client: ApiClient;

before(async () => {
  h = await startControllerHarness({ controllers: [newServiceAccountsController, newRootCACertPublisher], options: { rootCACert: caCert } });
  client = h.client;
});

after(() => h.stop());

const tryGet = <T extends ServiceAccount | ConfigMap>(r: typeof accounts, ns: string, name: string) => client.get<T>(r, ns, name).catch(() => undefined);

test('every namespace gets the default ServiceAccount and kube-root-ca.crt, existing and new ones', async () => {
  await client.create<Namespace>(resourceFor('namespaces'), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
  for (const ns of ['default', 'team-a']) {
    await waitFor(() => tryGet<ServiceAccount>(accounts, ns, 'default'));
    const cm = await waitFor(() => tryGet<ConfigMap>(configMaps, ns, rootCAConfigMapName));
    assert.deepEqual(cm.data, { 'ca.crt': caCert });
    assert.match(cm.metadata.annotations?.['kubernetes.io/description'] ?? '', /^Contains a CA bundle/);
  }
});

test('a deleted default ServiceAccount or CA ConfigMap comes back; an edited CA ConfigMap is restored', async () => {
  await waitFor(() => tryGet<ServiceAccount>(accounts, 'default', 'default'));
  await client.delete(accounts, 'default', 'default');
  await waitFor(() => tryGet<ServiceAccount>(accounts, 'default', 'default'));

  const cm = await waitFor(() => tryGet<ConfigMap>(configMaps, 'default', rootCAConfigMapName));
  await client.update<ConfigMap>(configMaps, { ...cm, data: { 'ca.crt': 'tampered', extra: 'x' } });
  await waitFor(async () => (await tryGet<ConfigMap>(configMaps, 'default', rootCAConfigMapName))?.data?.['ca.crt'] === caCert);
  await client.delete(configMaps, 'default', rootCAConfigMapName);
  await waitFor(async () => (await tryGet<ConfigMap>(configMaps, 'default', rootCAConfigMapName))?.data?.['ca.crt'] === caCert);
});
