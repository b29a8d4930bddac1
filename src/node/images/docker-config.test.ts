import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Secret } from '../../api/types.js';
import { DockerKeyring, keyringFromSecrets } from './docker-config.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function dockerConfigJson(name: string, auths: object): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) } };
}

test('kubectl create secret docker-registry for Docker Hub matches every docker.io image', () => {
  // What `kubectl create secret docker-registry regcred --docker-username=u --docker-password=p` writes.
  const keyring = keyringFromSecrets([dockerConfigJson('regcred', { 'https://index.docker.io/v1/': { username: 'u', password: 'p', auth: b64('u:p') } })]);
  assert.deepEqual(keyring.lookup('docker.io/library/nginx'), [{ username: 'u', password: 'p' }]);
  assert.deepEqual(keyring.lookup('docker.io/bitnami/redis'), [{ username: 'u', password: 'p' }]);
  assert.deepEqual(keyring.lookup('quay.io/coreos/etcd'), []);
});

test('hosts match exactly or by a glob per label; ports must be equal; a path narrows', () => {
  const keyring = new DockerKeyring();
  keyring.add({
    'registry.example.com:5000': { username: 'port' },
    '*.example.com': { username: 'glob' },
    'quay.io/org': { username: 'org' },
    'quay.io': { username: 'quay' },
    'http://plain.example.org/v2/': { username: 'plain' },
  });
  const users = (image: string) => keyring.lookup(image).map((a) => a.username);
  assert.deepEqual(users('registry.example.com:5000/app'), ['port']);
  assert.deepEqual(users('registry.example.com/app'), ['glob'], 'no port: the glob, not the :5000 entry');
  assert.deepEqual(users('a.b.example.com/app'), [], 'a glob stands for one label');
  assert.deepEqual(users('quay.io/org/app'), ['org', 'quay'], 'the more specific first');
  assert.deepEqual(users('quay.io/other/app'), ['quay']);
  assert.deepEqual(users('plain.example.org/x'), ['plain'], 'scheme and /v2/ are stripped');
});

test('legacy dockercfg secrets, auth over username/password, stringData, other types ignored', () => {
  const keyring = keyringFromSecrets([
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'old' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64(JSON.stringify({ 'old.example.com': { username: 'x', password: 'y', auth: b64('real:pw:with:colons') } })) } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sd' }, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': JSON.stringify({ auths: { 'sd.example.com': { username: 's', password: 'd' } } }) } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'opaque' }, type: 'Opaque', data: { '.dockerconfigjson': b64('not json') } },
  ]);
  assert.deepEqual(keyring.lookup('old.example.com/app'), [{ username: 'real', password: 'pw:with:colons' }]);
  assert.deepEqual(keyring.lookup('sd.example.com/app'), [{ username: 's', password: 'd' }]);
  assert.equal(keyring.size, 2);
});

test('several secrets for one registry are all returned, in order', () => {
  const keyring = keyringFromSecrets([dockerConfigJson('a', { 'r.example.com': { username: 'first' } }), dockerConfigJson('b', { 'r.example.com': { username: 'second' } })]);
  assert.deepEqual(keyring.lookup('r.example.com/app').map((a) => a.username), ['first', 'second']);
});

test('a malformed pull secret is an error naming it', () => {
  const bad: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bad', namespace: 'ns' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{nope') } };
  assert.throws(() => keyringFromSecrets([bad]), /secret ns\/bad: \.dockerconfigjson is not valid JSON/);
});
