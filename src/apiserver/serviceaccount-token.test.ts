import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { Pod } from '../api/types.js';
import { projectedTokenSeconds, serviceAccountIssuer, ServiceAccountTokens } from './serviceaccount-token.js';
import { mountServiceAccountToken, serviceAccountMountPath } from './serviceaccount-admission.js';

const pem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const tokens = new ServiceAccountTokens(pem());
const subject = { namespace: 'default', name: 'default', uid: 'sa-uid' };
const claims = (t: string) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString());

test('a token verifies to its subject, with upstream claims and an RS256 header naming the key', () => {
  const now = new Date('2026-11-26T00:00:00Z');
  const { token, expiresAt } = tokens.issue(subject, [], 3600, now);
  assert.deepEqual(tokens.verify(token, now), { ...subject, pod: undefined });
  const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
  assert.equal(header.alg, 'RS256');
  assert.match(header.kid, /^[A-Za-z0-9_-]{43}$/);
  const c = claims(token);
  assert.deepEqual([c.iss, c.sub, c.aud, c.exp - c.iat], [serviceAccountIssuer, 'system:serviceaccount:default:default', [serviceAccountIssuer], 3600]);
  assert.equal(expiresAt.getTime(), now.getTime() + 3600_000);
});

test('expired, tampered and foreign tokens are refused', () => {
  const now = new Date('2026-11-26T00:00:00Z');
  const { token } = tokens.issue(subject, [], 600, now);
  assert.equal(tokens.verify(token, new Date(now.getTime() + 601_000)), undefined);
  const [h, b, s] = token.split('.');
  const forged = Buffer.from(JSON.stringify({ ...claims(token), sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
  assert.equal(tokens.verify(`${h}.${forged}.${s}`, now), undefined);
  assert.equal(tokens.verify(new ServiceAccountTokens(pem()).issue(subject, [], 600, now).token, now), undefined);
  assert.equal(tokens.verify(`${h}.${b}`, now), undefined);
  assert.equal(tokens.verify('not-a-jwt', now), undefined);
});

test('a pod-bound projected token (3607 s) is extended to a year with a warnafter, as kube-apiserver does', () => {
  const now = new Date('2026-11-26T00:00:00Z');
  const { token } = tokens.issue({ ...subject, pod: { name: 'p', uid: 'pod-uid' } }, [], projectedTokenSeconds, now);
  const c = claims(token);
  assert.equal(c.exp - c.iat, 365 * 24 * 3600);
  assert.equal(c['kubernetes.io'].warnafter - c.iat, projectedTokenSeconds);
  assert.deepEqual(tokens.verify(token, now)?.pod, { name: 'p', uid: 'pod-uid' });
});

const pod = (extra: Partial<Pod['spec']> = {}): Pod =>
  ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'a' }, { name: 'b', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], initContainers: [{ name: 'i' }], volumes: [{ name: 'data', emptyDir: {} }], ...extra } }) as unknown as Pod;

test('admission mounts kube-api-access-<5> read-only in every container; opting out or an own mount leaves the pod as it is', () => {
  const p = pod();
  mountServiceAccountToken(p);
  const v = p.spec.volumes!.at(-1)!;
  assert.match(v.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual((v.projected as { sources: object[] }).sources.length, 3);
  for (const c of [...p.spec.containers, ...p.spec.initContainers!]) assert.deepEqual(c.volumeMounts!.at(-1), { name: v.name, readOnly: true, mountPath: serviceAccountMountPath });

  const optedOut = pod({ automountServiceAccountToken: false });
  mountServiceAccountToken(optedOut);
  assert.equal(optedOut.spec.volumes!.length, 1);
  const own = pod();
  own.spec.containers[0].volumeMounts = [{ name: 'data', mountPath: serviceAccountMountPath }];
  mountServiceAccountToken(own);
  assert.equal(own.spec.volumes!.length, 1);
});

test('a token for another audience does not authenticate to the API; one that also names the API audience does', () => {
  const now = new Date('2026-11-26T00:00:00Z');
  assert.equal(tokens.verify(tokens.issue(subject, ['vault'], 600, now).token, now), undefined);
  assert.deepEqual(tokens.verify(tokens.issue(subject, ['vault', serviceAccountIssuer], 600, now).token, now), { ...subject, pod: undefined });
  const custom = new ServiceAccountTokens(pem(), ['api']);
  assert.equal(custom.verify(custom.issue(subject, [], 600, now).token, now), undefined);
  assert.ok(custom.verify(custom.issue(subject, ['api'], 600, now).token, now));
});
