// Names of the per-Service-port nftables objects, as kube-proxy's nftables mode makes
// them: "<HASH>-<namespace>/<service>/<protocol>/<port name>" behind a prefix saying what
// the chain does. The hash (sha256, base32, 8 characters) keeps a truncated name unique
// and makes chains that differ in one digit easy to tell apart; the readable part is for
// people running `nft list table`. Namespace, Service and port names are [a-z0-9-], so
// "/" and "__" separate the parts unambiguously.
import { createHash } from 'node:crypto';
import type { EndpointInfo } from '../endpoint.js';
import type { ServicePortName } from '../service-port.js';

/** nftables accepts longer names; upstream keeps them to 128 so `nft list` stays readable. */
const chainNameLengthMax = 128;
/** Longest prefix ("external-", "endpoint-", …) including its hyphen. */
const prefixLengthMax = 16;
const baseLengthMax = chainNameLengthMax - prefixLengthMax;

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 of the first 5 bytes: the 8 characters upstream keeps. */
function base32Head(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (let i = 0; i < 5; i++) {
    value = (value << 8) | bytes[i];
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** The name prefixed with a hash of itself, truncated to the base length. */
export function hashAndTruncate(name: string): string {
  const hashed = `${base32Head(createHash('sha256').update(name).digest())}-${name}`;
  return hashed.length > baseLengthMax ? hashed.slice(0, baseLengthMax - 3) + '...' : hashed;
}

export function servicePortChainNameBase(spn: ServicePortName): string {
  return hashAndTruncate(`${spn.namespace}/${spn.name}/${spn.protocol.toLowerCase()}/${spn.port}`);
}

export function endpointChainNameBase(spn: ServicePortName, ep: Pick<EndpointInfo, 'ip' | 'port'>): string {
  return hashAndTruncate(`${spn.namespace}/${spn.name}/${spn.protocol.toLowerCase()}/${spn.port}__${ep.ip}/${ep.port}`);
}

/** Traffic to a ClusterIP: chooses among the endpoints internalTrafficPolicy allows. */
export const serviceChainPrefix = 'service-';
/** Traffic to a NodePort, externalIP or LoadBalancer IP (externalTrafficPolicy). */
export const externalChainPrefix = 'external-';
/** One endpoint of a Service port: upstream's endpoint chain; in kanzen the key its conntrack mark is handed out by (service-port-rules.ts folds the chain into the rules that choose the endpoint). */
export const endpointChainPrefix = 'endpoint-';
/** Counts, then rejects (no endpoint anywhere) or drops (none for this traffic here), a port's traffic. */
export const noEndpointsChainPrefix = 'no-endpoints-';
/** Drops a LoadBalancer IP's traffic from outside loadBalancerSourceRanges. */
export const firewallChainPrefix = 'firewall-';
/** The ClientIP affinity set of one endpoint (a set, not a chain). */
export const affinitySetPrefix = 'affinity-';
