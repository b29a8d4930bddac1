// RBAC with the real kubectl (1.27 and 1.33), on the fake runtime:
//   - kubectl create role/clusterrole/rolebinding/clusterrolebinding; get prints upstream's
//     columns (NAME CREATED AT; NAME ROLE AGE, -o wide USERS GROUPS SERVICEACCOUNTS);
//   - a binding's roleRef is immutable ("cannot change roleRef").
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTable, passClients, startCluster, type TestCluster } from './harness.js';

let c: TestCluster;

before(async () => {
  c = await startCluster();
});

after(() => {
  c?.down(true);
});

describe('rbac objects', () => {
  for (const bin of passClients) {
    const v = bin.endsWith('1.27') ? '127' : '133';
    test(`kubectl ${v}: create role, clusterrole and their bindings; get shows upstream's columns`, async () => {
      const role = await c.kubectl(['create', 'role', `pod-reader-${v}`, '--verb=get,list', '--resource=pods'], { bin });
      assert.equal(role.code, 0, role.stderr);
      assert.equal(role.stdout.trim(), `role.rbac.authorization.k8s.io/pod-reader-${v} created`);
      const cr = await c.kubectl(['create', 'clusterrole', `node-reader-${v}`, '--verb=get', '--resource=nodes'], { bin });
      assert.equal(cr.stdout.trim(), `clusterrole.rbac.authorization.k8s.io/node-reader-${v} created`, cr.stderr);
      const rb = await c.kubectl(['create', 'rolebinding', `rb-${v}`, `--role=pod-reader-${v}`, '--user=alice', '--group=devs', '--serviceaccount=default:robot'], { bin });
      assert.equal(rb.stdout.trim(), `rolebinding.rbac.authorization.k8s.io/rb-${v} created`, rb.stderr);
      const crb = await c.kubectl(['create', 'clusterrolebinding', `crb-${v}`, `--clusterrole=node-reader-${v}`, '--user=bob'], { bin });
      assert.equal(crb.stdout.trim(), `clusterrolebinding.rbac.authorization.k8s.io/crb-${v} created`, crb.stderr);

      const roleOut = (await c.kubectl(['get', 'role', `pod-reader-${v}`], { bin })).stdout;
      assert.match(roleOut.split('\n')[0], /^NAME\s+CREATED AT$/);
      assert.match(parseTable(roleOut)[0]['CREATED AT'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const rbOut = (await c.kubectl(['get', 'rolebinding', `rb-${v}`, '-o', 'wide'], { bin })).stdout;
      assert.match(rbOut.split('\n')[0], /^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS$/);
      const row = parseTable(rbOut)[0];
      assert.equal(row.ROLE, `Role/pod-reader-${v}`);
      assert.equal(row.USERS, 'alice');
      assert.equal(row.GROUPS, 'devs');
      assert.equal(row.SERVICEACCOUNTS, 'default/robot');
      const crbOut = (await c.kubectl(['get', 'clusterrolebinding', `crb-${v}`], { bin })).stdout;
      assert.match(crbOut.split('\n')[0], /^NAME\s+ROLE\s+AGE$/);
      assert.equal(parseTable(crbOut)[0].ROLE, `ClusterRole/node-reader-${v}`);
    });

    test(`kubectl ${v}: a binding's roleRef cannot change`, async () => {
      await c.k(['create', 'rolebinding', `fixed-${v}`, '--clusterrole=view', '--user=carol']);
      const r = await c.kubectl(['patch', 'rolebinding', `fixed-${v}`, '--type=merge', '-p', '{"roleRef":{"name":"edit"}}'], { bin });
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        new RegExp(`The RoleBinding "fixed-${v}" is invalid: roleRef: Invalid value: rbac.RoleRef\\{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"\\}: cannot change roleRef`),
      );
    });
  }
});

describe('rbac enforced', () => {
  /** A kubeconfig-free kubectl call as the service account, with a token from kubectl create token. */
  const asToken = (bin: string, token: string, args: string[]) => c.kubectl([`--token=${token}`, ...args], { bin });

  for (const bin of passClients) {
    const v = bin.endsWith('1.27') ? '127' : '133';
    test(`kubectl ${v}: a service account bound to view lists pods but cannot read secrets or delete pods`, async () => {
      const ns = `rbac-${v}`;
      await c.k(['create', 'namespace', ns]);
      await c.k(['-n', ns, 'create', 'serviceaccount', 'sa']);
      await c.k(['-n', ns, 'create', 'rolebinding', 'sa-view', '--clusterrole=view', `--serviceaccount=${ns}:sa`]);
      await c.k(['-n', ns, 'run', 'web', '--image=nginx']);
      const token = (await c.k(['-n', ns, 'create', 'token', 'sa'])).trim();
      const user = `system:serviceaccount:${ns}:sa`;

      const pods = await asToken(bin, token, ['-n', ns, 'get', 'pods', '-o', 'name']);
      assert.equal(pods.code, 0, pods.stderr);
      assert.equal(pods.stdout.trim(), 'pod/web');

      const secrets = await asToken(bin, token, ['-n', ns, 'get', 'secrets']);
      assert.notEqual(secrets.code, 0);
      assert.match(secrets.stderr, new RegExp(`secrets is forbidden: User "${user}" cannot list resource "secrets" in API group "" in the namespace "${ns}"`));

      const del = await asToken(bin, token, ['-n', ns, 'delete', 'pod', 'web']);
      assert.notEqual(del.code, 0);
      assert.match(del.stderr, new RegExp(`pods "web" is forbidden: User "${user}" cannot delete resource "pods" in API group "" in the namespace "${ns}"`));

      const nodes = await asToken(bin, token, ['get', 'nodes']);
      assert.match(nodes.stderr, new RegExp(`nodes is forbidden: User "${user}" cannot list resource "nodes" in API group "" at the cluster scope`));

      // exec is a pods subresource the view role does not grant (SPDY POST: create; WebSocket GET: get).
      const exec = await asToken(bin, token, ['-n', ns, 'exec', 'web', '--', 'true']);
      assert.notEqual(exec.code, 0);
      assert.match(exec.stderr, new RegExp(`pods "web" is forbidden: User "${user}" cannot (create|get) resource "pods/exec" in API group "" in the namespace "${ns}"`));

      const other = await asToken(bin, token, ['-n', 'default', 'get', 'pods']);
      assert.match(other.stderr, new RegExp(`pods is forbidden: User "${user}" cannot list resource "pods" in API group "" in the namespace "default"`));
    });
  }

  test('the aggregated view role is filled in from system:aggregate-to-view', async () => {
    const view = JSON.parse(await c.k(['get', 'clusterrole', 'view', '-o', 'json'])) as { rules?: { resources?: string[] }[] };
    assert.ok(view.rules?.some((r) => r.resources?.includes('pods/log')));
  });
});

describe('impersonation', () => {
  for (const bin of passClients) {
    const v = bin.endsWith('1.27') ? '127' : '133';
    test(`kubectl ${v}: --as a service account acts with its permissions; impersonating without the right is 403`, async () => {
      const ns = `imp-${v}`;
      await c.k(['create', 'namespace', ns]);
      await c.k(['-n', ns, 'create', 'serviceaccount', 'x']);
      await c.k(['-n', ns, 'create', 'rolebinding', 'x-view', '--clusterrole=view', `--serviceaccount=${ns}:x`]);
      await c.k(['-n', ns, 'create', 'configmap', 'cfg']);
      const as = `--as=system:serviceaccount:${ns}:x`;
      const cms = await c.kubectl(['-n', ns, 'get', 'configmaps', '-o', 'name', as], { bin });
      assert.equal(cms.code, 0, cms.stderr);
      assert.match(cms.stdout, /configmap\/cfg/);
      const secrets = await c.kubectl(['-n', ns, 'get', 'secrets', as], { bin });
      assert.match(secrets.stderr, new RegExp(`secrets is forbidden: User "system:serviceaccount:${ns}:x" cannot list resource "secrets" in API group "" in the namespace "${ns}"`));
      // kubectl 1.27's whoami asks for authentication.k8s.io/v1beta1, which a 1.33 server no longer serves.
      if (v === '133') {
        const whoami = await c.kubectl(['auth', 'whoami', as, '--as-group=devs'], { bin });
        assert.match(whoami.stdout, new RegExp(`Username\\s+system:serviceaccount:${ns}:x`), whoami.stderr);
        assert.match(whoami.stdout, /Groups\s+\[system:serviceaccounts system:serviceaccounts:imp-\d+ devs system:authenticated\]/);
      }

      const token = (await c.k(['-n', ns, 'create', 'token', 'x'])).trim();
      const denied = await c.kubectl([`--token=${token}`, '--as=bob', 'get', 'pods'], { bin });
      assert.match(denied.stderr, new RegExp(`users "bob" is forbidden: User "system:serviceaccount:${ns}:x" cannot impersonate resource "users" in API group "" at the cluster scope`));
    });
  }
});

describe('access reviews', () => {
  before(async () => {
    await c.k(['create', 'namespace', 'review']);
    await c.k(['-n', 'review', 'create', 'serviceaccount', 'sa']);
    await c.k(['-n', 'review', 'create', 'rolebinding', 'sa-view', '--clusterrole=view', '--serviceaccount=review:sa']);
  });
  const as = '--as=system:serviceaccount:review:sa';

  for (const bin of passClients) {
    const v = bin.endsWith('1.27') ? '127' : '133';
    test(`kubectl ${v}: auth can-i answers from RBAC, with and without --as`, async () => {
      const admin = await c.kubectl(['auth', 'can-i', 'delete', 'nodes'], { bin });
      assert.deepEqual([admin.code, admin.stdout], [0, 'yes\n']);
      const list = await c.kubectl(['-n', 'review', 'auth', 'can-i', 'list', 'pods', as], { bin });
      assert.deepEqual([list.code, list.stdout], [0, 'yes\n']);
      const secrets = await c.kubectl(['-n', 'review', 'auth', 'can-i', 'get', 'secrets', as], { bin });
      assert.deepEqual([secrets.code, secrets.stdout], [1, 'no\n']);
      const other = await c.kubectl(['-n', 'default', 'auth', 'can-i', 'list', 'pods', as], { bin });
      assert.deepEqual([other.code, other.stdout], [1, 'no\n']);
    });

    test(`kubectl ${v}: auth can-i --list prints the account's rules`, async () => {
      const r = await c.kubectl(['-n', 'review', 'auth', 'can-i', '--list', as], { bin });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/m);
      assert.match(r.stdout, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
      assert.match(r.stdout, /^deployments\.apps\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
      assert.match(r.stdout, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
      assert.match(r.stdout, /^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]$/m);
      assert.doesNotMatch(r.stdout, /^secrets/m);
    });
  }

  test('a SelfSubjectAccessReview says which binding allowed it; a SubjectAccessReview asks for another user', async () => {
    const ssar = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'review', verb: 'list', resource: 'pods' } } };
    const self = JSON.parse(await c.k(['create', '-f', '-', '-o', 'json', '--validate=false', as], { input: JSON.stringify(ssar) }));
    assert.deepEqual(self.status, { allowed: true, reason: 'RBAC: allowed by RoleBinding "sa-view/review" of ClusterRole "view" to ServiceAccount "sa/review"' });
    const sar = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'kubernetes-admin', groups: ['kubeadm:cluster-admins'], resourceAttributes: { verb: 'delete', resource: 'nodes' } } };
    const other = JSON.parse(await c.k(['create', '-f', '-', '-o', 'json', '--validate=false'], { input: JSON.stringify(sar) }));
    assert.deepEqual(other.status, { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins"' });
    const invalid = await c.kubectl(['create', '-f', '-', '--validate=false'], { input: JSON.stringify({ ...sar, spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } }) });
    assert.match(invalid.stderr, /spec\.user: Invalid value: "": at least one of user or group must be specified/);
  });
});
