import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { defaultCertificate, fakeCertificateName } from './default-certificate.js';

test('the default certificate is named as ingress-nginx names its fake certificate and matches its key', () => {
  const { cert, key } = defaultCertificate();
  const x = new X509Certificate(cert);
  assert.equal(x.subject, `CN=${fakeCertificateName}`);
  assert.equal(x.subjectAltName, 'DNS:ingress.local');
  assert.ok(x.checkPrivateKey(createPrivateKey(key)));
  assert.ok(!x.ca);
});
