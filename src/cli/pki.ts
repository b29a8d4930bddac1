// The cluster's certificate authority and the API server's serving certificate, made at
// the first `kanzen up` and kept in the cluster home (keys mode 0600). node-forge signs
// the certificates because Node's crypto can parse X.509 but not issue it; the RSA keys
// themselves come from Node's native generator (forge's pure-JS one takes seconds).
import fs from 'node:fs';
import path from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface Pki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** Signs service account tokens (sa.key, as kubeadm names it). */
  serviceAccountKey: string;
}

const tenYears = 10 * 365 * 24 * 3600 * 1000;

function newKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function serial(): string {
  // A positive 16-byte serial number (the high bit cleared keeps it positive in DER).
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

export function createCA(clusterName: string): { cert: string; key: string } {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + tenYears);
  const subject = [{ name: 'commonName', value: `kanzen-ca-${clusterName}` }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privatePem), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.privatePem };
}

/** A serving certificate signed by the CA; commonName is the API server's unless another server asks for its own. */
export function createServingCert(
  caCertPem: string,
  caKeyPem: string,
  ips: string[],
  dnsNames: string[],
  commonName = 'kube-apiserver',
): { cert: string; key: string } {
  const keys = newKeyPair();
  const caCert = forge.pki.certificateFromPem(caCertPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + tenYears);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...dnsNames.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(caKeyPem), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.privatePem };
}

function writeSecret(file: string, data: string): void {
  fs.writeFileSync(file, data, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/** Loads the cluster's PKI from dir, creating whatever is missing. */
export function ensurePki(dir: string, clusterName: string, ips: string[], dnsNames: string[]): Pki {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (n: string) => path.join(dir, n);
  if (!fs.existsSync(f('ca.crt')) || !fs.existsSync(f('ca.key'))) {
    const ca = createCA(clusterName);
    writeSecret(f('ca.key'), ca.key);
    fs.writeFileSync(f('ca.crt'), ca.cert);
    fs.rmSync(f('apiserver.crt'), { force: true });
  }
  const caCert = fs.readFileSync(f('ca.crt'), 'utf8');
  const caKey = fs.readFileSync(f('ca.key'), 'utf8');
  if (!fs.existsSync(f('apiserver.crt')) || !fs.existsSync(f('apiserver.key'))) {
    const s = createServingCert(caCert, caKey, ips, dnsNames);
    writeSecret(f('apiserver.key'), s.key);
    fs.writeFileSync(f('apiserver.crt'), s.cert);
  }
  if (!fs.existsSync(f('sa.key'))) writeSecret(f('sa.key'), newKeyPair().privatePem);
  return {
    caCert,
    caKey,
    serverCert: fs.readFileSync(f('apiserver.crt'), 'utf8'),
    serverKey: fs.readFileSync(f('apiserver.key'), 'utf8'),
    serviceAccountKey: fs.readFileSync(f('sa.key'), 'utf8'),
  };
}

/** The bearer token kubectl presents, made once per cluster. */
export function ensureToken(file: string): string {
  if (!fs.existsSync(file)) writeSecret(file, randomBytes(32).toString('base64url') + '\n');
  return fs.readFileSync(file, 'utf8').trim();
}
