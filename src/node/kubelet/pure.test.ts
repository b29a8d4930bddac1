import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pod, Service } from '../../api/types.js';
import { Backoff, goDuration } from '../../util/backoff.js';
import { crashLoopMessage, exitCodeOf, pullPolicyOf, shouldRestart } from './container-runtime.js';
import { ContainerConfigError, expandVars, makeEnvironmentVariables, resourceFieldValue, type EnvSources } from './container-env.js';
import { CriRecordSplitter, parseRawCriRecord, RotatingLogFile } from './cri-log.js';
import { readContainerLogText } from '../kubelet-server/container-logs.js';
import { serviceEnvVars } from './service-env.js';

test('crash-loop back-off: 10s doubling to 5m, reset after 10 quiet minutes', () => {
  const b = new Backoff();
  const seen: string[] = [];
  let t = 0;
  for (let i = 0; i < 7; i++) {
    seen.push(goDuration(b.next('k', t)));
    t += 1000;
  }
  assert.deepEqual(seen, ['10s', '20s', '40s', '1m20s', '2m40s', '5m0s', '5m0s']);
  assert.equal(b.isInBackOffSince('k', t, t + 299_000), true);
  assert.equal(b.isInBackOffSince('k', t, t + 300_000), false);
  assert.equal(b.next('k', t + 10 * 60_000 + 1), 10_000);
  const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'u-1' }, spec: { containers: [] } };
  assert.equal(crashLoopMessage(10_000, 'app', pod), 'back-off 10s restarting failed container=app pod=web_default(u-1)');
});

test('restart policies, exit codes and pull policies', () => {
  assert.equal(shouldRestart('Always', 0), true);
  assert.equal(shouldRestart('OnFailure', 0), false);
  assert.equal(shouldRestart('OnFailure', 2), true);
  assert.equal(shouldRestart('Never', 2), false);
  assert.equal(exitCodeOf({ exitCode: null, signal: 'SIGKILL' }), 137);
  assert.equal(exitCodeOf({ exitCode: null, signal: 'SIGTERM' }), 143);
  assert.equal(pullPolicyOf({ name: 'a', image: 'nginx' }), 'Always');
  assert.equal(pullPolicyOf({ name: 'a', image: 'nginx:1.26-alpine' }), 'IfNotPresent');
  assert.equal(pullPolicyOf({ name: 'a', image: 'localhost:5000/x' }), 'Always');
});

const svc = (name: string, namespace: string, clusterIP: string, ports: Service['spec']['ports']): Service => ({ metadata: { name, namespace }, spec: { clusterIP, ports } });

test('service environment variables (Docker links)', () => {
  const services = [
    svc('kubernetes', 'default', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]),
    svc('my-web', 'app', '10.96.0.20', [{ port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]),
    svc('headless', 'app', 'None', [{ port: 80 }]),
    svc('other', 'elsewhere', '10.96.0.30', [{ port: 80 }]),
  ];
  const env = serviceEnvVars(services, 'app');
  assert.deepEqual(Object.fromEntries(env), {
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443',
    KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
    MY_WEB_SERVICE_HOST: '10.96.0.20',
    MY_WEB_SERVICE_PORT: '80',
    MY_WEB_SERVICE_PORT_DNS: '53',
    MY_WEB_PORT: 'tcp://10.96.0.20:80',
    MY_WEB_PORT_80_TCP: 'tcp://10.96.0.20:80',
    MY_WEB_PORT_80_TCP_PROTO: 'tcp',
    MY_WEB_PORT_80_TCP_PORT: '80',
    MY_WEB_PORT_80_TCP_ADDR: '10.96.0.20',
    MY_WEB_PORT_53_UDP: 'udp://10.96.0.20:53',
    MY_WEB_PORT_53_UDP_PROTO: 'udp',
    MY_WEB_PORT_53_UDP_PORT: '53',
    MY_WEB_PORT_53_UDP_ADDR: '10.96.0.20',
  });
  // enableServiceLinks: false keeps only the master service.
  assert.deepEqual([...serviceEnvVars(services, 'app', false).keys()].filter((k) => !k.startsWith('KUBERNETES_')), []);
});

const sources = (cms: Record<string, Record<string, string>>, secrets: Record<string, Record<string, string>> = {}): EnvSources => ({
  configMap: async (_ns, name) => (cms[name] ? { metadata: { name }, data: cms[name] } : undefined),
  secret: async (_ns, name) => (secrets[name] ? { metadata: { name }, data: Object.fromEntries(Object.entries(secrets[name]).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) } : undefined),
});

test('environment: envFrom, env with $(VAR), fieldRef, configMap/secret keys, service variables', async () => {
  const pod: Pod = {
    metadata: { name: 'web-1', namespace: 'app', uid: 'u', labels: { app: 'web' } },
    spec: {
      nodeName: 'node-1',
      containers: [
        {
          name: 'c',
          resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } },
          envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
          env: [
            { name: 'GREETING', value: 'hello $(POD_NAME) $(MY_WEB_SERVICE_HOST) $(NOPE) $$(X)' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
            { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
            { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
            { name: 'PASS', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
            { name: 'OPT', valueFrom: { secretKeyRef: { name: 'missing', key: 'x', optional: true } } },
          ],
        },
      ],
    },
  };
  const env = await makeEnvironmentVariables({
    pod,
    container: pod.spec.containers[0],
    hostIP: '172.18.0.2',
    podIP: '10.244.1.7',
    serviceEnv: new Map([['MY_WEB_SERVICE_HOST', '10.96.0.20'], ['MODE', 'from-service']]),
    sources: sources({ cfg: { mode: 'fast' } }, { db: { password: 's3cret' } }),
  });
  assert.equal(env.get('CFG_mode'), 'fast');
  assert.equal(env.get('GREETING'), 'hello $(POD_NAME) 10.96.0.20 $(NOPE) $(X)', 'only earlier variables expand');
  assert.equal(env.get('POD_NAME'), 'web-1');
  assert.equal(env.get('POD_IP'), '10.244.1.7');
  assert.equal(env.get('NODE'), 'node-1');
  assert.equal(env.get('APP'), 'web');
  assert.equal(env.get('MEM'), '64');
  assert.equal(env.get('CPU'), '250');
  assert.equal(env.get('MODE'), 'fast', 'the container wins over service variables');
  assert.equal(env.get('PASS'), 's3cret');
  assert.equal(env.has('OPT'), false);
  assert.equal(env.get('MY_WEB_SERVICE_HOST'), '10.96.0.20');

  const bad = (e: Pod['spec']['containers'][number]['env']) =>
    makeEnvironmentVariables({ pod, container: { name: 'c', env: e }, hostIP: 'h', serviceEnv: new Map(), sources: sources({ cfg: { mode: 'x' } }) });
  await assert.rejects(bad([{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope' } } }]), new ContainerConfigError("couldn't find key nope in ConfigMap app/cfg"));
  await assert.rejects(bad([{ name: 'A', valueFrom: { secretKeyRef: { name: 'db', key: 'k' } } }]), new ContainerConfigError('secret "db" not found'));
  assert.equal(expandVars('$(A)-$$-$(B', (n) => (n === 'A' ? '1' : undefined)), '1-$-$(B');
  assert.equal(resourceFieldValue({ resource: 'limits.cpu' }, { name: 'c' }, { cpu: '2' }), '2');
});

test('CRI logs: records read back with tail, timestamps, limitBytes and since', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-crilog-'));
  try {
    const log = path.join(dir, 'logs', '0.log');
    const file = new RotatingLogFile(log);
    const out = new CriRecordSplitter('stdout');
    const err = new CriRecordSplitter('stderr');
    file.write(out.push(Buffer.from('one\ntwo\nthr')));
    file.write(err.push(Buffer.from('oops\n')));
    file.write(out.push(Buffer.from('ee\n')));
    file.close();
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(lines.length, 4);
    for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) F /);
    assert.deepEqual(lines.map((l) => parseRawCriRecord(Buffer.from(l))?.content.toString()), ['one', 'two', 'oops', 'three']);
    assert.equal(await readContainerLogText(log), 'one\ntwo\noops\nthree\n');
    assert.equal(await readContainerLogText(log, { tailLines: 2 }), 'oops\nthree\n');
    assert.equal(await readContainerLogText(log, { limitBytes: 6 }), 'one\ntw');
    assert.match(await readContainerLogText(log, { tailLines: 1, timestamps: true }), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z three\n$/);
    assert.equal(await readContainerLogText(log, { sinceMs: Date.now() + 3600_000 }), '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
