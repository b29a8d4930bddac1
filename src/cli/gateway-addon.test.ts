// The Gateway API add-on against a real API server: upstream's v1.3.0 standard-channel CRDs
// are accepted (structural schemas, CEL rules within the cost budget), their defaults and CEL
// validations apply to Gateways and HTTPRoutes, and the GatewayClass kanzen exists.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiError } from '../api/errors.js';
import { resourceFor } from '../client/api-client.js';
import { gatewayAPICRDs, gatewaysInfo, gatewayClassesInfo, httpRoutesInfo } from '../gateway/gateway-crds.js';
import type { Gateway, GatewayClass, HTTPRoute } from '../gateway/gateway-types.js';
import { newCRDConditionsController } from '../controllers/crd-conditions-controller.js';
import { startControllerHarness, type ControllerHarness } from '../testing/controller-harness.js';
import { installGatewayAPI } from './gateway-addon.js';

// The CRD conditions controller establishes the CRDs, as in a cluster.
let api: ControllerHarness;
before(async () => {
  api = await startControllerHarness({ controllers: [newCRDConditionsController] });
});
after(() => api.stop());

test('installs the standard-channel CRDs, Established, and the GatewayClass kanzen', async () => {
  await installGatewayAPI(api.client);
  await installGatewayAPI(api.client); // a restart finds them present
  for (const crd of gatewayAPICRDs()) {
    const got = await api.client.get(resourceFor('customresourcedefinitions', 'apiextensions.k8s.io'), undefined, crd.metadata.name!);
    const conditions = (got as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
    assert.ok(conditions.some((c) => c.type === 'Established' && c.status === 'True'), `${crd.metadata.name} Established`);
  }
  const gc = await api.client.get<GatewayClass>(gatewayClassesInfo(), undefined, 'kanzen');
  assert.equal(gc.spec.controllerName, 'kanzen.io/gateway-controller');
});

test('Gateway and HTTPRoute get the CRD defaults', async () => {
  await installGatewayAPI(api.client);
  const gw = await api.client.create<Gateway>(gatewaysInfo(), 'default', {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'web', namespace: 'default' },
    spec: { gatewayClassName: 'kanzen', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  });
  assert.deepEqual(gw.spec.listeners[0].allowedRoutes, { namespaces: { from: 'Same' } });
  const route = await api.client.create<HTTPRoute>(httpRoutesInfo(), 'default', {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'default' },
    spec: { parentRefs: [{ name: 'web' }], rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }] },
  });
  assert.deepEqual(route.spec.parentRefs?.[0], { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'web' });
  assert.deepEqual(route.spec.rules?.[0].matches, [{ path: { type: 'PathPrefix', value: '/' } }]);
  assert.equal(route.spec.rules?.[0].backendRefs?.[0].weight, 1);
});

test('the CRDs’ CEL rules reject what upstream rejects', async () => {
  await installGatewayAPI(api.client);
  const err = await api.client
    .create<Gateway>(gatewaysInfo(), 'default', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'bad', namespace: 'default' },
      spec: { gatewayClassName: 'kanzen', listeners: [{ name: 'a', port: 80, protocol: 'HTTP' }, { name: 'a', port: 81, protocol: 'HTTP' }] },
    })
    .then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ApiError && err.reason === 'Invalid', String(err));
  assert.match(err.message, /Listener name must be unique within the Gateway/);
  const err2 = await api.client
    .create<HTTPRoute>(httpRoutesInfo(), 'default', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'bad', namespace: 'default' },
      spec: { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/foo/' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } } }, { type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] }] },
    })
    .then(() => undefined, (e: unknown) => e);
  assert.ok(err2 instanceof ApiError && err2.reason === 'Invalid', String(err2));
  assert.match(err2.message, /RequestRedirect filter cannot be repeated/);
});
