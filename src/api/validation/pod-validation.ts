// Pod validation: pkg/apis/core/validation ValidatePodSpec, validateContainers,
// validateContainerCommon, probes, ports, env, volumes, resources, tolerations,
// ValidatePodUpdate and ValidatePodStatusUpdate, with upstream's messages and paths.
// Feature-gated corners (user namespaces, resize, resource claims, OS, sysctls) are
// left out.
import { supportedHostPathTypes } from './storage-validation.js';
import { field, type FieldError } from '../errors.js';
import type { Container, ContainerStatus, EphemeralContainer, LifecycleHandler, ObjectMeta, Pod, PodSpec, PodTemplateSpec, Probe, Toleration, Volume, VolumeSource } from '../types.js';
import { isValidQuantity, parseQuantity, quantityFormatError } from '../quantity.js';
import {
  inclusiveRangeError,
  isConfigMapKey,
  isHTTPHeaderName,
  isRelaxedEnvVarName,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  isNegativeErrorMsg,
  nameIsDNSSubdomain,
  validateDNS1123Label,
  validateNonnegativeField,
  validatePortNumOrName,
  validateQualifiedName,
} from './names.js';
import { jsonEqual, validateAnnotations, validateLabelName, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

const supportedPortProtocols = ['SCTP', 'TCP', 'UDP'];
const supportedPullPolicies = ['Always', 'IfNotPresent', 'Never'];
const supportedHTTPSchemes = ['HTTP', 'HTTPS'];
const maxInt32 = 2147483647;

// The volume sources kanzen knows by name; any other key that is an object also counts
// as a source so that exotic manifests still get the "more than 1" rule.
const volumeSourceKeys: readonly (keyof VolumeSource)[] = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'configMap',
  'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO',
  'csi', 'ephemeral', 'image',
];

function validateVolumes(volumes: Volume[] | undefined, path: string): { names: Set<string>; errs: FieldError[] } {
  const names = new Set<string>();
  const errs: FieldError[] = [];
  (volumes ?? []).forEach((vol, i) => {
    const idx = `${path}[${i}]`;
    const el: FieldError[] = validateVolumeSource(vol, idx);
    if (!vol.name) el.push(field.required(`${idx}.name`));
    else el.push(...validateDNS1123Label(vol.name, `${idx}.name`));
    if (names.has(vol.name)) el.push(field.duplicate(`${idx}.name`, vol.name));
    if (el.length === 0) names.add(vol.name);
    else errs.push(...el);
  });
  return { names, errs };
}

function validateVolumeSource(vol: Volume, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let num = 0;
  for (const key of volumeSourceKeys) {
    if (vol[key] === undefined || vol[key] === null) continue;
    if (num > 0) {
      errs.push(field.forbidden(`${path}.${key}`, 'may not specify more than 1 volume type'));
      continue;
    }
    num++;
    if (key === 'hostPath' && !vol.hostPath?.path) errs.push(field.required(`${path}.hostPath.path`));
    if (key === 'hostPath' && vol.hostPath?.type !== undefined && !supportedHostPathTypes.includes(vol.hostPath.type)) {
      errs.push(field.notSupported(`${path}.hostPath.type`, vol.hostPath.type, supportedHostPathTypes));
    }
    if (key === 'persistentVolumeClaim' && !vol.persistentVolumeClaim?.claimName) errs.push(field.required(`${path}.persistentVolumeClaim.claimName`));
    if (key === 'secret' && !vol.secret?.secretName) errs.push(field.required(`${path}.secret.secretName`));
    if (key === 'configMap' && !vol.configMap?.name) errs.push(field.required(`${path}.configMap.name`));
  }
  if (num === 0) errs.push(field.required(path, 'must specify a volume type'));
  return errs;
}

function validateContainerPorts(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (c.ports ?? []).forEach((port, i) => {
    const idx = `${path}[${i}]`;
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) errs.push(...msgs.map((m) => field.invalid(`${idx}.name`, port.name, m)));
      else if (names.has(port.name)) errs.push(field.duplicate(`${idx}.name`, port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(field.required(`${idx}.containerPort`));
    else errs.push(...isValidPortNum(port.containerPort).map((m) => field.invalid(`${idx}.containerPort`, port.containerPort, m)));
    if (port.hostPort) errs.push(...isValidPortNum(port.hostPort).map((m) => field.invalid(`${idx}.hostPort`, port.hostPort, m)));
    if (!port.protocol) errs.push(field.required(`${idx}.protocol`));
    else if (!supportedPortProtocols.includes(port.protocol)) errs.push(field.notSupported(`${idx}.protocol`, port.protocol, supportedPortProtocols));
  });
  return errs;
}

function validateKeySelector(sel: { name?: string; key: string }, path: string): FieldError[] {
  const errs = nameIsDNSSubdomain(sel.name ?? '', false).map((m) => field.invalid(`${path}.name`, sel.name ?? '', m));
  if (!sel.key) errs.push(field.required(`${path}.key`));
  else errs.push(...isConfigMapKey(sel.key).map((m) => field.invalid(`${path}.key`, sel.key, m)));
  return errs;
}

function validateEnv(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (c.env ?? []).forEach((ev, i) => {
    const idx = `${path}[${i}]`;
    if (!ev.name) errs.push(field.required(`${idx}.name`));
    else errs.push(...isRelaxedEnvVarName(ev.name).map((m) => field.invalid(`${idx}.name`, ev.name, m)));
    const from = ev.valueFrom;
    if (!from) return;
    const fp = `${idx}.valueFrom`;
    let sources = 0;
    if (from.fieldRef) {
      sources++;
      if (!from.fieldRef.apiVersion) errs.push(field.required(`${fp}.fieldRef.apiVersion`));
      else if (!from.fieldRef.fieldPath) errs.push(field.required(`${fp}.fieldRef.fieldPath`));
    }
    if (from.resourceFieldRef) {
      sources++;
      if (!from.resourceFieldRef.resource) errs.push(field.required(`${fp}.resourceFieldRef.resource`));
    }
    if (from.configMapKeyRef) {
      sources++;
      errs.push(...validateKeySelector(from.configMapKeyRef, `${fp}.configMapKeyRef`));
    }
    if (from.secretKeyRef) {
      sources++;
      errs.push(...validateKeySelector(from.secretKeyRef, `${fp}.secretKeyRef`));
    }
    if (sources === 0) errs.push(field.invalid(fp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (ev.value) errs.push(field.invalid(fp, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) errs.push(field.invalid(fp, '', 'may not have more than one field specified at a time'));
  });
  (c.envFrom ?? []).forEach((ef, i) => {
    const idx = `${path.replace(/\.env$/, '.envFrom')}[${i}]`;
    if (ef.prefix) errs.push(...isRelaxedEnvVarName(ef.prefix).map((m) => field.invalid(`${idx}.prefix`, ef.prefix, m)));
    const sources = (ef.configMapRef ? 1 : 0) + (ef.secretRef ? 1 : 0);
    if (ef.configMapRef && !ef.configMapRef.name) errs.push(field.required(`${idx}.configMapRef.name`));
    if (ef.secretRef && !ef.secretRef.name) errs.push(field.required(`${idx}.secretRef.name`));
    const listPath = path.replace(/\.env$/, '.envFrom');
    if (sources === 0) errs.push(field.invalid(listPath, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(field.invalid(listPath, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(c: Container, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const idx = `${path}[${i}]`;
    if (!m.name) errs.push(field.required(`${idx}.name`));
    if (!volumes.has(m.name)) errs.push(field.notFound(`${idx}.name`, m.name ?? ''));
    if (!m.mountPath) errs.push(field.required(`${idx}.mountPath`));
    if (mountPoints.has(m.mountPath)) errs.push(field.invalid(`${idx}.mountPath`, m.mountPath, 'must be unique'));
    mountPoints.add(m.mountPath);
  });
  return errs;
}

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** ValidateContainerResourceName: a qualified name, and a standard container resource when unprefixed. */
export function validateContainerResourceName(name: string, path: string): FieldError[] {
  const errs = validateQualifiedName(name, path);
  if (!name.includes('/') && !standardContainerResources.has(name) && !name.startsWith('hugepages-')) {
    errs.push(field.invalid(path, name, 'must be a standard resource for containers'));
  }
  return errs;
}

function validateResourceRequirements(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const checkName = (name: string, p: string) => errs.push(...validateContainerResourceName(name, p));
  const checkQuantity = (q: string | number, p: string): number | undefined => {
    if (!isValidQuantity(q)) {
      errs.push(field.invalid(p, String(q), quantityFormatError));
      return undefined;
    }
    const v = parseQuantity(q);
    if (v < 0) errs.push(field.invalid(p, String(q), isNegativeErrorMsg));
    return v;
  };
  for (const [name, q] of Object.entries(limits)) {
    checkName(name, `${path}.limits[${name}]`);
    checkQuantity(q, `${path}.limits[${name}]`);
  }
  for (const [name, q] of Object.entries(requests)) {
    const p = `${path}.requests[${name}]`;
    checkName(name, p);
    const req = checkQuantity(q, p);
    const lim = limits[name];
    if (req === undefined || lim === undefined || !isValidQuantity(lim)) continue;
    if (req > parseQuantity(lim)) {
      // Upstream reports the requests map path and the canonical quantity text.
      errs.push(field.invalid(`${path}.requests`, String(q), `must be less than or equal to ${name} limit of ${String(lim)}`));
    }
  }
  return errs;
}

function validateHandler(h: Probe | LifecycleHandler, path: string, gracePeriod: number | undefined): FieldError[] {
  const errs: FieldError[] = [];
  let num = 0;
  const handlers: [string, unknown][] = [
    ['exec', h.exec],
    ['httpGet', h.httpGet],
    ['tcpSocket', h.tcpSocket],
    ['grpc', (h as Probe).grpc],
    ['sleep', (h as LifecycleHandler).sleep],
  ];
  for (const [name, value] of handlers) {
    if (value === undefined || value === null) continue;
    const p = `${path}.${name}`;
    if (num > 0) {
      errs.push(field.forbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    num++;
    if (name === 'exec' && !(h.exec?.command?.length ?? 0)) errs.push(field.required(`${p}.command`));
    if (name === 'httpGet' && h.httpGet) {
      if (!h.httpGet.path) errs.push(field.required(`${p}.path`));
      errs.push(...validatePortNumOrName(h.httpGet.port, `${p}.port`));
      if (!supportedHTTPSchemes.includes(h.httpGet.scheme ?? '')) errs.push(field.notSupported(`${p}.scheme`, h.httpGet.scheme ?? '', supportedHTTPSchemes));
      for (const header of h.httpGet.httpHeaders ?? []) {
        errs.push(...isHTTPHeaderName(header.name).map((m) => field.invalid(`${p}.httpHeaders`, header.name, m)));
      }
    }
    if (name === 'tcpSocket' && h.tcpSocket) errs.push(...validatePortNumOrName(h.tcpSocket.port, `${p}.port`));
    if (name === 'grpc' && (h as Probe).grpc) errs.push(...validatePortNumOrName((h as Probe).grpc?.port ?? 0, `${p}.port`));
    if (name === 'sleep') {
      const seconds = (h as LifecycleHandler).sleep?.seconds ?? 0;
      if (gracePeriod !== undefined && (seconds < 0 || seconds > gracePeriod)) {
        errs.push(field.invalid(p, seconds, `must be non-negative and less than terminationGracePeriodSeconds (${gracePeriod})`));
      }
    }
  }
  if (num === 0) errs.push(field.required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: Probe, path: string, gracePeriod: number | undefined): FieldError[] {
  const errs = validateHandler(probe, path, gracePeriod);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...validateNonnegativeField(probe[f] ?? 0, `${path}.${f}`));
  }
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds !== null && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

function validateProbes(c: Container, path: string, gracePeriod: number | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (c.lifecycle?.postStart) errs.push(...validateHandler(c.lifecycle.postStart, `${path}.lifecycle.postStart`, gracePeriod));
  if (c.lifecycle?.preStop) errs.push(...validateHandler(c.lifecycle.preStop, `${path}.lifecycle.preStop`, gracePeriod));
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const probe = c[kind];
    if (!probe) continue;
    const p = `${path}.${kind}`;
    errs.push(...validateProbe(probe, p, gracePeriod));
    if (kind === 'readinessProbe' && probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds !== null) {
      errs.push(field.invalid(`${p}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
    }
    if (kind !== 'readinessProbe' && probe.successThreshold !== 1) {
      errs.push(field.invalid(`${p}.successThreshold`, probe.successThreshold ?? 0, 'must be 1'));
    }
  }
  return errs;
}

function validateContainerCommon(c: Container, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(field.required(`${path}.name`));
  else errs.push(...validateDNS1123Label(c.name, `${path}.name`));
  if (!c.image) errs.push(field.required(`${path}.image`));
  const tmp = c.terminationMessagePolicy;
  if (!tmp) errs.push(field.required(`${path}.terminationMessagePolicy`));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(field.notSupported(`${path}.terminationMessagePolicy`, tmp, ['File', 'FallbackToLogsOnError']));
  }
  errs.push(...validateContainerPorts(c, `${path}.ports`));
  errs.push(...validateEnv(c, `${path}.env`));
  errs.push(...validateVolumeMounts(c, volumes, `${path}.volumeMounts`));
  const pull = c.imagePullPolicy;
  if (!pull) errs.push(field.required(`${path}.imagePullPolicy`));
  else if (!supportedPullPolicies.includes(pull)) errs.push(field.notSupported(`${path}.imagePullPolicy`, pull, supportedPullPolicies));
  errs.push(...validateResourceRequirements(c, `${path}.resources`));
  return errs;
}

function checkHostPortConflicts(containers: Container[], path: string): FieldError[] {
  const seen = new Set<string>();
  const errs: FieldError[] = [];
  containers.forEach((c, ci) =>
    (c.ports ?? []).forEach((p, pi) => {
      if (!p.hostPort) return;
      const key = `${p.protocol ?? ''}/${p.hostIP ?? ''}/${p.hostPort}`;
      if (seen.has(key)) errs.push(field.duplicate(`${path}[${ci}].ports[${pi}].hostPort`, key));
      else seen.add(key);
    }),
  );
  return errs;
}

function validateContainers(spec: PodSpec, volumes: Set<string>, path: string): FieldError[] {
  const containers = spec.containers ?? [];
  if (containers.length === 0) return [field.required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, p));
    if (names.has(c.name)) errs.push(field.duplicate(`${p}.name`, c.name));
    else names.add(c.name);
    errs.push(...validateProbes(c, p, spec.terminationGracePeriodSeconds));
    if ((c as { restartPolicy?: string }).restartPolicy !== undefined) errs.push(field.forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
  });
  errs.push(...checkHostPortConflicts(containers, path));
  return errs;
}

function validateInitContainers(spec: PodSpec, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set((spec.containers ?? []).map((c) => c.name));
  (spec.initContainers ?? []).forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, p));
    const restartPolicy = (c as { restartPolicy?: string }).restartPolicy;
    if (restartPolicy !== undefined && restartPolicy !== 'Always') errs.push(field.notSupported(`${p}.restartPolicy`, restartPolicy, ['Always']));
    if (names.has(c.name)) errs.push(field.duplicate(`${p}.name`, c.name));
    else if (c.name) names.add(c.name);
    errs.push(...checkHostPortConflicts([c], path));
    if (restartPolicy === 'Always') {
      errs.push(...validateProbes(c, p, spec.terminationGracePeriodSeconds));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        if (c[f]) errs.push(field.forbidden(`${p}.${f}`, 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errs;
}

// EphemeralContainerCommon's fields in upstream's struct order, and whether an ephemeral
// container may set them (allowedEphemeralContainerFields): fields that make a container
// part of the workload (ports, probes, lifecycle, resources) are not for a debugging one.
const ephemeralContainerFields: [keyof EphemeralContainer | 'resizePolicy' | 'restartPolicy' | 'volumeDevices' | 'securityContext', boolean][] = [
  ['name', true],
  ['image', true],
  ['command', true],
  ['args', true],
  ['workingDir', true],
  ['ports', false],
  ['envFrom', true],
  ['env', true],
  ['resources', false],
  ['resizePolicy', false],
  ['restartPolicy', false],
  ['volumeMounts', true],
  ['volumeDevices', true],
  ['livenessProbe', false],
  ['readinessProbe', false],
  ['startupProbe', false],
  ['lifecycle', false],
  ['terminationMessagePath', true],
  ['terminationMessagePolicy', true],
  ['imagePullPolicy', true],
  ['securityContext', true],
  ['stdin', true],
  ['stdinOnce', true],
  ['tty', true],
];
const ephemeralForbidden = 'cannot be set for an Ephemeral Container';

/** Go's zero value test of validateFieldAllowList, for the JSON form: absent, null, false, 0, "", or an empty list/object. */
function isZeroValue(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as Record<string, unknown>).every(isZeroValue);
  return false;
}

/**
 * upstream validateEphemeralContainers: each is a container (validateContainerCommon and the
 * pod-only image rule) whose name is unique across every kind of container, whose
 * targetContainerName names a regular or init container, and which sets none of the
 * workload-only fields.
 */
function validateEphemeralContainers(spec: PodSpec, volumes: Set<string>, path: string): FieldError[] {
  const ephemeral = spec.ephemeralContainers ?? [];
  if (ephemeral.length === 0) return [];
  const errs: FieldError[] = [];
  const otherNames = new Set([...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name));
  const allNames = new Set(otherNames);
  ephemeral.forEach((ec, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(ec, volumes, p));
    if (ec.image !== undefined && ec.image !== ec.image.trim()) errs.push(field.invalid(`${p}.image`, ec.image, 'must not have leading or trailing whitespace'));
    if (allNames.has(ec.name)) errs.push(field.duplicate(`${p}.name`, ec.name));
    else allNames.add(ec.name);
    if (ec.targetContainerName && !otherNames.has(ec.targetContainerName)) errs.push(field.notFound(`${p}.targetContainerName`, ec.targetContainerName));
    const fields = ec as unknown as Record<string, unknown>;
    for (const [name, allowed] of ephemeralContainerFields) {
      if (!allowed && !isZeroValue(fields[name])) errs.push(field.forbidden(`${p}.${name}`, ephemeralForbidden));
    }
    (ec.volumeMounts ?? []).forEach((vm, j) => {
      const mount = vm as { subPath?: string; subPathExpr?: string };
      if (mount.subPath) errs.push(field.forbidden(`${p}.volumeMounts[${j}].subPath`, ephemeralForbidden));
      if (mount.subPathExpr) errs.push(field.forbidden(`${p}.volumeMounts[${j}].subPathExpr`, ephemeralForbidden));
    });
  });
  return errs;
}

export function validateTolerations(tolerations: Toleration[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const idx = `${path}[${i}]`;
    if (t.key) errs.push(...validateLabelName(t.key, `${idx}.key`));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(field.invalid(`${idx}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(field.invalid(`${idx}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(t.value ?? '');
        if (msgs.length) errs.push(field.invalid(`${idx}.operator`, t.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(field.invalid(`${idx}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(field.notSupported(`${idx}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      errs.push(field.notSupported(`${idx}.effect`, t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
  });
  return errs;
}

/** ValidatePodSpec, in upstream's order. */
export function validatePodSpec(spec: PodSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) {
    errs.push(field.required(`${path}.terminationGracePeriodSeconds`));
  }
  const vols = validateVolumes(spec.volumes, `${path}.volumes`);
  errs.push(...vols.errs);
  errs.push(...validateContainers(spec, vols.names, `${path}.containers`));
  errs.push(...validateInitContainers(spec, vols.names, `${path}.initContainers`));
  errs.push(...validateEphemeralContainers(spec, vols.names, `${path}.ephemeralContainers`));
  const rp = spec.restartPolicy ?? '';
  if (rp === '') errs.push(field.required(`${path}.restartPolicy`));
  else if (!['Always', 'OnFailure', 'Never'].includes(rp)) errs.push(field.notSupported(`${path}.restartPolicy`, rp, ['Always', 'OnFailure', 'Never']));
  const dp = spec.dnsPolicy ?? '';
  const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (dp === '') errs.push(field.required(`${path}.dnsPolicy`));
  else if (!dnsPolicies.includes(dp)) errs.push(field.notSupported(`${path}.dnsPolicy`, dp, dnsPolicies));
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  if (dp === 'None') {
    if (!spec.dnsConfig) errs.push(field.required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
    else if (!(spec.dnsConfig.nameservers?.length ?? 0)) {
      errs.push(field.required(`${path}.dnsConfig.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
    }
  }
  if (spec.dnsConfig?.nameservers) {
    if (spec.dnsConfig.nameservers.length > 3) {
      errs.push(field.invalid(`${path}.dnsConfig.nameservers`, spec.dnsConfig.nameservers, 'must not have more than 3 nameservers'));
    }
    spec.dnsConfig.nameservers.forEach((ns, i) => errs.push(...isValidIP(`${path}.dnsConfig.nameservers[${i}]`, ns)));
  }
  (spec.readinessGates ?? []).forEach((g, i) => errs.push(...validateQualifiedName(g.conditionType, `${path}.readinessGates[${i}].conditionType`)));
  if (spec.serviceAccountName) {
    errs.push(...nameIsDNSSubdomain(spec.serviceAccountName, false).map((m) => field.invalid(`${path}.serviceAccountName`, spec.serviceAccountName, m)));
  }
  if (spec.nodeName) errs.push(...nameIsDNSSubdomain(spec.nodeName, false).map((m) => field.invalid(`${path}.nodeName`, spec.nodeName, m)));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const v = spec.activeDeadlineSeconds;
    if (v < 1 || v > maxInt32) errs.push(field.invalid(`${path}.activeDeadlineSeconds`, v, inclusiveRangeError(1, maxInt32)));
  }
  if (spec.hostname) errs.push(...validateDNS1123Label(spec.hostname, `${path}.hostname`));
  if (spec.subdomain) errs.push(...validateDNS1123Label(spec.subdomain, `${path}.subdomain`));
  if (spec.tolerations?.length) errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  return errs;
}

/** ValidatePodTemplateSpec: template metadata (labels, annotations) and the pod spec. */
export function validatePodTemplateSpec(template: PodTemplateSpec, path: string): FieldError[] {
  const meta: ObjectMeta = template.metadata ?? {};
  const errs = validateLabels(meta.labels, `${path}.metadata.labels`);
  errs.push(...validateAnnotations(meta.annotations, `${path}.metadata.annotations`));
  errs.push(...validatePodSpec(template.spec ?? { containers: [] }, `${path}.spec`));
  return errs;
}

function validatePodMetadataAndSpec(pod: Pod): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain);
  errs.push(...validatePodSpec(pod.spec ?? { containers: [] }, 'spec'));
  // Pod-only rule (not for templates): no surrounding whitespace in images.
  for (const [list, key] of [[pod.spec?.containers, 'containers'], [pod.spec?.initContainers, 'initContainers']] as const) {
    (list ?? []).forEach((c, i) => {
      if (c.image !== undefined && c.image !== c.image.trim()) {
        errs.push(field.invalid(`spec.${key}[${i}].image`, c.image, 'must not have leading or trailing whitespace'));
      }
    });
  }
  return errs;
}

/** ValidatePodCreate: ephemeral containers come only through the ephemeralcontainers subresource. */
export function validatePod(pod: Pod): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  if (pod.spec?.ephemeralContainers?.length) errs.push(field.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  return errs;
}

const updatablePodSpecFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function validateContainerUpdates(newC: Container[], oldC: Container[], path: string): { errs: FieldError[]; stop: boolean } {
  if (newC.length !== oldC.length) return { errs: [field.forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  newC.forEach((c, i) => {
    if (!c.image) errs.push(field.required(`${path}[${i}].image`));
    if (c.image && c.image.trim() !== c.image) errs.push(field.invalid(`${path}[${i}].image`, c.image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

function validateOnlyAddedTolerations(newT: Toleration[], oldT: Toleration[], path: string): FieldError[] {
  for (const old of oldT) {
    const found = newT.some((t) => jsonEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!found) return [field.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(newT, path);
}

/** A short cmp.Diff-like rendering of the top-level fields of a Go struct that differ. */
function structDiff(goType: string, oldValue: object, newValue: object): string {
  const a = oldValue as Record<string, unknown>;
  const b = newValue as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const lines = [`  ${goType}{`];
  for (const k of keys) {
    if (jsonEqual(a[k], b[k])) continue;
    const name = k.charAt(0).toUpperCase() + k.slice(1);
    if (a[k] !== undefined) lines.push(`- \t${name}: ${JSON.stringify(a[k])},`);
    if (b[k] !== undefined) lines.push(`+ \t${name}: ${JSON.stringify(b[k])},`);
  }
  lines.push('  }');
  return `${lines.join('\n')}\n`;
}

export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  errs.push(...validatePodMetadataAndSpec(pod));
  const spec = pod.spec ?? { containers: [] };
  const oldSpec = old.spec ?? { containers: [] };
  for (const key of ['containers', 'initContainers'] as const) {
    const r = validateContainerUpdates(spec[key] ?? [], oldSpec[key] ?? [], `spec.${key}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const v = spec.activeDeadlineSeconds;
    if (v < 0 || v > maxInt32) {
      errs.push(field.invalid('spec.activeDeadlineSeconds', v, inclusiveRangeError(0, maxInt32)));
      return errs;
    }
    if (oldSpec.activeDeadlineSeconds !== undefined && oldSpec.activeDeadlineSeconds !== null && oldSpec.activeDeadlineSeconds < v) {
      errs.push(field.invalid('spec.activeDeadlineSeconds', v, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (oldSpec.activeDeadlineSeconds !== undefined && oldSpec.activeDeadlineSeconds !== null) {
    errs.push(field.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateOnlyAddedTolerations(spec.tolerations ?? [], oldSpec.tolerations ?? [], 'spec.tolerations'));
  if (jsonEqual(spec, oldSpec)) return errs;

  // Mask the mutable fields, then anything still different is forbidden.
  const munged: PodSpec = JSON.parse(JSON.stringify(spec)) as PodSpec;
  munged.containers = (munged.containers ?? []).map((c, i) => ({ ...c, image: oldSpec.containers[i]?.image }));
  if (munged.initContainers) munged.initContainers = munged.initContainers.map((c, i) => ({ ...c, image: oldSpec.initContainers?.[i]?.image }));
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.tolerations = oldSpec.tolerations;
  const oldGrace = oldSpec.terminationGracePeriodSeconds;
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  if (!jsonEqual(munged, oldSpec)) {
    errs.push(field.forbidden('spec', `pod updates may not change fields other than ${updatablePodSpecFields.join(',')}\n${structDiff('core.PodSpec', oldSpec, munged)}`));
  }
  return errs;
}

/**
 * ValidatePodEphemeralContainersUpdate: the pod (which differs from the stored one only in
 * spec.ephemeralContainers) is valid, and every existing ephemeral container is still
 * there, unchanged (a patch may reorder them, so each is found by name).
 */
export function validatePodEphemeralContainersUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  errs.push(...validatePodMetadataAndSpec(pod));
  const byName = new Map((pod.spec?.ephemeralContainers ?? []).map((c) => [c.name, c]));
  for (const prev of old.spec?.ephemeralContainers ?? []) {
    const next = byName.get(prev.name);
    if (!next) errs.push(field.forbidden('spec.ephemeralContainers', `existing ephemeral containers ${JSON.stringify(prev.name)} may not be removed\n`));
    else if (!jsonEqual(prev, next)) {
      errs.push(field.forbidden('spec.ephemeralContainers', `existing ephemeral containers ${JSON.stringify(prev.name)} may not be changed\n${structDiff('core.EphemeralContainer', prev, next)}`));
    }
  }
  return errs;
}

/** ValidateContainerStateTransition: a container that may not restart stays terminated. */
function validateContainerStateTransition(next: ContainerStatus[], prev: ContainerStatus[], path: string, policy: string | undefined): FieldError[] {
  if (policy === 'Always') return [];
  const errs: FieldError[] = [];
  prev.forEach((os, i) => {
    const term = os.state?.terminated;
    if (!term || (term.exitCode !== 0 && policy === 'OnFailure')) return;
    const ns = next.find((s) => s.name === os.name);
    if (ns && !ns.state?.terminated) errs.push(field.forbidden(`${path}[${i}].state`, 'may not be transitioned to non-terminated state'));
  });
  return errs;
}

export function validatePodStatusUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  if ((pod.spec?.nodeName ?? '') !== (old.spec?.nodeName ?? '')) errs.push(field.forbidden('status.nodeName', 'may not be changed directly'));
  (pod.status?.podIPs ?? []).forEach((ip, i) => errs.push(...isValidIP(`status.podIPs[${i}]`, ip.ip)));
  const hostIPs = pod.status?.hostIPs ?? [];
  if (hostIPs.length > 0 && pod.status?.hostIP !== hostIPs[0].ip) {
    errs.push(field.invalid('status.hostIPs[0].ip', hostIPs[0].ip, 'must be equal to `hostIP`'));
  }
  hostIPs.forEach((ip, i) => errs.push(...isValidIP(`status.hostIPs[${i}]`, ip.ip)));
  // Containers of pods that never restart may not leave the terminated state; ephemeral containers never restart.
  errs.push(...validateContainerStateTransition(pod.status?.containerStatuses ?? [], old.status?.containerStatuses ?? [], 'status.containerStatuses', old.spec?.restartPolicy));
  errs.push(...validateContainerStateTransition(pod.status?.ephemeralContainerStatuses ?? [], old.status?.ephemeralContainerStatuses ?? [], 'status.ephemeralContainerStatuses', 'Never'));
  return errs;
}

