// The patch metadata of the built-in kinds, read off upstream's struct tags and list
// markers (k8s.io/api core/v1, apps/v1, discovery/v1; apimachinery meta/v1):
//   * strategic merge patch uses `patchStrategy:"merge" patchMergeKey:"…"` and
//     `patchStrategy:"retainKeys"`;
//   * server-side apply (structured-merge-diff) uses `+listType=map|set|atomic`,
//     `+listMapKey`, `+structType=atomic`, `+mapType=atomic` and key defaults
//     (`+default="TCP"` on port protocols).
// The two disagree in places (container ports merge by containerPort in SMP but key on
// containerPort+protocol in SSA; pod status hostIPs merge by ip in SMP but are atomic in
// SSA), so each node carries both.
//
// Only fields that differ from the defaults are described. The defaults are upstream's:
// a struct is granular, a list without a strategy is replaced (SMP) / atomic (SSA), and a
// field not in the table behaves as an undeclared struct field.

export type ListType = 'atomic' | 'set' | 'map';

export interface SchemaNode {
  /** Declared fields of a struct. A JSON object without `fields` and without `elem` is a struct of unknown fields. */
  fields?: Record<string, SchemaNode>;
  /** Element type of a map[string]T (`values: true`) or of a list. */
  elem?: SchemaNode;
  /** The node is a map[string]T: its keys are not declared fields (matters to SSA field sets). */
  values?: boolean;
  /** +structType=atomic / +mapType=atomic: SSA owns and replaces it as a whole. */
  atomic?: boolean;
  /** SSA list type; lists default to atomic. */
  listType?: ListType;
  /** SSA +listMapKey, in declaration order. */
  listMapKeys?: string[];
  /** SSA defaults for key fields an item may omit (+default on the key field). */
  keyDefaults?: Record<string, unknown>;
  /** SMP patchStrategy:"merge". */
  patchMerge?: boolean;
  /** SMP patchMergeKey (lists of maps). */
  patchMergeKey?: string;
  /** SMP patchStrategy includes retainKeys. */
  retainKeys?: boolean;
  /**
   * Present in Go's zero value of its parent (a non-pointer struct, or a list without
   * omitempty, encoded as null): managed-fields comparisons treat it as present-but-empty.
   */
  zero?: boolean;
}

// ---- builders ----

const struct = (fields: Record<string, SchemaNode>, extra: Partial<SchemaNode> = {}): SchemaNode => ({ fields, ...extra });
const atomicStruct: SchemaNode = { atomic: true };
const stringMap: SchemaNode = { values: true, elem: {} };
const atomicStringMap: SchemaNode = { values: true, elem: {}, atomic: true };

/** A list of maps merged by key: patchMergeKey for SMP, listMapKeys for SSA. */
function keyedList(elem: SchemaNode, keys: string[], extra: Partial<SchemaNode> = {}): SchemaNode {
  return { elem, listType: 'map', listMapKeys: keys, patchMerge: true, patchMergeKey: keys[0], ...extra };
}

/** []string with patchStrategy merge and +listType=set (finalizers, podCIDRs). */
const primitiveSet: SchemaNode = { listType: 'set', patchMerge: true };

// ---- meta/v1 ----

const zero = (n: SchemaNode): SchemaNode => ({ ...n, zero: true });

const objectMeta = struct({
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: keyedList(atomicStruct, ['uid']),
  finalizers: primitiveSet,
  managedFields: { listType: 'atomic' },
});

const labelSelector = atomicStruct;

const conditionsByType = (): SchemaNode => keyedList({}, ['type']);

// ---- core/v1 ----

const resourceRequirements = struct({
  limits: stringMap,
  requests: stringMap,
  claims: keyedList({}, ['name']),
});

const envVar = struct({
  valueFrom: struct({
    fieldRef: atomicStruct,
    resourceFieldRef: atomicStruct,
    configMapKeyRef: atomicStruct,
    secretKeyRef: atomicStruct,
    fileKeyRef: atomicStruct,
  }),
});

const containerFields: Record<string, SchemaNode> = {
  ports: keyedList({}, ['containerPort', 'protocol'], { keyDefaults: { protocol: 'TCP' } }),
  env: keyedList(envVar, ['name']),
  volumeMounts: keyedList({}, ['mountPath']),
  volumeDevices: keyedList({}, ['devicePath']),
  resources: zero(resourceRequirements),
};
const container = struct(containerFields);

const volume = struct({
  secret: struct({}),
  configMap: struct({}),
  persistentVolumeClaim: struct({}),
  emptyDir: struct({}),
});

const affinity = struct({
  nodeAffinity: struct({ requiredDuringSchedulingIgnoredDuringExecution: atomicStruct }),
});

const podSpec = struct({
  volumes: keyedList(volume, ['name'], { retainKeys: true }),
  initContainers: keyedList(container, ['name']),
  containers: zero(keyedList(container, ['name'])),
  ephemeralContainers: keyedList(container, ['name']),
  nodeSelector: atomicStringMap,
  imagePullSecrets: keyedList(atomicStruct, ['name']),
  hostAliases: keyedList({}, ['ip']),
  topologySpreadConstraints: keyedList({ fields: { labelSelector } }, ['topologyKey', 'whenUnsatisfiable']),
  schedulingGates: keyedList({}, ['name']),
  resourceClaims: keyedList({}, ['name'], { retainKeys: true }),
  overhead: stringMap,
  affinity,
});

const podTemplateSpec = struct({ metadata: zero(objectMeta), spec: zero(podSpec) });

const podStatus = struct({
  conditions: conditionsByType(),
  // SMP merges hostIPs by ip, SSA treats them as atomic (+listType=atomic).
  hostIPs: { patchMerge: true, patchMergeKey: 'ip', listType: 'atomic', elem: {} },
  podIPs: keyedList({}, ['ip']),
  resourceClaimStatuses: keyedList({}, ['name'], { retainKeys: true }),
});

const serviceSpec = struct({
  ports: keyedList({}, ['port', 'protocol'], { keyDefaults: { protocol: 'TCP' } }),
  selector: atomicStringMap,
});

const nodeSpec = struct({ podCIDRs: primitiveSet, configSource: struct({}) });
const nodeStatus = struct({
  capacity: stringMap,
  allocatable: stringMap,
  conditions: conditionsByType(),
  addresses: keyedList({}, ['type']),
});

// ---- apps/v1 ----

const deploymentSpec = struct({
  selector: labelSelector,
  template: zero(podTemplateSpec),
  strategy: struct({ rollingUpdate: struct({}) }, { retainKeys: true, zero: true }),
});

const replicaSetSpec = struct({ selector: labelSelector, template: zero(podTemplateSpec) });

// ---- kinds ----

/** Top-level spec and status are non-pointer structs in every built-in kind. */
function kindSchema(fields: Record<string, SchemaNode>): SchemaNode {
  const top: Record<string, SchemaNode> = { metadata: zero(objectMeta) };
  for (const [k, v] of Object.entries(fields)) top[k] = k === 'spec' || k === 'status' ? zero(v) : v;
  return struct(top);
}

const conditionStatus = struct({ conditions: conditionsByType() });

const kinds: Record<string, SchemaNode> = {
  'v1/Pod': kindSchema({ spec: podSpec, status: podStatus }),
  'v1/PodTemplate': kindSchema({ template: podTemplateSpec }),
  'v1/Service': kindSchema({ spec: serviceSpec, status: struct({ conditions: conditionsByType(), loadBalancer: zero(struct({})) }) }),
  'v1/Node': kindSchema({ spec: nodeSpec, status: nodeStatus }),
  'v1/Namespace': kindSchema({ status: conditionStatus }),
  'v1/ConfigMap': kindSchema({ data: stringMap, binaryData: stringMap }),
  'v1/Secret': kindSchema({ data: stringMap, stringData: stringMap }),
  'v1/ServiceAccount': kindSchema({ secrets: keyedList(atomicStruct, ['name']) }),
  'v1/Endpoints': kindSchema({}),
  'v1/Event': kindSchema({ involvedObject: atomicStruct, related: atomicStruct }),
  'v1/ReplicationController': kindSchema({
    spec: struct({ selector: atomicStringMap, template: podTemplateSpec }),
    status: conditionStatus,
  }),
  'apps/v1/Deployment': kindSchema({ spec: deploymentSpec, status: conditionStatus }),
  'apps/v1/ReplicaSet': kindSchema({ spec: replicaSetSpec, status: conditionStatus }),
  'apps/v1/StatefulSet': kindSchema({ spec: replicaSetSpec, status: conditionStatus }),
  'apps/v1/DaemonSet': kindSchema({ spec: replicaSetSpec, status: conditionStatus }),
  'discovery.k8s.io/v1/EndpointSlice': kindSchema({}),
  'coordination.k8s.io/v1/Lease': kindSchema({}),
  'autoscaling/v1/Scale': kindSchema({}),
};

/** The schema of a kind; kinds kanzen does not describe get only object metadata. */
export function schemaFor(apiVersion: string, kind: string): SchemaNode {
  return kinds[`${apiVersion}/${kind}`] ?? kindSchema({});
}

export function hasSchema(apiVersion: string, kind: string): boolean {
  return `${apiVersion}/${kind}` in kinds;
}

/** The schema of a field of a struct or a value of a map; undefined when undescribed. */
export function childSchema(node: SchemaNode | undefined, field: string): SchemaNode | undefined {
  if (!node) return undefined;
  if (node.values) return node.elem;
  return node.fields?.[field];
}

/** The schema of a list's items. */
export function itemSchema(node: SchemaNode | undefined): SchemaNode | undefined {
  return node?.elem;
}

/** Walks a path of field names; list nodes are stepped through to their item type. */
export function lookup(apiVersion: string, kind: string, path: string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = schemaFor(apiVersion, kind);
  for (const name of path) {
    if (node?.listType || node?.patchMerge) node = node.elem;
    node = childSchema(node, name);
    if (!node) return undefined;
  }
  return node;
}

export interface ListStrategy {
  mergeKey?: string;
  primitiveMerge?: boolean;
  retainKeys?: boolean;
}

/**
 * The strategic-merge-patch strategy of the field at `path` (field names only; list
 * items are stepped through), e.g. (`apps/v1`, `Deployment`,
 * [`spec`,`template`,`spec`,`containers`]) → `{ mergeKey: 'name' }`.
 * Undefined means no strategy: lists are replaced, maps merged.
 */
export function listStrategy(apiVersion: string, kind: string, path: string[]): ListStrategy | undefined {
  const node = lookup(apiVersion, kind, path);
  if (!node || (!node.patchMerge && !node.retainKeys)) return undefined;
  const out: ListStrategy = {};
  if (node.patchMerge && node.patchMergeKey) out.mergeKey = node.patchMergeKey;
  if (node.patchMerge && !node.patchMergeKey) out.primitiveMerge = true;
  if (node.retainKeys) out.retainKeys = true;
  return out;
}
