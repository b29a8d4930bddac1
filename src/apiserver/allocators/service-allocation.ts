// The Service registry's allocation step, as pkg/registry/core/service/storage/alloc.go
// (plus normalizeClusterIPs/patchAllocatedValues and the IP/port repair controllers).
// Pure over the two allocators: no store. The registry calls beginCreate/beginUpdate
// after validation, writes the (mutated) Service, then commit()s on success or
// revert()s on failure; releaseAll on delete; repair once at start-up.
//
// kanzen is a single-stack IPv4 cluster: only IPv4 families are configured.
import { ApiError, field, type FieldError } from '../../api/errors.js';
import type { Service, ServicePort } from '../../api/types.js';
import { AllocationError } from './bitmap-allocator.js';
import type { ClusterIPAllocator } from './clusterip-allocator.js';
import type { NodePortAllocator } from './nodeport-allocator.js';

export interface Transaction {
  commit(): void;
  revert(): void;
}

export interface AllocateOptions {
  /** ?dryRun=All: report the same errors, reserve nothing. */
  dryRun?: boolean;
}

const clusterFamily = 'IPv4';

const isHeadless = (svc: Service): boolean => (svc.spec.clusterIPs?.[0] ?? svc.spec.clusterIP) === 'None';
const needsClusterIP = (svc: Service): boolean => svc.spec.type !== 'ExternalName';
const needsNodePort = (svc: Service): boolean => svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer';
/** apiservice.NeedsHealthCheck: LoadBalancer with externalTrafficPolicy Local. */
export const needsHealthCheck = (svc: Service): boolean =>
  svc.spec.type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local';

/** shouldAllocateNodePorts: LoadBalancer honours allocateLoadBalancerNodePorts (default true). */
function shouldAllocateNodePorts(svc: Service): boolean {
  if (svc.spec.type === 'NodePort') return true;
  if (svc.spec.type === 'LoadBalancer') return svc.spec.allocateLoadBalancerNodePorts !== false;
  return false;
}

function collectNodePorts(svc: Service): number[] {
  return (svc.spec.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n !== 0);
}

const sameList = (a?: string[], b?: string[]): boolean =>
  (a ?? []).length === (b ?? []).length && (a ?? []).every((x, i) => x === (b ?? [])[i]);

const invalid = (svc: Service, errs: FieldError[]): ApiError => ApiError.invalid('', 'Service', svc.metadata.name ?? '', errs);

/**
 * NormalizeClusterIPs: keep spec.clusterIP and spec.clusterIPs in step for old clients
 * that only know the singular field. Idempotent; the Service strategy may also call it.
 */
export function normalizeClusterIPs(svc: Service, oldSvc?: Service): void {
  const spec = svc.spec;
  if (!oldSvc) {
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  const old = oldSvc.spec;
  if (old.clusterIPs?.length && !spec.clusterIPs?.length && old.clusterIP === spec.clusterIP) {
    spec.clusterIPs = old.clusterIPs;
  }
  if (old.clusterIP !== spec.clusterIP) {
    if (old.clusterIP && !spec.clusterIP) {
      if (sameList(old.clusterIPs, spec.clusterIPs)) delete spec.clusterIPs;
    } else if (sameList(old.clusterIPs, spec.clusterIPs) && spec.clusterIP) {
      spec.clusterIPs = [spec.clusterIP];
    }
  }
}

/**
 * patchAllocatedValues: a PUT that omits allocated values (clusterIP, nodePorts,
 * healthCheckNodePort) keeps the old ones instead of allocating new ones. nodePorts are
 * matched by port name and never copied onto a port when another port already uses them.
 */
export function patchAllocatedValues(svc: Service, oldSvc: Service): void {
  const spec = svc.spec;
  const old = oldSvc.spec;
  if (needsClusterIP(oldSvc) && needsClusterIP(svc)) {
    if (!spec.clusterIP && old.clusterIP) spec.clusterIP = old.clusterIP;
    if (!spec.clusterIPs?.length && old.clusterIPs?.length) spec.clusterIPs = [...old.clusterIPs];
  }
  if (needsNodePort(oldSvc) && needsNodePort(svc)) {
    const newUsed = new Set(collectNodePorts(svc));
    const used = new Set(collectNodePorts(oldSvc).filter((n) => newUsed.has(n)));
    const byName = new Map<string, number>();
    for (const p of old.ports ?? []) byName.set(p.name ?? '', p.nodePort ?? 0);
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const oldVal = byName.get(p.name ?? '') ?? 0;
      if (oldVal !== 0 && !used.has(oldVal)) p.nodePort = oldVal;
    }
  }
  if (needsHealthCheck(oldSvc) && needsHealthCheck(svc) && !spec.healthCheckNodePort && old.healthCheckNodePort) {
    spec.healthCheckNodePort = old.healthCheckNodePort;
  }
}

const familyOf = (ip: string): string => (ip.includes(':') ? 'IPv6' : 'IPv4');

/**
 * initIPFamilyFields for a single-stack IPv4 cluster: default ipFamilyPolicy (inherit
 * on update; headless+selectorless → RequireDualStack; else SingleStack) and
 * ipFamilies, rejecting families this cluster does not have.
 */
function initIPFamilyFields(svc: Service, oldSvc?: Service): void {
  if (svc.spec.type === 'ExternalName') return;
  const spec = svc.spec;
  const headlessSelectorless = spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
  if (!spec.ipFamilyPolicy) {
    if (oldSvc?.spec.ipFamilyPolicy) spec.ipFamilyPolicy = oldSvc.spec.ipFamilyPolicy;
    else spec.ipFamilyPolicy = headlessSelectorless ? 'RequireDualStack' : 'SingleStack';
  }
  const errs: FieldError[] = [];
  if (spec.ipFamilyPolicy === 'SingleStack') {
    if ((spec.clusterIPs ?? []).length === 2) {
      errs.push(field.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    }
    if ((spec.ipFamilies ?? []).length === 2) {
      errs.push(field.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
    }
  }
  const families = [...(spec.ipFamilies ?? [])];
  for (const [i, ip] of (spec.clusterIPs ?? []).entries()) {
    if (ip === 'None') break;
    if (i < families.length) continue;
    const fam = familyOf(ip);
    if (fam !== clusterFamily) errs.push(field.invalid(`spec.clusterIPs[${i}]`, spec.clusterIPs, `${fam} is not configured on this cluster`));
    else families.push(fam);
  }
  if (errs.length) throw invalid(svc, errs);
  spec.ipFamilies = families;

  // Headless + selectorless may name families the cluster lacks: nothing is allocated.
  if (headlessSelectorless) {
    if (families.length === 0) families.push(clusterFamily);
    if (families.length < 2 && spec.ipFamilyPolicy !== 'SingleStack') families.push(families[0] === 'IPv4' ? 'IPv6' : 'IPv4');
    return;
  }
  if (spec.ipFamilyPolicy === 'RequireDualStack') {
    errs.push(field.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, 'this cluster is not configured for dual-stack services'));
  }
  families.forEach((fam, i) => {
    if (fam !== clusterFamily) errs.push(field.invalid(`spec.ipFamilies[${i}]`, fam, 'not configured on this cluster'));
  });
  if (errs.length) throw invalid(svc, errs);
  if (families.length === 0) families.push(clusterFamily);
}

/** A commit/revert pair that runs at most once, whichever comes first. */
function once(commit: () => void, revert: () => void): Transaction {
  let done = false;
  return {
    commit: () => {
      if (!done) {
        done = true;
        commit();
      }
    },
    revert: () => {
      if (!done) {
        done = true;
        revert();
      }
    },
  };
}

function all(txns: Transaction[]): Transaction {
  return once(
    () => txns.forEach((t) => t.commit()),
    () => [...txns].reverse().forEach((t) => t.revert()),
  );
}

/**
 * portallocator.PortAllocationOperation: allocations happen now (so a second Service
 * cannot take them), releases are deferred to commit; revert frees what was taken.
 * A dry run only checks for conflicts, as upstream (which does not range-check and
 * hands out 32769, 32770, … for allocateNext).
 */
class NodePortOperation {
  private readonly allocated: number[] = [];
  private readonly deferred: number[] = [];

  constructor(
    private readonly ports: NodePortAllocator,
    private readonly dryRun: boolean,
  ) {}

  allocate(port: number): void {
    if (this.dryRun) {
      if (this.ports.has(port) || this.allocated.includes(port)) throw new AllocationError('Allocated', 'provided port is already allocated');
      this.allocated.push(port);
      return;
    }
    this.ports.allocate(port);
    this.allocated.push(port);
  }

  allocateNext(): number {
    if (this.dryRun) {
      let port = this.allocated.length ? Math.max(...this.allocated) : 32768;
      do port++;
      while (this.ports.has(port) || this.allocated.includes(port));
      this.allocated.push(port);
      return port;
    }
    const port = this.ports.allocateNext();
    this.allocated.push(port);
    return port;
  }

  releaseDeferred(port: number): void {
    this.deferred.push(port);
  }

  transaction(): Transaction {
    return once(
      () => {
        if (!this.dryRun) this.deferred.forEach((p) => this.ports.release(p));
      },
      () => {
        if (!this.dryRun) this.allocated.forEach((p) => this.ports.release(p));
      },
    );
  }
}

export interface RepairEvent {
  namespace: string;
  name: string;
  type: 'Warning';
  reason: string;
  message: string;
}

export interface RepairReport {
  events: RepairEvent[];
  /** Values the allocators held that no Service uses: released by the repair. */
  leakedIPs: string[];
  leakedPorts: number[];
}

export class ServiceAllocator {
  constructor(
    readonly clusterIPs: ClusterIPAllocator,
    readonly nodePorts: NodePortAllocator,
  ) {}

  /** allocateCreate: fills spec.clusterIP(s), ipFamilies/ipFamilyPolicy, nodePorts, healthCheckNodePort. */
  beginCreate(svc: Service, opts: AllocateOptions = {}): Transaction {
    const dryRun = opts.dryRun === true;
    normalizeClusterIPs(svc);
    initIPFamilyFields(svc);
    const allocatedIPs = this.allocClusterIPs(svc, dryRun);
    const ipTxn = once(
      () => {},
      () => this.releaseIPs(allocatedIPs, dryRun),
    );
    try {
      const op = new NodePortOperation(this.nodePorts, dryRun);
      const portTxn = op.transaction();
      try {
        if (needsNodePort(svc)) this.initNodePorts(svc, op);
        if (needsHealthCheck(svc)) this.allocHealthCheckNodePort(svc, op);
      } catch (e) {
        portTxn.revert();
        throw e;
      }
      return all([ipTxn, portTxn]);
    } catch (e) {
      ipTxn.revert();
      throw e;
    }
  }

  /**
   * allocateUpdate: allocates what the new Service needs and the old one lacked now;
   * releases what it no longer needs (nodePorts on LoadBalancer → ClusterIP, the IP on
   * → ExternalName, the health-check port) only on commit.
   */
  beginUpdate(svc: Service, oldSvc: Service, opts: AllocateOptions = {}): Transaction {
    const dryRun = opts.dryRun === true;
    normalizeClusterIPs(svc, oldSvc);
    patchAllocatedValues(svc, oldSvc);
    initIPFamilyFields(svc, oldSvc);

    let allocatedIPs: string[] = [];
    let releaseIPs: string[] = [];
    if (oldSvc.spec.type === 'ExternalName' && svc.spec.type !== 'ExternalName') {
      allocatedIPs = this.allocClusterIPs(svc, dryRun);
    } else if (!isHeadless(oldSvc) && oldSvc.spec.type !== 'ExternalName' && svc.spec.type === 'ExternalName') {
      releaseIPs = [...(oldSvc.spec.clusterIPs ?? (oldSvc.spec.clusterIP ? [oldSvc.spec.clusterIP] : []))];
    }
    const ipTxn = once(
      () => this.releaseIPs(releaseIPs, dryRun),
      () => this.releaseIPs(allocatedIPs, dryRun),
    );

    try {
      const op = new NodePortOperation(this.nodePorts, dryRun);
      const portTxn = op.transaction();
      try {
        if (needsNodePort(oldSvc) && (svc.spec.type === 'ExternalName' || svc.spec.type === 'ClusterIP' || !svc.spec.type)) {
          collectNodePorts(oldSvc).forEach((p) => op.releaseDeferred(p));
        }
        if (needsNodePort(svc)) this.updateNodePorts(svc, oldSvc, op);
        this.updateHealthCheckNodePort(svc, oldSvc, op);
      } catch (e) {
        portTxn.revert();
        throw e;
      }
      return all([ipTxn, portTxn]);
    } catch (e) {
      ipTxn.revert();
      throw e;
    }
  }

  /** releaseAllocatedResources: on delete, free the ClusterIPs, nodePorts and health-check port. */
  releaseAll(svc: Service): void {
    if (svc.spec.type !== 'ExternalName' && !isHeadless(svc)) {
      const ips = svc.spec.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec.clusterIP ? [svc.spec.clusterIP] : [];
      this.releaseIPs(ips, false);
    }
    collectNodePorts(svc).forEach((p) => this.nodePorts.release(p));
    if (needsHealthCheck(svc) && svc.spec.healthCheckNodePort) this.nodePorts.release(svc.spec.healthCheckNodePort);
  }

  /**
   * Rebuilds both allocators from the stored Services (the ipallocator and
   * portallocator repair controllers). Problems become Warning events on the Service
   * instead of failures; values held but unused are released at once (upstream waits
   * three repair cycles because allocation and the store write race there; at
   * start-up nothing is in flight).
   */
  repair(services: Service[]): RepairReport {
    const heldIPs = new Set(this.clusterIPs.allocated());
    const heldPorts = new Set(this.nodePorts.allocated());
    const hadState = heldIPs.size > 0 || heldPorts.size > 0;
    this.clusterIPs.clear();
    this.nodePorts.clear();
    const events: RepairEvent[] = [];
    const warn = (svc: Service, reason: string, message: string): void => {
      events.push({ namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '', type: 'Warning', reason, message });
    };

    for (const svc of services) {
      const clusterIP = svc.spec.clusterIP;
      if (clusterIP && clusterIP !== 'None') {
        for (const ip of svc.spec.clusterIPs?.length ? svc.spec.clusterIPs : [clusterIP]) this.repairIP(svc, ip, heldIPs, hadState, warn);
      }
      const ports = new Set(collectNodePorts(svc));
      if (svc.spec.healthCheckNodePort) ports.add(svc.spec.healthCheckNodePort);
      for (const port of ports) this.repairPort(svc, port, heldPorts, hadState, warn);
    }

    const leakedIPs = [...heldIPs].filter((ip) => !this.clusterIPs.has(ip));
    const leakedPorts = [...heldPorts].filter((p) => !this.nodePorts.has(p));
    return { events, leakedIPs, leakedPorts };
  }

  // ---- internals ----

  /** allocClusterIPs: headless and ExternalName get none; "" entries are allocated. */
  private allocClusterIPs(svc: Service, dryRun: boolean): string[] {
    const spec = svc.spec;
    if (spec.type === 'ExternalName' || isHeadless(svc)) return [];
    const ips = [...(spec.clusterIPs ?? [])];
    const families = spec.ipFamilies?.length ? spec.ipFamilies : [clusterFamily];
    while (ips.length < families.length) ips.push('');
    const allocated: string[] = [];
    try {
      for (const [i, requested] of ips.entries()) {
        if (i >= families.length) break;
        ips[i] = this.allocIP(svc, requested, dryRun);
        allocated.push(ips[i]);
      }
    } catch (e) {
      this.releaseIPs(allocated, dryRun);
      throw e;
    }
    spec.clusterIPs = ips;
    spec.clusterIP = ips[0];
    return allocated;
  }

  private allocIP(svc: Service, requested: string, dryRun: boolean): string {
    if (requested === '') {
      // Upstream's dry-run allocator does not look for a free IP; it returns the network address.
      if (dryRun) return this.clusterIPs.cidr.split('/')[0];
      try {
        return this.clusterIPs.allocateNext();
      } catch (e) {
        throw ApiError.internal(new Error(`failed to allocate a serviceIP: ${(e as Error).message}`));
      }
    }
    try {
      if (dryRun) {
        const problem = this.clusterIPs.check(requested);
        if (problem) throw new AllocationError(problem.kind, `failed to allocate IP ${requested}: ${problem.text}`);
      } else {
        this.clusterIPs.allocate(requested);
      }
    } catch (e) {
      if (!(e instanceof AllocationError)) throw e;
      throw invalid(svc, [field.invalid('spec.clusterIPs', svc.spec.clusterIPs, e.detail)]);
    }
    return requested;
  }

  private releaseIPs(ips: string[], dryRun: boolean): void {
    if (dryRun) return;
    for (const ip of ips) this.clusterIPs.release(ip);
  }

  /**
   * initNodePorts: ports sharing a port number (TCP and UDP 53) share one nodePort; a
   * requested nodePort anywhere among them is reserved once and reused.
   */
  private initNodePorts(svc: Service, op: NodePortOperation): void {
    const ports = svc.spec.ports ?? [];
    const byPort = new Map<number, number>();
    ports.forEach((sp, i) => {
      if (!sp.nodePort && !shouldAllocateNodePorts(svc)) return;
      const already = byPort.get(sp.port) ?? 0;
      if (already === 0) {
        const requested = ports.find((p) => p.port === sp.port && p.nodePort)?.nodePort ?? 0;
        if (requested !== 0) {
          allocPort(svc, op, requested, i);
          sp.nodePort = requested;
          byPort.set(sp.port, requested);
        } else {
          sp.nodePort = nextPort(op);
          byPort.set(sp.port, sp.nodePort);
        }
      } else if (sp.nodePort !== already) {
        if (!sp.nodePort) sp.nodePort = already;
        else allocPort(svc, op, sp.nodePort, i);
      }
    });
  }

  /** updateNodePorts: keep the old Service's nodePorts, allocate new ones, release the dropped. */
  private updateNodePorts(svc: Service, oldSvc: Service, op: NodePortOperation): void {
    const oldNumbers = collectNodePorts(oldSvc);
    const seen: { protocol: string; nodePort: number }[] = [];
    const taken = new Set<number>();
    (svc.spec.ports ?? []).forEach((sp: ServicePort, i) => {
      if (!sp.nodePort && !shouldAllocateNodePorts(svc)) return;
      const protocol = sp.protocol ?? 'TCP';
      if (sp.nodePort) {
        if (!oldNumbers.includes(sp.nodePort) && !taken.has(sp.nodePort)) {
          allocPort(svc, op, sp.nodePort, i);
          taken.add(sp.nodePort);
        }
      } else {
        sp.nodePort = nextPort(op);
      }
      if (seen.some((s) => s.protocol === protocol && s.nodePort === sp.nodePort)) {
        // A plain error upstream, so the client sees a 500 with Go's %v of the struct.
        throw ApiError.internal(new Error(`duplicate nodePort: {${protocol} ${sp.nodePort}}`));
      }
      seen.push({ protocol, nodePort: sp.nodePort as number });
    });
    const newNumbers = collectNodePorts(svc);
    for (const p of oldNumbers) if (!newNumbers.includes(p)) op.releaseDeferred(p);
  }

  /** allocHealthCheckNodePort: errors are Internal errors upstream, not field errors. */
  private allocHealthCheckNodePort(svc: Service, op: NodePortOperation): void {
    const requested = svc.spec.healthCheckNodePort ?? 0;
    if (requested !== 0) {
      try {
        op.allocate(requested);
      } catch (e) {
        if (!(e instanceof AllocationError)) throw e;
        throw ApiError.internal(new Error(`failed to allocate requested HealthCheck NodePort ${requested}: ${e.detail}`));
      }
      return;
    }
    try {
      svc.spec.healthCheckNodePort = op.allocateNext();
    } catch (e) {
      if (!(e instanceof AllocationError)) throw e;
      throw ApiError.internal(new Error(`failed to allocate a HealthCheck NodePort 0: ${e.detail}`));
    }
  }

  private updateHealthCheckNodePort(svc: Service, oldSvc: Service, op: NodePortOperation): void {
    const needed = needsHealthCheck(oldSvc);
    const needs = needsHealthCheck(svc);
    if (!needed && needs) this.allocHealthCheckNodePort(svc, op);
    else if (needed && !needs && oldSvc.spec.healthCheckNodePort) op.releaseDeferred(oldSvc.spec.healthCheckNodePort);
  }

  private repairIP(svc: Service, ip: string, held: Set<string>, hadState: boolean, warn: (s: Service, r: string, m: string) => void): void {
    if (ip === '' || ip === 'None') return;
    const family = familyOf(ip);
    try {
      this.clusterIPs.allocate(ip);
      if (hadState && !held.has(ip)) warn(svc, 'ClusterIPNotAllocated', `Cluster IP [${family}]:${ip} is not allocated; repairing`);
    } catch (e) {
      if (!(e instanceof AllocationError)) throw e;
      switch (e.kind) {
        case 'Invalid':
          warn(svc, 'ClusterIPNotValid', `Cluster IP ${ip} is not a valid IP; please recreate service`);
          break;
        case 'Allocated':
          warn(svc, 'ClusterIPAlreadyAllocated', `Cluster IP [${family}]:${ip} was assigned to multiple services; please recreate service`);
          break;
        case 'OutOfRange':
          warn(svc, 'ClusterIPOutOfRange', `Cluster IP [${family}]:${ip} is not within the configured Service CIDR ${this.clusterIPs.cidr}; please recreate service`);
          break;
        case 'Full':
          warn(svc, 'ServiceCIDRFull', `Service CIDR ${this.clusterIPs.cidr} is full; you must widen the CIDR in order to create new services for Cluster IP [${family}]:${ip}`);
          break;
      }
    }
  }

  private repairPort(svc: Service, port: number, held: Set<number>, hadState: boolean, warn: (s: Service, r: string, m: string) => void): void {
    try {
      this.nodePorts.allocate(port);
      if (hadState && !held.has(port)) warn(svc, 'PortNotAllocated', `Port ${port} is not allocated; repairing`);
    } catch (e) {
      if (!(e instanceof AllocationError)) throw e;
      if (e.kind === 'Allocated') warn(svc, 'PortAlreadyAllocated', `Port ${port} was assigned to multiple services; please recreate service`);
      else if (e.kind === 'OutOfRange') warn(svc, 'PortOutOfRange', `Port ${port} is not within the port range ${this.nodePorts.portRange}; please recreate service`);
      else warn(svc, 'PortRangeFull', `Port range ${this.nodePorts.portRange} is full; you must widen the port range in order to create new services`);
    }
  }
}

/** Reserve a requested nodePort, turning a refusal into the 422 kubectl prints. */
function allocPort(svc: Service, op: NodePortOperation, port: number, index: number): void {
  try {
    op.allocate(port);
  } catch (e) {
    if (!(e instanceof AllocationError)) throw e;
    throw invalid(svc, [field.invalid(`spec.ports[${index}].nodePort`, port, e.detail)]);
  }
}

function nextPort(op: NodePortOperation): number {
  try {
    return op.allocateNext();
  } catch (e) {
    if (!(e instanceof AllocationError)) throw e;
    throw ApiError.internal(new Error(`failed to allocate a nodePort: ${e.detail}`));
  }
}
