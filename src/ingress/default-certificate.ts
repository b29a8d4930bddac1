// The certificate the Ingress controller presents when no TLS Secret covers the server name:
// self-signed at each start, named as ingress-nginx names its "fake certificate" (which
// clients and tutorials recognise), for ingress.local as ingress-nginx's.
import { createCA, createServingCert } from '../cli/pki.js';
import type { Certificate } from './ingress-proxy.js';

export const fakeCertificateName = 'Kubernetes Ingress Controller Fake Certificate';

/** A leaf signed by its own throwaway CA (so the key of no other certificate is involved). */
export function defaultCertificate(): Certificate {
  const ca = createCA('ingress');
  return createServingCert(ca.cert, ca.key, [], ['ingress.local'], fakeCertificateName);
}
