// Gateway API as API objects on a fake-runtime cluster, driven by the real kubectl 1.27 and
// 1.33: the standard-channel CRDs and the GatewayClass kanzen the add-on installs at start;
// `kubectl get` columns from the CRDs' additionalPrinterColumns; kubectl's generic describer;
// the CRDs' defaults and CEL rules as kubectl shows them. (No controller serves Gateways yet:
// their conditions stay the CRD's defaults.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientVersion, eventually, kubectlClient, parseTable, passClients, startCluster, type TestCluster } from './harness.js';

let c: TestCluster;

before(async () => {
  c = await startCluster({ nodes: 1 });
});

after(() => {
  c?.down(true);
});

const gateway = (name: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: ${name}
spec:
  gatewayClassName: kanzen
  listeners:
  - name: http
    port: 80
    protocol: HTTP
`;

const route = (name: string, gw: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
spec:
  parentRefs:
  - name: ${gw}
  hostnames: [foo.example.com, bar.example.com]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /app}
      headers: [{name: env, value: canary}]
    backendRefs:
    - {name: app, port: 80, weight: 90}
    - {name: app-canary, port: 80, weight: 10}
`;

for (const bin of passClients) {
  const v = clientVersion(bin).replace('.', '');
  const run = (args: string[], input?: string) => kubectlClient(c, bin).run(args, input);
  const k = (args: string[], input?: string) => kubectlClient(c, bin).k(args, input);

  describe(`gateway.networking.k8s.io/v1 with kubectl ${clientVersion(bin)}`, () => {
    test('the add-on installed the CRDs and the GatewayClass kanzen', async () => {
      const rows = await eventually(async () => {
        const r = await run(['get', 'gatewayclass']);
        return r.code === 0 && parseTable(r.stdout).length ? parseTable(r.stdout) : undefined;
      });
      assert.deepEqual(Object.keys(rows[0]), ['NAME', 'CONTROLLER', 'ACCEPTED', 'AGE']);
      assert.equal(rows[0].NAME, 'kanzen');
      assert.equal(rows[0].CONTROLLER, 'kanzen.io/gateway-controller');
      const apis = parseTable(await k(['api-resources', '--api-group=gateway.networking.k8s.io']));
      assert.deepEqual(
        apis.map((r) => [r.NAME, r.SHORTNAMES, r.NAMESPACED, r.KIND]),
        [
          ['gatewayclasses', 'gc', 'false', 'GatewayClass'],
          ['gateways', 'gtw', 'true', 'Gateway'],
          ['grpcroutes', '', 'true', 'GRPCRoute'],
          ['httproutes', '', 'true', 'HTTPRoute'],
          ['referencegrants', 'refgrant', 'true', 'ReferenceGrant'],
        ],
      );
    });

    test('Gateway and HTTPRoute: defaults, printer columns, describe', async () => {
      await k(['apply', '-f', '-'], gateway(`web-${v}`));
      await k(['apply', '-f', '-'], route(`app-${v}`, `web-${v}`));
      const gw = parseTable(await k(['get', 'gateway', `web-${v}`]));
      assert.deepEqual(Object.keys(gw[0]), ['NAME', 'CLASS', 'ADDRESS', 'PROGRAMMED', 'AGE']);
      assert.equal(gw[0].CLASS, 'kanzen');
      const hr = parseTable(await k(['get', 'httproute', `app-${v}`]));
      assert.deepEqual(Object.keys(hr[0]), ['NAME', 'HOSTNAMES', 'AGE']);
      assert.equal(hr[0].HOSTNAMES, '["foo.example.com","bar.example.com"]');
      const obj = JSON.parse(await k(['get', 'httproute', `app-${v}`, '-o', 'json']));
      assert.deepEqual(obj.spec.parentRefs, [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: `web-${v}` }]);
      assert.deepEqual(obj.spec.rules[0].matches[0].headers, [{ name: 'env', type: 'Exact', value: 'canary' }]);
      const described = await k(['describe', 'gateway', `web-${v}`]);
      assert.match(described, new RegExp(`^Name:\\s+web-${v}$`, 'm'));
      assert.match(described, /^API Version:\s+gateway\.networking\.k8s\.io\/v1$/m);
      assert.match(described, /Gateway Class Name:\s+kanzen/);
      assert.match(await k(['describe', 'httproute', `app-${v}`]), /Hostnames:\s+foo\.example\.com\s+bar\.example\.com/);
    });

    test('the CRDs’ CEL rules, as kubectl prints the refusal', async () => {
      const bad = gateway(`bad-${v}`) + '  - name: http\n    port: 81\n    protocol: HTTP\n';
      const r = await run(['apply', '-f', '-'], bad);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Listener name must be unique within the Gateway/);
    });
  });
}
