// The kubernetes plugin's answers as pure functions of the cluster's minimal records,
// following CoreDNS (plugin/kubernetes: parse.go, kubernetes.go findServices/findPods,
// reverse.go; plugin/backend_lookup.go A/AAAA/SRV/PTR/TXT/CNAME; handler.go's NXDOMAIN vs
// NODATA rules). Names here are lower-case and absolute; the owner name of every answer is
// the question, so the writer's compression pointer carries the client's case.
import net from 'node:net';
import { ClassIN, compressIPv6, expandIPv6, Type, type RR } from '../../wire.js';
import { endpointHostname, type EndpointsRecord, type PodRecord, type ServiceRecord } from './records.js';

export type PodMode = 'disabled' | 'insecure' | 'verified';

export interface KubernetesOptions {
  /** Authoritative zones, lower-case, absolute (cluster.local., in-addr.arpa. …). */
  zones: string[];
  podMode: PodMode;
  ttl: number;
}

/** What lookups read: the records index (see cluster-index.ts). */
export interface ClusterView {
  namespaceExists(ns: string): boolean;
  service(ns: string, name: string): ServiceRecord | undefined;
  endpoints(ns: string, service: string): EndpointsRecord[];
  servicesByIP(ip: string): ServiceRecord[];
  endpointsByIP(ip: string): EndpointsRecord[];
  podsByIP(ip: string): PodRecord[];
  serial(): number;
}

export interface Resolution {
  /** name-error → NXDOMAIN (or fallthrough); nodata → NOERROR without answers. */
  result: 'answer' | 'nodata' | 'name-error' | 'refused';
  answer: RR[];
  additional: RR[];
  /** CNAMEs to names outside the zone, to be resolved through the chain (upstream). */
  chase: { target: string; qtype: number }[];
  /** The invalidation group of this name (svc:ns/name, ns:ns, pod:ns, ip:addr, static). */
  owner: string;
}

/** DNSSchemaVersion of the Kubernetes DNS specification. */
export const dnsSchemaVersion = '1.1.0';
const svcLabel = 'svc';
const podLabel = 'pod';

interface MsgService {
  host: string;
  port: number;
  /** The absolute name the record lives at (SRV target). */
  target: string;
}

interface RecordRequest {
  podOrSvc: string;
  namespace: string;
  service: string;
  endpoint: string;
  port: string;
  protocol: string;
}

type LookupError = 'no-items' | 'invalid' | 'ns-not-exposed';

class Ctx {
  constructor(
    readonly view: ClusterView,
    readonly opts: KubernetesOptions,
    readonly zone: string,
  ) {}
  get primaryZone(): string {
    return this.opts.zones.find((z) => !isReverseZone(z)) ?? this.opts.zones[0];
  }
}

function isReverseZone(z: string): boolean {
  return z.endsWith('in-addr.arpa.') || z.endsWith('ip6.arpa.');
}

/** The longest configured zone containing name ('' when none), as plugin.Zones.Matches. */
export function matchZone(zones: string[], name: string): string {
  let best = '';
  for (const z of zones) if (isSubDomain(z, name) && z.length > best.length) best = z;
  return best;
}

export function isSubDomain(zone: string, name: string): boolean {
  return zone === '.' || name === zone || name.endsWith('.' + zone);
}

function trimZone(name: string, zone: string): string {
  if (name === zone) return '';
  return name.slice(0, name.length - zone.length - 1);
}

/** parse.go parseRequest. */
function parseRequest(name: string, zone: string): { r: RecordRequest; err?: LookupError } {
  const r: RecordRequest = { podOrSvc: '', namespace: '', service: '', endpoint: '', port: '', protocol: '' };
  const base = trimZone(name, zone);
  if (base === '' || base === svcLabel || base === podLabel) return { r };
  const segs = base.split('.');
  let last = segs.length - 1;
  r.podOrSvc = segs[last];
  if (r.podOrSvc !== podLabel && r.podOrSvc !== svcLabel) return { r, err: 'invalid' };
  if (--last < 0) return { r };
  r.namespace = segs[last];
  if (--last < 0) return { r };
  r.service = segs[last];
  if (--last < 0) return { r };
  if (last === 0) r.endpoint = segs[0];
  else if (last === 1) {
    r.protocol = stripUnderscore(segs[1]);
    r.port = stripUnderscore(segs[0]);
  } else return { r, err: 'invalid' };
  return { r };
}

function stripUnderscore(s: string): string {
  return s.startsWith('_') ? s.slice(1) : s;
}

function matchPortAndProtocol(aPort: string, bPort: string, aProto: string, bProto: string): boolean {
  return (aPort === '' || aPort === bPort.toLowerCase()) && (aProto === '' || aProto === bProto.toLowerCase());
}

function ownerOf(r: RecordRequest): string {
  if (r.podOrSvc === podLabel) return `pod:${r.namespace}`;
  if (r.podOrSvc === svcLabel && r.service) return `svc:${r.namespace}/${r.service}`;
  if (r.podOrSvc === svcLabel && r.namespace) return `ns:${r.namespace}`;
  return 'static';
}

/** kubernetes.go Records. */
function records(c: Ctx, name: string): { services: MsgService[]; err?: LookupError } {
  const { r, err } = parseRequest(name, c.zone);
  if (err) return { services: [], err };
  if (r.podOrSvc === '') return { services: [] };
  if (isReverseZone(c.zone)) return { services: [], err: 'no-items' };
  if (!c.view.namespaceExists(r.namespace)) return { services: [], err: 'ns-not-exposed' };
  if (r.podOrSvc === podLabel) return findPods(c, r);
  return findServices(c, r);
}

function findPods(c: Ctx, r: RecordRequest): { services: MsgService[]; err?: LookupError } {
  if (c.opts.podMode === 'disabled') return { services: [], err: 'no-items' };
  const podname = r.service;
  if (podname === '') return { services: [] };
  const ip = (podname.split('-').length - 1 === 3 && !podname.includes('--')) ? podname.replaceAll('-', '.') : podname.replaceAll('-', ':');
  const target = `${podname}.${r.namespace}.${podLabel}.${c.zone}`;
  if (c.opts.podMode === 'insecure') {
    if (!net.isIP(ip)) return { services: [], err: 'no-items' };
    return { services: [{ host: ip, port: 0, target }] };
  }
  const out: MsgService[] = [];
  for (const p of c.view.podsByIP(canonicalIP(ip))) if (p.namespace === r.namespace) out.push({ host: ip, port: 0, target });
  return out.length ? { services: out } : { services: [], err: 'no-items' };
}

function findServices(c: Ctx, r: RecordRequest): { services: MsgService[]; err?: LookupError } {
  if (r.service === '') return { services: [] };
  const svc = c.view.service(r.namespace, r.service);
  if (!svc) return { services: [], err: 'no-items' };
  const base = `${svc.name}.${svc.namespace}.${svcLabel}.${c.zone}`;
  const services: MsgService[] = [];
  let err: LookupError | undefined = 'no-items';
  if (svc.kind === 'ExternalName') {
    if (r.endpoint !== '') return { services, err };
    if (svc.externalName && !net.isIP(svc.externalName)) return { services: [{ host: svc.externalName.toLowerCase().replace(/\.$/, ''), port: 0, target: base }] };
    return { services, err };
  }
  if (svc.kind === 'Headless' || r.endpoint !== '') {
    for (const ep of c.view.endpoints(svc.namespace, svc.name)) {
      for (const addr of ep.addresses) {
        const host = endpointHostname(addr);
        if (r.endpoint !== '' && r.endpoint !== host.toLowerCase()) continue;
        for (const p of ep.ports) {
          if (!matchPortAndProtocol(r.port, p.name, r.protocol, p.protocol)) continue;
          services.push({ host: addr.ip, port: p.port, target: `${host.toLowerCase()}.${base}` });
          err = undefined;
        }
      }
    }
    return { services, err };
  }
  for (const p of svc.ports) {
    if (!matchPortAndProtocol(r.port, p.name, r.protocol, p.protocol)) continue;
    err = undefined;
    for (const ip of svc.clusterIPs) services.push({ host: ip, port: p.port, target: base });
  }
  return { services, err };
}

function rr(name: string, type: number, ttl: number, data: RR['data']): RR {
  return { name, type, class: ClassIN, ttl, data };
}

function hostType(host: string): number {
  const v = net.isIP(host);
  return v === 4 ? Type.A : v === 6 ? Type.AAAA : Type.CNAME;
}

/** The default nameserver name, answered with the kube-dns Service's addresses. */
function nsAddrs(c: Ctx, qtype: number, name: string): RR[] {
  const svc = c.view.service('kube-system', 'kube-dns');
  const ips = svc?.clusterIPs.length ? svc.clusterIPs : ['127.0.0.1'];
  const want = qtype === Type.AAAA ? Type.AAAA : Type.A;
  return ips.filter((ip) => hostType(ip) === want).map((ip) => rr(name, want, c.opts.ttl, { type: want as 1 | 28, address: ip }));
}

/** kubernetes.go Services (the backend entry point) for address-like lookups. */
function services(c: Ctx, name: string): { services: MsgService[]; err?: LookupError } {
  return records(c, name);
}

interface AResult {
  records: RR[];
  chase: { target: string; qtype: number }[];
  err?: LookupError;
}

/** backend_lookup.go A / AAAA (with checkForApex and the CNAME chase inside the zone). */
function addressRecords(c: Ctx, qname: string, qtype: number, depth: number): AResult {
  const out: AResult = { records: [], chase: [] };
  if (qname === `ns.dns.${c.zone}`) {
    out.records = nsAddrs(c, qtype, qname);
    return out;
  }
  const { services: list, err } = services(c, qname);
  if (err) return { ...out, err };
  const dup = new Set<string>();
  for (const s of list) {
    const t = hostType(s.host);
    if (t === Type.CNAME) {
      const target = s.host + '.';
      if (target === qname) continue;
      if (depth > 7) continue;
      const cname = rr(qname, Type.CNAME, c.opts.ttl, { type: Type.CNAME, target });
      if (isSubDomain(c.zone, target)) {
        const next = addressRecords(c, target, qtype, depth + 1);
        if (!next.err && next.records.length) out.records.push(cname, ...next.records);
        out.chase.push(...next.chase);
        continue;
      }
      out.records.push(cname);
      out.chase.push({ target, qtype });
      continue;
    }
    if (t !== qtype) continue;
    if (dup.has(s.host)) continue;
    dup.add(s.host);
    out.records.push(rr(qname, t, c.opts.ttl, { type: t as 1 | 28, address: s.host }));
  }
  return out;
}

/** backend_lookup.go SRV: weight 100/N (floored, at least 1), additional address records. */
function srvRecords(c: Ctx, qname: string): { records: RR[]; extra: RR[]; err?: LookupError } {
  const { services: all, err } = services(c, qname);
  if (err) return { records: [], extra: [], err };
  // SRV for ExternalName services is not implemented upstream: they are dropped.
  const list = all.filter((s) => hostType(s.host) !== Type.CNAME);
  const records: RR[] = [];
  const extra: RR[] = [];
  const total = 100 * list.length;
  const dup = new Set<string>();
  for (const s of list) {
    if (s.port === -1) continue;
    let weight = Math.floor((100 / total) * 100);
    if (weight === 0) weight = 1;
    const t = hostType(s.host);
    const srvKey = `${s.target}|${s.port}`;
    if (!dup.has(srvKey)) {
      dup.add(srvKey);
      records.push(rr(qname, Type.SRV, c.opts.ttl, { type: Type.SRV, priority: 0, weight, port: s.port, target: s.target }));
    }
    const addrKey = `${s.target}|${s.host}`;
    if (!dup.has(addrKey)) {
      dup.add(addrKey);
      extra.push(rr(s.target, t, c.opts.ttl, { type: t as 1 | 28, address: s.host }));
    }
  }
  return { records, extra };
}

/** dnsutil.ExtractAddressFromReverse: '' when the name is not a full reverse address. */
export function addressFromReverse(name: string): string {
  if (name.endsWith('.in-addr.arpa.')) {
    const p = name.slice(0, -'.in-addr.arpa.'.length).split('.');
    if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return '';
    return p.reverse().join('.');
  }
  if (name.endsWith('.ip6.arpa.')) {
    const p = name.slice(0, -'.ip6.arpa.'.length).split('.');
    if (p.length !== 32 || p.some((x) => !/^[0-9a-f]$/.test(x))) return '';
    const hex = p.reverse().join('');
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
    return canonicalIP(groups.join(':'));
  }
  return '';
}

/** An IP in the canonical form records are indexed by (IPv6 expanded then compressed). */
export function canonicalIP(ip: string): string {
  if (net.isIPv4(ip)) return ip;
  if (!net.isIPv6(ip)) return ip;
  return compressIPv6(expandIPv6(ip.toLowerCase()).map((h) => h.replace(/^0+(?=.)/, '')));
}

/** reverse.go serviceRecordForIP: a ClusterIP first, else every endpoint with the IP. */
function ptrRecords(c: Ctx, qname: string): { records: RR[]; err?: LookupError } {
  const ip = addressFromReverse(qname);
  if (ip === '') {
    const { err } = records(c, qname);
    return { records: [], err };
  }
  const zone = c.primaryZone;
  const targets: string[] = [];
  const svcs = c.view.servicesByIP(ip);
  if (svcs.length) targets.push(`${svcs[0].name}.${svcs[0].namespace}.svc.${zone}`);
  else {
    for (const ep of c.view.endpointsByIP(ip)) {
      for (const a of ep.addresses) if (a.ip === ip) targets.push(`${endpointHostname(a).toLowerCase()}.${ep.service}.${ep.namespace}.svc.${zone}`);
    }
  }
  if (!targets.length) return { records: [], err: 'no-items' };
  const seen = new Set<string>();
  const out: RR[] = [];
  for (const t of targets) {
    if (seen.has(t)) continue;
    seen.add(t);
    out.push(rr(qname, Type.PTR, c.opts.ttl, { type: Type.PTR, target: t }));
  }
  return { records: out };
}

/** The SOA CoreDNS puts in the authority section of negative answers (plugin.SOA). */
export function soaRecord(zone: string, ttl: number, serial: number): RR {
  return rr(zone, Type.SOA, Math.min(ttl, 300), {
    type: Type.SOA,
    mname: `ns.dns.${zone === '.' ? '' : zone}`,
    rname: `hostmaster.${zone === '.' ? '' : zone}`,
    serial: serial >>> 0,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: ttl,
  });
}

/** handler.go ServeDNS without the writing: what to answer for (qname, qtype) in zone. */
export function resolve(view: ClusterView, opts: KubernetesOptions, zone: string, qname: string, qtype: number): Resolution {
  const c = new Ctx(view, opts, zone);
  const parsed = parseRequest(qname, zone);
  const owner = isReverseZone(zone) ? `ip:${addressFromReverse(qname)}` : ownerOf(parsed.r);
  const res: Resolution = { result: 'nodata', answer: [], additional: [], chase: [], owner };
  const fromErr = (err: LookupError | undefined, answer: RR[], additional: RR[] = []): Resolution => {
    if (err) res.result = 'name-error';
    else {
      res.answer = answer;
      res.additional = additional;
      res.result = answer.length ? 'answer' : 'nodata';
    }
    return res;
  };
  switch (qtype) {
    case Type.A:
    case Type.AAAA: {
      const a = addressRecords(c, qname, qtype, 0);
      res.chase = a.chase;
      const r = fromErr(a.err, a.records);
      if (a.chase.length && r.result === 'nodata') r.result = 'answer';
      return r;
    }
    case Type.TXT: {
      const base = trimZone(qname, zone);
      if (base === 'dns-version') return fromErr(undefined, [rr(qname, Type.TXT, 28800, { type: Type.TXT, text: [dnsSchemaVersion] })]);
      const { services: s } = records(c, qname);
      return fromErr(s.length ? undefined : 'no-items', []);
    }
    case Type.CNAME: {
      const { services: s, err } = services(c, qname);
      if (err) return fromErr(err, []);
      const first = s[0];
      if (first && hostType(first.host) === Type.CNAME) return fromErr(undefined, [rr(qname, Type.CNAME, opts.ttl, { type: Type.CNAME, target: first.host + '.' })]);
      return fromErr(undefined, []);
    }
    case Type.PTR: {
      const p = ptrRecords(c, qname);
      return fromErr(p.err, p.records);
    }
    case Type.SRV: {
      const s = srvRecords(c, qname);
      return fromErr(s.err, s.records, s.extra);
    }
    case Type.SOA:
      if (qname === zone) return fromErr(undefined, [soaRecord(zone, opts.ttl, view.serial())]);
      return fromErr(undefined, []);
    case Type.AXFR:
    case Type.IXFR:
      res.result = 'refused';
      return res;
    case Type.NS:
      if (qname === zone) {
        const ns = `ns.dns.${zone}`;
        return fromErr(undefined, [rr(qname, Type.NS, opts.ttl, { type: Type.NS, target: ns })], nsAddrs(c, Type.A, ns));
      }
      return fromErr(addressRecords(c, qname, Type.A, 0).err, []);
    default:
      // A fake A lookup tells NODATA from NXDOMAIN.
      return fromErr(addressRecords(c, qname, Type.A, 0).err, []);
  }
}
