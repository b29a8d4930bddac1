// A container's environment (upstream kubelet_pods.go makeEnvironmentVariables): envFrom
// sources first, then env in order (values may reference earlier variables and the service
// variables as $(NAME), third_party/forked/golang/expansion), then the service variables for
// names not already set. A missing ConfigMap/Secret or key is an error whose message becomes
// the container's CreateContainerConfigError, unless the reference is optional.
import type { ConfigMap, Container, EnvVar, Pod, Secret } from '../../api/types.js';
import { parseQuantity } from '../../api/quantity.js';

/** What the environment may read from the API; undefined means not found. */
export interface EnvSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

/** A CreateContainerConfigError: the message is the waiting message and the `Error: …` event. */
export class ContainerConfigError extends Error {}

/** upstream expansion.Expand: $(NAME) from the mapping (left as written when unknown), $$ → $. */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const v = lookup(name);
      out += v ?? `$(${name})`;
      i = close;
    } else {
      out += '$' + next;
      i++;
    }
  }
  return out;
}

/** Resolves a downward-API field path (upstream podFieldSelectorRuntimeValue). */
export function podFieldValue(pod: Pod, fieldPath: string, hostIP: string, podIP: string | undefined): string {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return podIP ?? '';
    default:
      throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/** The downward API's map format (fieldpath.FormatMap): sorted `k="v"` lines. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

/** upstream resource.ExtractContainerResourceValue: limits default to the node's allocatable; cpu rounds up, others too (ceil of value/divisor). */
export function resourceFieldValue(
  ref: { resource: string; containerName?: string; divisor?: string | number },
  container: Container,
  nodeAllocatable: Record<string, string>,
): string {
  const divisor = ref.divisor === undefined || ref.divisor === '' || ref.divisor === 0 || ref.divisor === '0' ? 1 : parseQuantity(ref.divisor);
  const [kind, resource] = ref.resource.split(/\.(.*)/s);
  const fromSpec = kind === 'limits' ? container.resources?.limits?.[resource] : kind === 'requests' ? container.resources?.requests?.[resource] : undefined;
  if (kind !== 'limits' && kind !== 'requests') throw new ContainerConfigError(`unsupported container resource : ${ref.resource}`);
  // An unset limit is the node's allocatable; an unset request is 0 (requests default to limits at admission).
  const raw = fromSpec ?? (kind === 'limits' ? nodeAllocatable[resource] : container.resources?.limits?.[resource]) ?? 0;
  const value = parseQuantity(raw);
  return String(Math.ceil(value / divisor - 1e-9));
}

export interface EnvInput {
  pod: Pod;
  container: Container;
  hostIP: string;
  podIP?: string;
  /** serviceEnvVars() of the pod's namespace. */
  serviceEnv: Map<string, string>;
  nodeAllocatable?: Record<string, string>;
  sources: EnvSources;
}

function decodeSecret(s: Secret, key: string): string | undefined {
  const v = s.data?.[key];
  if (v !== undefined) return Buffer.from(v, 'base64').toString('utf8');
  return s.stringData?.[key];
}

/** The container's environment as ordered name/value pairs (later entries of a name win, as the map upstream builds). */
export async function makeEnvironmentVariables(input: EnvInput): Promise<Map<string, string>> {
  const { pod, container, sources } = input;
  const ns = pod.metadata.namespace ?? 'default';
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = await sources.configMap(ns, from.configMapRef.name ?? '');
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set(prefix + k, v);
    } else if (from.secretRef) {
      const s = await sources.secret(ns, from.secretRef.name ?? '');
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const k of Object.keys(s.data ?? {})) env.set(prefix + k, decodeSecret(s, k) ?? '');
    }
  }
  const lookup = (name: string) => env.get(name) ?? input.serviceEnv.get(name);
  for (const e of container.env ?? []) {
    const v = await envValue(e, input, ns, lookup);
    if (v !== undefined) env.set(e.name, v);
  }
  for (const [k, v] of input.serviceEnv) if (!env.has(k)) env.set(k, v);
  return env;
}

async function envValue(e: EnvVar, input: EnvInput, ns: string, lookup: (n: string) => string | undefined): Promise<string | undefined> {
  const from = e.valueFrom;
  if (!from || e.value) return expandVars(e.value ?? '', lookup);
  if (from.fieldRef) return podFieldValue(input.pod, from.fieldRef.fieldPath, input.hostIP, input.podIP);
  if (from.resourceFieldRef) {
    const target = from.resourceFieldRef.containerName
      ? [...input.pod.spec.containers, ...(input.pod.spec.initContainers ?? [])].find((c) => c.name === from.resourceFieldRef!.containerName) ?? input.container
      : input.container;
    return resourceFieldValue(from.resourceFieldRef, target, input.nodeAllocatable ?? {});
  }
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const cm = await input.sources.configMap(ns, ref.name ?? '');
    if (!cm) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`configmap "${ref.name}" not found`);
    }
    const v = cm.data?.[ref.key] ?? (cm.binaryData?.[ref.key] !== undefined ? Buffer.from(cm.binaryData[ref.key], 'base64').toString('utf8') : undefined);
    if (v === undefined) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
    }
    return v;
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const s = await input.sources.secret(ns, ref.name ?? '');
    if (!s) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`secret "${ref.name}" not found`);
    }
    const v = decodeSecret(s, ref.key);
    if (v === undefined) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
    }
    return v;
  }
  return '';
}

/** command/args with $(VAR) expanded from the container's environment (upstream kubecontainer.ExpandContainerCommandAndArgs). */
export function expandCommand(argv: string[] | undefined, env: Map<string, string>): string[] | undefined {
  return argv?.map((a) => expandVars(a, (n) => env.get(n)));
}
