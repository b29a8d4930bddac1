// RBAC with the real kubectl (1.27 and 1.33), on the fake runtime:
//   - kubectl create role/clusterrole/rolebinding/clusterrolebinding; get prints upstream's
//     columns (NAME CREATED AT; NAME ROLE AGE, -o wide USERS GROUPS SERVICEACCOUNTS);
//   - a binding's roleRef is immutable ("cannot change roleRef");
//   - a bound service account may do what its roles say and nothing else (403 as upstream);
//   - escalation prevention: roles and bindings grant only what the writer holds, unless it
//     may escalate or bind;
//   - a new binding is seen at once (the authorizer's informer caches);
//   - impersonation, the access reviews (can-i, --list), whoami (1.27: not served, as 1.33);
//   - anonymous requests (no credentials) are system:anonymous;
//   - the bootstrap policy is reconciled at start (restart of the cluster, last).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { httpsGet, parseTable, passClients, startCluster, type TestCluster } from './harness.js';
import { waitFor } from '../testing/wait.js';

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

describe('escalation prevention', () => {
  for (const bin of passClients) {
    const v = bin.endsWith('1.27') ? '127' : '133';
    test(`kubectl ${v}: a service account that may write roles and bindings grants only what it holds, unless it may escalate or bind`, async () => {
      const ns = `esc-${v}`;
      const user = `system:serviceaccount:${ns}:granter`;
      await c.k(['create', 'namespace', ns]);
      await c.k(['-n', ns, 'create', 'serviceaccount', 'granter']);
      await c.k(['-n', ns, 'create', 'role', 'rbac-editor', '--verb=get,list,create,update,patch', '--resource=roles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io']);
      await c.k(['-n', ns, 'create', 'rolebinding', 'granter-rbac', '--role=rbac-editor', `--serviceaccount=${ns}:granter`]);
      await c.k(['-n', ns, 'create', 'rolebinding', 'granter-view', '--clusterrole=view', `--serviceaccount=${ns}:granter`]);
      const token = (await c.k(['-n', ns, 'create', 'token', 'granter'])).trim();
      const as = (args: string[]) => c.kubectl([`--token=${token}`, '-n', ns, ...args], { bin });
      const groups = `\\(groups=\\["system:serviceaccounts" "system:serviceaccounts:${ns}" "system:authenticated"\\]\\)`;

      const secrets = await as(['create', 'role', 'secret-reader', '--verb=get,list', '--resource=secrets']);
      assert.notEqual(secrets.code, 0);
      assert.match(
        secrets.stderr,
        new RegExp(`roles\\.rbac\\.authorization\\.k8s\\.io "secret-reader" is forbidden: user "${user}" ${groups} is attempting to grant RBAC permissions not currently held:\\n\\{APIGroups:\\[""\\], Resources:\\["secrets"\\], Verbs:\\["get" "list"\\]\\}`),
      );
      // What view gives it, it may grant.
      const pods = await as(['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods']);
      assert.equal(pods.stdout.trim(), 'role.rbac.authorization.k8s.io/pod-reader created', pods.stderr);
      // Widening that role by an update is refused the same way.
      const widen = await as(['patch', 'role', 'pod-reader', '--type=json', '-p', '[{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}}]']);
      assert.match(widen.stderr, /roles\.rbac\.authorization\.k8s\.io "pod-reader" is forbidden: .* not currently held:\n\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get"\]\}/);

      const bindEdit = await as(['create', 'rolebinding', 'friend-edit', '--clusterrole=edit', '--user=friend']);
      assert.match(bindEdit.stderr, new RegExp(`rolebindings\\.rbac\\.authorization\\.k8s\\.io "friend-edit" is forbidden: user "${user}" ${groups} is attempting to grant RBAC permissions not currently held:`));
      const bindView = await as(['create', 'rolebinding', 'friend-view', '--clusterrole=view', '--user=friend']);
      assert.equal(bindView.stdout.trim(), 'rolebinding.rbac.authorization.k8s.io/friend-view created', bindView.stderr);

      // The escalate verb on roles and the bind verb on edit lift the checks.
      await c.k(['-n', ns, 'create', 'role', 'escalator', '--verb=escalate', '--resource=roles.rbac.authorization.k8s.io']);
      await c.k(['-n', ns, 'create', 'role', 'edit-binder', '--verb=bind', '--resource=clusterroles.rbac.authorization.k8s.io', '--resource-name=edit']);
      await c.k(['-n', ns, 'create', 'rolebinding', 'granter-escalate', '--role=escalator', `--serviceaccount=${ns}:granter`]);
      await c.k(['-n', ns, 'create', 'rolebinding', 'granter-bind', '--role=edit-binder', `--serviceaccount=${ns}:granter`]);
      const escalated = await waitFor(async () => {
        const r = await as(['create', 'role', 'secret-reader', '--verb=get,list', '--resource=secrets']);
        return r.code === 0 && r;
      }, 30_000, 'the escalate grant');
      assert.equal(escalated.stdout.trim(), 'role.rbac.authorization.k8s.io/secret-reader created');
      const bound = await waitFor(async () => {
        const r = await as(['create', 'rolebinding', 'friend-edit', '--clusterrole=edit', '--user=friend']);
        return r.code === 0 && r;
      }, 30_000, 'the bind grant');
      assert.equal(bound.stdout.trim(), 'rolebinding.rbac.authorization.k8s.io/friend-edit created');
    });
  }
});

describe('policy cache', () => {
  test('a new binding is seen by kubectl auth can-i as soon as its watch event arrives', async () => {
    await c.k(['create', 'namespace', 'late']);
    await c.k(['-n', 'late', 'create', 'serviceaccount', 'sa']);
    const as = '--as=system:serviceaccount:late:sa';
    const before = await c.kubectl(['-n', 'late', 'auth', 'can-i', 'list', 'secrets', as]);
    assert.deepEqual([before.code, before.stdout], [1, 'no\n']);
    await c.k(['-n', 'late', 'create', 'rolebinding', 'sa-edit', '--clusterrole=edit', '--serviceaccount=late:sa']);
    const after = await waitFor(async () => {
      const r = await c.kubectl(['-n', 'late', 'auth', 'can-i', 'list', 'secrets', as]);
      return r.code === 0 && r;
    }, 30_000, 'can-i yes');
    assert.equal(after.stdout, 'yes\n');
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
      const whoami = await c.kubectl(['auth', 'whoami', as, '--as-group=devs'], { bin });
      if (v === '133') {
        assert.match(whoami.stdout, new RegExp(`Username\\s+system:serviceaccount:${ns}:x`), whoami.stderr);
        assert.match(whoami.stdout, /Groups\s+\[system:serviceaccounts system:serviceaccounts:imp-\d+ devs system:authenticated\]/);
      } else {
        // kubectl 1.27 asks authentication.k8s.io/v1beta1, then v1alpha1: a 1.33 server serves neither
        // (v1beta1 is among its beta group versions disabled by default), so both are 404 and it says so.
        assert.deepEqual([whoami.code, whoami.stdout], [1, '']);
        assert.equal(whoami.stderr, 'error: the selfsubjectreviews API is not enabled in the cluster\nenable APISelfSubjectReview feature gate and authentication.k8s.io/v1alpha1 or authentication.k8s.io/v1beta1 API\n');
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

describe('anonymous requests', () => {
  /** A GET with no credentials at all, over real HTTPS. */
  const get = (p: string, headers: Record<string, string> = {}) => httpsGet(c, p, headers);

  test('no credentials is system:anonymous: health and version are public, anything else is 403 by RBAC; a bad token is 401', async () => {
    for (const p of ['/healthz', '/livez', '/readyz', '/version', '/version/']) assert.equal((await get(p)).status, 200, p);
    const api = await get('/api');
    assert.equal(api.status, 403);
    assert.deepEqual(JSON.parse(api.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'forbidden: User "system:anonymous" cannot get path "/api"', reason: 'Forbidden', details: {}, code: 403 });
    const pods = await get('/api/v1/namespaces/default/pods');
    assert.equal(JSON.parse(pods.body).message, 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"');
    const bad = await get('/healthz', { authorization: 'Bearer not-a-token' });
    assert.deepEqual([bad.status, JSON.parse(bad.body).reason], [401, 'Unauthorized']);
  });

  /**
   * kubectl with a kubeconfig that names no user, on a terminal: it then asks for a username
   * and password (as against any cluster); a user who types a name and no password sends
   * Basic credentials, which no authenticator reads, so the request is anonymous.
   */
  function kubectlWithoutUser(bin: string, kubeconfig: string, args: string[]): Promise<string> {
    const cmd = [bin, `--kubeconfig=${kubeconfig}`, ...args].map((a) => `'${a}'`).join(' ');
    return new Promise((resolve) => {
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdin.on('error', () => undefined);
      let out = '';
      const answered = new Set<string>();
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        for (const [prompt, answer] of [['Please enter Username: ', 'someone\r'], ['Please enter Password: ', '\r']]) {
          if (out.includes(prompt) && !answered.has(prompt)) {
            answered.add(prompt);
            child.stdin.write(answer);
          }
        }
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', () => {
        clearTimeout(timer);
        child.stdin.destroy();
        // The empty password's Enter is echoed when it reaches the terminal before kubectl has
        // turned echo off: a timing artifact of the pty, not kubectl's output.
        resolve(out.replace(/\r/g, '').replace('Please enter Password: \n', 'Please enter Password: '));
      });
    });
  }

  for (const bin of passClients) {
    const v = bin.endsWith('1.27') ? '127' : '133';
    test(`kubectl ${v} with a kubeconfig that has no user: version and health answer, the API is forbidden to system:anonymous`, async () => {
      const admin = fs.readFileSync(c.kubeconfig, 'utf8');
      const ca = /certificate-authority-data: (\S+)/.exec(admin)![1];
      const kubeconfig = path.join(c.home, `anonymous-${v}.kubeconfig`);
      fs.writeFileSync(kubeconfig, [
        'apiVersion: v1', 'kind: Config', 'current-context: anon',
        'clusters:', `- name: anon`, '  cluster:', `    server: https://127.0.0.1:${c.port}`, `    certificate-authority-data: ${ca}`,
        'contexts:', '- name: anon', '  context:', '    cluster: anon',
        'users: []', '',
      ].join('\n'));
      const prompts = 'Please enter Username: someone\nPlease enter Password: ';
      const version = await kubectlWithoutUser(bin, kubeconfig, ['version', '-o', 'json']);
      assert.ok(version.startsWith(prompts), version);
      // (stderr shares the terminal: 1.27 adds its version skew warning after the JSON)
      assert.equal(JSON.parse(version.slice(prompts.length, version.lastIndexOf('}') + 1)).serverVersion.gitVersion, 'v1.33.0+kanzen');
      assert.equal(await kubectlWithoutUser(bin, kubeconfig, ['get', '--raw', '/readyz']), `${prompts}ok`);
      assert.equal(await kubectlWithoutUser(bin, kubeconfig, ['get', '--raw', '/api']), `${prompts}Error from server (Forbidden): forbidden: User "system:anonymous" cannot get path "/api"\n`);
      // Discovery (/api) is forbidden before the list is asked.
      assert.match(await kubectlWithoutUser(bin, kubeconfig, ['get', 'pods']), /Error from server \(Forbidden\)/);
    });
  }
});

// Last: it restarts the cluster.
describe('bootstrap policy reconciliation', () => {
  type Rules = { rules?: { apiGroups?: string[]; resources?: string[]; verbs?: string[] }[] };
  const role = async (name: string) => JSON.parse(await c.k(['get', 'clusterrole', name, '-o', 'json'])) as Rules & { metadata: { annotations?: Record<string, string> } };

  test('at start, autoupdate defaults get back lost rules and subjects; a role marked autoupdate "false" is left alone', async () => {
    // view is aggregated (the controller refills it at once): take the rule from the role it aggregates.
    await c.k(['patch', 'clusterrole', 'system:aggregate-to-view', '--type=json', '-p', '[{"op":"remove","path":"/rules/0"}]']);
    await c.k(['patch', 'clusterrolebinding', 'system:public-info-viewer', '--type=json', '-p', '[{"op":"remove","path":"/subjects/1"}]']);
    await c.k(['annotate', 'clusterrole', 'system:basic-user', 'rbac.authorization.kubernetes.io/autoupdate=false', '--overwrite']);
    await c.k(['patch', 'clusterrole', 'system:basic-user', '--type=json', '-p', '[{"op":"remove","path":"/rules/1"}]']);
    const hasPods = (r: Rules) => !!r.rules?.some((x) => x.apiGroups?.includes('') && x.resources?.includes('pods') && x.verbs?.includes('list'));
    await waitFor(async () => !hasPods(await role('view')), 30_000, 'view without pods');

    assert.equal(c.down().code, 0);
    const up = c.up();
    assert.equal(up.code, 0, up.stderr);

    assert.ok(hasPods(await role('system:aggregate-to-view')));
    await waitFor(async () => hasPods(await role('view')), 30_000, 'view re-aggregated with pods');
    const crb = JSON.parse(await c.k(['get', 'clusterrolebinding', 'system:public-info-viewer', '-o', 'json'])) as { subjects: { name: string }[] };
    assert.deepEqual(crb.subjects.map((s) => s.name), ['system:authenticated', 'system:unauthenticated']);
    const basic = await role('system:basic-user');
    assert.equal(basic.rules?.length, 1);
    assert.equal(basic.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'], 'false');
  });
});
