// networking.k8s.io/v1 Ingress, IngressClass and NetworkPolicy as API objects (no data plane), on
// a fake-runtime cluster driven by the real kubectl 1.27 and 1.33: kubectl create ingress with
// rules, TLS, a class and a default backend; the DefaultIngressClass admission (the newest of
// several defaults); get columns; kubectl describe of each kind, which kubectl computes
// client-side from the objects and, for an Ingress, from the backends' Service and
// Endpoints/EndpointSlices; patches of spec and status; validation errors as kubectl prints them;
// NetworkPolicy manifests from the Kubernetes documentation.
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

/** kubectl describe's text with tabwriter padding folded, so a comparison reads the content, not column widths. */
const folded = (s: string) =>
  s
    .split('\n')
    .map((l) => l.replace(/ +/g, ' ').trimEnd())
    .join('\n')
    .trim();

const ingressClass = (name: string, controller: string, isDefault: boolean) => `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: ${name}
${isDefault ? '  annotations:\n    ingressclass.kubernetes.io/is-default-class: "true"\n' : ''}spec:
  controller: ${controller}
`;

// From https://kubernetes.io/docs/concepts/services-networking/network-policies/ (namespace added).
const docsPolicies = (ns: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: test-network-policy
  namespace: ${ns}
spec:
  podSelector:
    matchLabels:
      role: db
  policyTypes:
  - Ingress
  - Egress
  ingress:
  - from:
    - ipBlock:
        cidr: 172.17.0.0/16
        except:
        - 172.17.1.0/24
    - namespaceSelector:
        matchLabels:
          project: myproject
    - podSelector:
        matchLabels:
          role: frontend
    ports:
    - protocol: TCP
      port: 6379
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/24
    ports:
    - protocol: TCP
      port: 5978
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: ${ns}
spec:
  podSelector: {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: multi-port-egress
  namespace: ${ns}
spec:
  podSelector:
    matchLabels:
      role: db
  policyTypes:
    - Egress
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.0/24
      ports:
        - protocol: TCP
          port: 32000
          endPort: 32768
`;

for (const bin of passClients) {
  const v = clientVersion(bin).replace('.', '');
  // Resolved when the tests run: the cluster starts in before().
  const run = (args: string[], input?: string) => kubectlClient(c, bin).run(args, input);
  const k = (args: string[], input?: string) => kubectlClient(c, bin).k(args, input);

  describe(`networking.k8s.io/v1 with kubectl ${clientVersion(bin)}`, () => {
    test('discovery: ingresses (ing) with status, ingressclasses cluster-scoped, networkpolicies (netpol)', async () => {
      const rows = parseTable(await k(['api-resources', '--api-group=networking.k8s.io']));
      assert.deepEqual(
        rows.map((r) => [r.NAME, r.SHORTNAMES, r.APIVERSION, r.NAMESPACED, r.KIND]),
        [
          ['ingressclasses', '', 'networking.k8s.io/v1', 'false', 'IngressClass'],
          ['ingresses', 'ing', 'networking.k8s.io/v1', 'true', 'Ingress'],
          ['networkpolicies', 'netpol', 'networking.k8s.io/v1', 'true', 'NetworkPolicy'],
        ],
      );
    });

    test('Ingress: kubectl create ingress, the default class, get, describe with the backends\' endpoints, patch, delete', async () => {
      const ns = `ing-${v}`;
      await k(['create', 'namespace', ns]);
      await k(['create', 'deployment', 'web', '--image=nginx', '-n', ns]);
      await k(['expose', 'deployment', 'web', '--port=80', '-n', ns]);
      const endpoint = await eventually(async () => (await k(['get', 'endpointslices', '-n', ns, '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={.items[0].endpoints[0].addresses[0]}'])) || undefined);
      // Endpoints too (kubectl 1.27's describer reads them), once the controller has written them.
      await eventually(async () => (await k(['get', 'endpoints', 'web', '-n', ns, '-o', 'jsonpath={.subsets[0].addresses[0].ip}'])) === endpoint);

      // Two default classes: a new Ingress that names no class gets the newer one.
      await k(['apply', '-f', '-'], ingressClass(`older-${v}`, 'example.com/older', true));
      await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has one-second resolution
      await k(['apply', '-f', '-'], ingressClass(`newer-${v}`, 'example.com/newer', true));

      await k(['create', 'ingress', 'simple', '-n', ns, '--rule=foo.com/bar=web:80,tls=my-cert']);
      await k(['create', 'ingress', 'catch-all', '-n', ns, '--class=other', '--default-backend=web:80']);
      await k(['create', 'ingress', 'legacy', '-n', ns, '--rule=/*=web:80', '--annotation=kubernetes.io/ingress.class=nginx']);
      const classes = await k(['get', 'ing', '-n', ns, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.ingressClassName} {end}']);
      assert.equal(classes, `catch-all=other legacy= simple=newer-${v} `);

      const rows = parseTable(await k(['get', 'ingress', '-n', ns]));
      assert.deepEqual(Object.keys(rows[0]), ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
      assert.deepEqual(
        rows.map((r) => [r.NAME, r.CLASS, r.HOSTS, r.ADDRESS, r.PORTS]),
        [
          ['catch-all', 'other', '*', '', '80'],
          ['legacy', '<none>', '*', '', '80'],
          ['simple', `newer-${v}`, 'foo.com', '', '80, 443'],
        ],
      );
      // kubectl create ingress: Exact for a plain path, Prefix for one ending in *; the stored object as upstream writes it.
      const simple = JSON.parse(await k(['get', 'ing', 'simple', '-n', ns, '-o', 'json']));
      assert.deepEqual(simple.spec.rules, [{ host: 'foo.com', http: { paths: [{ backend: { service: { name: 'web', port: { number: 80 } } }, path: '/bar', pathType: 'Exact' }] } }]);
      assert.deepEqual(simple.status, { loadBalancer: {} });
      assert.equal(simple.metadata.generation, 1);
      assert.equal(await k(['get', 'ing', 'legacy', '-n', ns, '-o', 'jsonpath={.spec.rules[0].http.paths[0].pathType} {.spec.rules[0].http.paths[0].path}']), 'Prefix /');

      const describeSimple = await k(['describe', 'ingress', 'simple', '-n', ns]);
      assert.equal(
        folded(describeSimple),
        folded(`Name: simple
Labels: <none>
Namespace: ${ns}
Address:
Ingress Class: newer-${v}
Default backend: <default>
TLS:
  my-cert terminates foo.com
Rules:
  Host Path Backends
  ---- ---- --------
  foo.com
    /bar web:80 (${endpoint}:80)
Annotations: <none>
Events: <none>`),
      );
      assert.equal(
        folded(await k(['describe', 'ing', 'catch-all', '-n', ns])),
        folded(`Name: catch-all
Labels: <none>
Namespace: ${ns}
Address:
Ingress Class: other
Default backend: web:80 (${endpoint}:80)
Rules:
  Host Path Backends
  ---- ---- --------
  * * web:80 (${endpoint}:80)
Annotations: <none>
Events: <none>`),
      );

      // A backend whose Service does not exist: the describer prints its first failed lookup's error
      // (kubectl 1.27 reads the Endpoints first; 1.33 lists EndpointSlices, then gets the Service).
      await k(['create', 'ingress', 'orphan', '-n', ns, '--class=other', '--rule=orphan.example.com/*=missing:http']);
      const lookup = v === '127' ? 'endpoints' : 'services';
      assert.match(await k(['describe', 'ing', 'orphan', '-n', ns]), new RegExp(`^ +/ +missing:http \\(<error: ${lookup} "missing" not found>\\)$`, 'm'));
      await k(['delete', 'ing', 'orphan', '-n', ns]);

      // Spec changes bump the generation; the status (what the ingress controller writes) shows as ADDRESS.
      await k(['patch', 'ing', 'simple', '-n', ns, '--type=merge', '-p', '{"spec":{"rules":[{"host":"bar.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}}']);
      await k(['patch', 'ing', 'simple', '-n', ns, '--subresource=status', '--type=merge', '-p', '{"status":{"loadBalancer":{"ingress":[{"ip":"127.0.100.5"}]}}}']);
      assert.equal(await k(['get', 'ing', 'simple', '-n', ns, '-o', 'jsonpath={.metadata.generation} {.spec.rules[0].host}']), '2 bar.com');
      const patched = parseTable(await k(['get', 'ing', 'simple', '-n', ns]))[0];
      assert.deepEqual([patched.HOSTS, patched.ADDRESS], ['bar.com', '127.0.100.5']);
      assert.match(await k(['describe', 'ing', 'simple', '-n', ns]), /^Address: +127\.0\.100\.5$/m);
      // A status write through the main resource is ignored, as upstream's strategy resets it.
      await k(['patch', 'ing', 'simple', '-n', ns, '--type=merge', '-p', '{"status":{"loadBalancer":{"ingress":[{"ip":"127.0.100.9"}]}}}']);
      assert.equal(await k(['get', 'ing', 'simple', '-n', ns, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']), '127.0.100.5');

      assert.equal(await k(['delete', 'ingress', 'simple', 'catch-all', 'legacy', '-n', ns]), 'ingress.networking.k8s.io "simple" deleted\ningress.networking.k8s.io "catch-all" deleted\ningress.networking.k8s.io "legacy" deleted\n');
      await k(['delete', 'ingressclass', `older-${v}`, `newer-${v}`]);
    });

    test('IngressClass: get columns, describe, the controller fixed once created', async () => {
      await k(['apply', '-f', '-'], `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: external-lb-${v}
spec:
  controller: example.com/ingress-controller
  parameters:
    apiGroup: k8s.example.com
    kind: IngressParameters
    name: external-lb
`);
      const row = parseTable(await k(['get', 'ingressclass', `external-lb-${v}`]))[0];
      assert.deepEqual(Object.keys(row), ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE']);
      assert.deepEqual([row.CONTROLLER, row.PARAMETERS], ['example.com/ingress-controller', 'IngressParameters.k8s.example.com/external-lb']);
      // SetDefaults_IngressClass: parameters without a scope refer to a cluster-scoped resource.
      assert.equal(await k(['get', 'ingressclass', `external-lb-${v}`, '-o', 'jsonpath={.spec.parameters.scope} {.metadata.generation}']), 'Cluster 1');
      assert.equal(
        folded(await k(['describe', 'ingressclass', `external-lb-${v}`])),
        folded(`Name: external-lb-${v}
Labels: <none>
Annotations: <none>
Controller: example.com/ingress-controller
Parameters:
  APIGroup: k8s.example.com
  Kind: IngressParameters
  Name: external-lb
Events: <none>`),
      );
      const immutable = await run(['patch', 'ingressclass', `external-lb-${v}`, '--type=merge', '-p', '{"spec":{"controller":"other.io/c"}}']);
      assert.notEqual(immutable.code, 0);
      assert.equal(immutable.stderr, `The IngressClass "external-lb-${v}" is invalid: spec.controller: Invalid value: "other.io/c": field is immutable\n`);
      await k(['patch', 'ingressclass', `external-lb-${v}`, '--type=merge', '-p', '{"spec":{"parameters":{"name":"internal-lb"}}}']);
      assert.equal(await k(['get', 'ingressclass', `external-lb-${v}`, '-o', 'jsonpath={.spec.parameters.name} {.metadata.generation}']), 'internal-lb 2');
      assert.equal(await k(['delete', 'ingressclass', `external-lb-${v}`]), `ingressclass.networking.k8s.io "external-lb-${v}" deleted\n`);
    });

    test('NetworkPolicy: the documentation\'s manifests, defaults, get, describe, patch, delete', async () => {
      const ns = `netpol-${v}`;
      await k(['create', 'namespace', ns]);
      assert.equal(
        await k(['apply', '-f', '-'], docsPolicies(ns)),
        'networkpolicy.networking.k8s.io/test-network-policy created\nnetworkpolicy.networking.k8s.io/default-deny-ingress created\nnetworkpolicy.networking.k8s.io/multi-port-egress created\n',
      );
      const rows = parseTable(await k(['get', 'netpol', '-n', ns]));
      assert.deepEqual(Object.keys(rows[0]), ['NAME', 'POD-SELECTOR', 'AGE']);
      assert.deepEqual(
        rows.map((r) => [r.NAME, r['POD-SELECTOR']]),
        [
          ['default-deny-ingress', '<none>'],
          ['multi-port-egress', 'role=db'],
          ['test-network-policy', 'role=db'],
        ],
      );
      // SetDefaults_NetworkPolicy: no policyTypes means Ingress (and Egress when there are egress rules).
      assert.equal(await k(['get', 'netpol', 'default-deny-ingress', '-n', ns, '-o', 'jsonpath={.spec}']), '{"podSelector":{},"policyTypes":["Ingress"]}');
      const described = folded(await k(['describe', 'networkpolicy', 'test-network-policy', '-n', ns]));
      assert.match(described, /^Name: test-network-policy\nNamespace: netpol-\d+\nCreated on: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC\nLabels: <none>\nAnnotations: <none>\nSpec:\n/);
      assert.ok(
        described.endsWith(`Spec:
 PodSelector: role=db
 Allowing ingress traffic:
 To Port: 6379/TCP
 From:
 IPBlock:
 CIDR: 172.17.0.0/16
 Except: 172.17.1.0/24
 From:
 NamespaceSelector: project=myproject
 From:
 PodSelector: role=frontend
 Allowing egress traffic:
 To Port: 5978/TCP
 To:
 IPBlock:
 CIDR: 10.0.0.0/24
 Except:
 Policy Types: Ingress, Egress`),
        described,
      );
      assert.ok(
        folded(await k(['describe', 'netpol', 'default-deny-ingress', '-n', ns])).endsWith(`Spec:
 PodSelector: <none> (Allowing the specific traffic to all pods in this namespace)
 Allowing ingress traffic:
 <none> (Selected pods are isolated for ingress connectivity)
 Not affecting egress traffic
 Policy Types: Ingress`),
      );
      await k(['patch', 'netpol', 'default-deny-ingress', '-n', ns, '--type=json', '-p', '[{"op":"add","path":"/spec/policyTypes/-","value":"Egress"}]']);
      assert.equal(await k(['get', 'netpol', 'default-deny-ingress', '-n', ns, '-o', 'jsonpath={.spec.policyTypes} {.metadata.generation}']), '["Ingress","Egress"] 2');
      assert.equal(await k(['delete', 'netpol', '--all', '-n', ns]), [
        'networkpolicy.networking.k8s.io "default-deny-ingress" deleted',
        'networkpolicy.networking.k8s.io "multi-port-egress" deleted',
        'networkpolicy.networking.k8s.io "test-network-policy" deleted',
        '',
      ].join('\n'));
    });

    test('validation errors as kubectl prints them', async () => {
      const ns = `invalid-${v}`;
      await k(['create', 'namespace', ns]);
      const ingress = await run(['apply', '-n', ns, '-f', '-'], `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bad
spec:
  rules:
  - host: 1.2.3.4
    http:
      paths:
      - path: /x
        backend:
          service:
            name: web
            port:
              number: 80
      - path: rel
        pathType: Prefix
        backend:
          service:
            name: web
`);
      assert.notEqual(ingress.code, 0);
      assert.equal(
        ingress.stderr,
        `The Ingress "bad" is invalid: \n` +
          '* spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address\n' +
          '* spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified\n' +
          '* spec.rules[0].http.paths[1].path: Invalid value: "rel": must be an absolute path\n' +
          '* spec.rules[0].http.paths[1].backend: Required value: port name or number is required\n',
      );
      const policy = await run(['create', '-n', ns, '-f', '-'], `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: bad
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock:
        cidr: 10.0.0.0/16
        except: [10.1.0.0/24]
      podSelector: {}
    ports:
    - port: http
      endPort: 90
`);
      assert.notEqual(policy.code, 0);
      assert.equal(
        policy.stderr,
        // Several causes: kubectl lists them one a line under the kind (cmdutil.CheckErr's StatusError form).
        'The NetworkPolicy "bad" is invalid: \n' +
          '* spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric\n' +
          '* spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`\n' +
          '* spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer\n',
      );
      const created = await run(['create', 'ingress', 'x', '-n', ns, '--rule=foo.com/=web:80', '--class=Bad_Class']);
      assert.notEqual(created.code, 0);
      assert.equal(
        created.stderr,
        `error: failed to create ingress: Ingress.networking.k8s.io "x" is invalid: spec.ingressClassName: Invalid value: "Bad_Class": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n`,
      );
    });
  });
}
