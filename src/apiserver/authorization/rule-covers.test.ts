import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactRules, compactString, uncoveredRules } from './rule-covers.js';

test('every verb on every resource must be held; "*" and "*/sub" cover as upstream', () => {
  const owner = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', '*/status'] }, { verbs: ['get'], nonResourceURLs: ['/api/*'] }];
  assert.deepEqual(uncoveredRules(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods', 'pods/status'] }, { verbs: ['get'], nonResourceURLs: ['/api/v1'] }]), []);
  assert.deepEqual(uncoveredRules(owner, [{ verbs: ['get', 'delete'], apiGroups: ['', 'apps'], resources: ['pods'] }]), [
    { verbs: ['delete'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] },
    { verbs: ['delete'], apiGroups: ['apps'], resources: ['pods'] },
  ]);
  assert.deepEqual(uncoveredRules([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]), [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]);
});

test('resourceNames: an owner limited to names covers only those names, never the whole resource', () => {
  const owner = [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }];
  assert.deepEqual(uncoveredRules(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }]), []);
  assert.equal(uncoveredRules(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]).length, 1);
});

test('missing pieces are compacted per resource and printed as CompactString', () => {
  const missing = uncoveredRules([], [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }, { verbs: ['get'], nonResourceURLs: ['/metrics'] }]);
  assert.deepEqual(compactRules(missing).map(compactString), ['{NonResourceURLs:["/metrics"], Verbs:["get"]}', '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}']);
});
