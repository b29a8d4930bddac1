#!/usr/bin/env node
// Writes src/api/schema/kubernetes-1.33.schema.json: the facts kanzen's API schema tables are
// generated from (`npm run gen:api`), read off upstream's Go API types and their generated.proto.
//
// Inputs: git mirrors of k8s.io/api, k8s.io/apimachinery, k8s.io/kube-aggregator and k8s.io/metrics (the repositories published from
// kubernetes/kubernetes staging/src/k8s.io/{api,apimachinery,kube-aggregator,metrics}) at tag v0.33.0, i.e. Kubernetes
// v1.33.0. Bring them with the session's fetch tool (github:kubernetes/api,
// github:kubernetes/apimachinery, github:kubernetes/kube-aggregator, github:kubernetes/metrics) or `git clone --bare`, and pass their git directories:
//
//   node scripts/gen-api/extract.mjs [--api <git dir>] [--apimachinery <git dir>]
//     [--apiextensions <git dir>] [--tag v0.33.0]
//
// CustomResourceDefinition's types come from k8s.io/apiextensions-apiserver
// (github:kubernetes/apiextensions-apiserver) at the same tag.
//
// Network is needed only to get the mirrors; CI never runs this. To add a kind, add it to
// `roots` below, re-run this script, then `npm run gen:api`.
//
// What is read, per Go struct reachable from the roots (in Go struct order):
//   types.go struct tags  → JSON name, omitempty, pointer, inline, protobuf field number,
//                            patchStrategy / patchMergeKey (strategic merge patch);
//   comment markers        → +optional/+required, +listType, +listMapKey, +mapType, +structType,
//                            +default (server-side apply);
//   generated.proto        → protobuf field type (string/int32/int64/bool/bytes/message), repeated/map;
//   `+enum` string types   → their name and constant values.
// No upstream prose is read. Two hand-kept tables follow the facts, kept from the previous fact
// file when re-run: `explain`, kanzen's own descriptions of types and fields (served in the
// OpenAPI documents for kubectl explain, and the JSDoc of the generated TypeScript types), and
// `descriptions`, the docs of the table columns printers declare (as upstream's Table columns carry
// them). Both are keyed `GoType` (the type) and `GoType.field` (JSON name).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const factPath = join(root, 'src/api/schema/kubernetes-1.33.schema.json');

/** Kinds kanzen serves: published as OpenAPI definitions and protobuf messages. */
const roots = [
  'core.v1.Pod', 'core.v1.Service', 'core.v1.Namespace', 'core.v1.Node', 'core.v1.Endpoints', 'core.v1.ConfigMap',
  'core.v1.Secret', 'core.v1.ServiceAccount', 'core.v1.Event',
  'apps.v1.Deployment', 'apps.v1.ReplicaSet',
  'apps.v1.StatefulSet', 'apps.v1.DaemonSet', 'apps.v1.ControllerRevision',
  'batch.v1.Job', 'batch.v1.CronJob', 'core.v1.ReplicationController',
  'core.v1.PersistentVolume', 'core.v1.PersistentVolumeClaim', 'storage.v1.StorageClass',
  'policy.v1.PodDisruptionBudget',
  'discovery.v1.EndpointSlice', 'coordination.v1.Lease',
  'scheduling.v1.PriorityClass', 'core.v1.LimitRange', 'core.v1.ResourceQuota',
  'authorization.v1.SelfSubjectAccessReview', 'authorization.v1.SelfSubjectRulesReview',
  'authentication.v1.SelfSubjectReview', 'autoscaling.v1.Scale',
  // HorizontalPodAutoscaler: autoscaling/v2 (stored, preferred) and autoscaling/v1 (served by conversion).
  'autoscaling.v2.HorizontalPodAutoscaler', 'autoscaling.v1.HorizontalPodAutoscaler',
  'authorization.v1.SubjectAccessReview',
  'rbac.v1.Role', 'rbac.v1.ClusterRole', 'rbac.v1.RoleBinding', 'rbac.v1.ClusterRoleBinding',
  // From k8s.io/kube-aggregator: how an API group/version is served (locally or by a Service).
  'apiregistration.v1.APIService',
  // From k8s.io/metrics: the resource metrics API (metrics-server's; kanzen serves it itself).
  'metrics.v1beta1.NodeMetrics', 'metrics.v1beta1.PodMetrics',
  // The body of pods/eviction, published (with DeleteOptions and Preconditions) as upstream's
  // documents publish it for POST .../pods/{name}/eviction.
  'policy.v1.Eviction',
  // networking.k8s.io/v1: Ingress (with its status), IngressClass and NetworkPolicy.
  'networking.v1.Ingress', 'networking.v1.IngressClass', 'networking.v1.NetworkPolicy',
  // Definitions kanzen's OpenAPI refers to outside the kinds: list metadata (kinds.ts
  // synthesises each <Kind>List definition) and metav1.Condition.
  'meta.v1.ListMeta', 'meta.v1.Condition',
];

/**
 * Kinds published as OpenAPI definitions only: kanzen's clients send and read them as JSON, and
 * their Go types carry custom JSON encodings (JSON, JSONSchemaPropsOrArray, ...) that the protobuf
 * tables cannot express. JSONSchemaProps refers to itself; the walk records each type once.
 */
const openapiOnlyRoots = ['apiextensions.v1.CustomResourceDefinition'];

/**
 * Messages kanzen decodes from protobuf request bodies but does not publish as OpenAPI
 * definitions (list kinds are synthesised by kinds.ts; the others are subresource or option bodies).
 */
const protobufOnlyRoots = [
  'core.v1.NamespaceList', 'core.v1.NodeList', 'core.v1.PodList', 'core.v1.ServiceList', 'core.v1.EndpointsList',
  'core.v1.ConfigMapList', 'core.v1.SecretList', 'core.v1.ServiceAccountList', 'core.v1.EventList',
  'apps.v1.DeploymentList', 'apps.v1.ReplicaSetList', 'discovery.v1.EndpointSliceList', 'coordination.v1.LeaseList',
  'apps.v1.StatefulSetList', 'apps.v1.DaemonSetList', 'apps.v1.ControllerRevisionList', 'batch.v1.JobList',
  'batch.v1.CronJobList', 'core.v1.ReplicationControllerList', 'core.v1.PersistentVolumeList',
  'core.v1.PersistentVolumeClaimList', 'storage.v1.StorageClassList', 'policy.v1.PodDisruptionBudgetList',
  'scheduling.v1.PriorityClassList', 'core.v1.LimitRangeList', 'core.v1.ResourceQuotaList',
  'rbac.v1.RoleList', 'rbac.v1.ClusterRoleList', 'rbac.v1.RoleBindingList', 'rbac.v1.ClusterRoleBindingList',
  'apiregistration.v1.APIServiceList', 'metrics.v1beta1.NodeMetricsList', 'metrics.v1beta1.PodMetricsList',
  'autoscaling.v2.HorizontalPodAutoscalerList', 'autoscaling.v1.HorizontalPodAutoscalerList',
  'networking.v1.IngressList', 'networking.v1.IngressClassList', 'networking.v1.NetworkPolicyList',
  'core.v1.Binding', 'meta.v1.DeleteOptions', 'authentication.v1.TokenRequest',
];

/**
 * Types kanzen reads and writes only as JSON inside other objects, never published nor decoded
 * from protobuf: autoscaling/v1's metric specs, statuses and conditions, which the v1 view of a
 * HorizontalPodAutoscaler carries in its autoscaling.alpha.kubernetes.io/* annotations.
 */
const typeOnlyRoots = ['autoscaling.v1.MetricSpec', 'autoscaling.v1.MetricStatus', 'autoscaling.v1.HorizontalPodAutoscalerCondition'];

/** Go types whose JSON is a scalar (custom MarshalJSON); kanzen decodes them itself (well-known.ts). */
const scalarTypes = new Set([
  'meta.v1.Time', 'meta.v1.MicroTime', 'meta.v1.Duration', 'meta.v1.FieldsV1',
  'api.resource.Quantity', 'util.intstr.IntOrString', 'runtime.RawExtension',
  // apiextensions' arbitrary JSON and its "schema or list/bool/strings" unions (MarshalJSON picks the form).
  'apiextensions.v1.JSON', 'apiextensions.v1.JSONSchemaPropsOrArray', 'apiextensions.v1.JSONSchemaPropsOrBool',
  'apiextensions.v1.JSONSchemaPropsOrStringArray',
]);

/**
 * Deliberate deviations from upstream, kept on purpose.
 * UserInfo.extra (and SubjectAccessReviewSpec.extra) is map[string]ExtraValue with `type ExtraValue []string`: its protobuf message
 * wraps the list ({items: [...]}) while its JSON is a bare list, which kanzen's field tables
 * cannot express, so kanzen publishes it in OpenAPI but does not decode it from protobuf.
 */
const overrides = {
  'authentication.v1.UserInfo.extra': { protobuf: false, openapi: { map: { list: 'string' } } },
  'authorization.v1.SubjectAccessReviewSpec.extra': { protobuf: false, openapi: { map: { list: 'string' } } },
};

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const tag = arg('tag', 'v0.33.0');
const repos = {
  api: arg('api', '/work/.mirror/kubernetes+api/repo'),
  apimachinery: arg('apimachinery', '/work/.mirror/kubernetes+apimachinery/repo'),
  apiextensions: arg('apiextensions', '/work/.mirror/kubernetes+apiextensions-apiserver/repo'),
  kubeAggregator: arg('kube-aggregator', '/work/.mirror/kubernetes+kube-aggregator/repo'),
  metrics: arg('metrics', '/work/.mirror/kubernetes+metrics/repo'),
};

/** Where a short package name (core.v1, meta.v1, api.resource) lives. */
function packageDir(pkg) {
  if (pkg === 'meta.v1') return { repo: repos.apimachinery, dir: 'pkg/apis/meta/v1', proto: 'k8s.io.apimachinery.pkg.apis.meta.v1' };
  // Published as OpenAPI only (openapiOnlyRoots): its protobuf tags are not read.
  if (pkg.startsWith('apiextensions.')) return { repo: repos.apiextensions, dir: `pkg/apis/apiextensions/${pkg.split('.')[1]}`, noProto: true };
  if (pkg === 'apiregistration.v1') {
    return { repo: repos.kubeAggregator, dir: 'pkg/apis/apiregistration/v1', proto: 'k8s.io.kube_aggregator.pkg.apis.apiregistration.v1' };
  }
  if (pkg.startsWith('metrics.')) {
    const version = pkg.split('.')[1];
    return { repo: repos.metrics, dir: `pkg/apis/metrics/${version}`, proto: `k8s.io.metrics.pkg.apis.metrics.${version}` };
  }
  const [group, version] = pkg.split('.');
  return { repo: repos.api, dir: `${group}/${version}`, proto: `k8s.io.api.${pkg}` };
}

const git = (repo, ...a) => execFileSync('git', ['--git-dir', repo, ...a], { encoding: 'utf8', maxBuffer: 64 << 20 });

/** Go import alias → short package, for the qualified types API structs use. */
const goImports = {
  metav1: 'meta.v1', resource: 'api.resource', intstr: 'util.intstr', runtime: 'runtime', types: 'types',
  corev1: 'core.v1', v1: 'core.v1',
};

/** Proto package → short package. */
function shortProto(name) {
  return name
    .replace(/^k8s\.io\.api\./, '')
    .replace(/^k8s\.io\.kube_aggregator\.pkg\.apis\./, '')
    .replace(/^k8s\.io\.metrics\.pkg\.apis\./, '')
    .replace(/^k8s\.io\.apimachinery\.pkg\.apis\./, '')
    .replace(/^k8s\.io\.apimachinery\.pkg\./, '');
}

const packages = new Map();

/** Parses a package's Go structs, string-type enums and proto messages (once). */
function loadPackage(pkg) {
  if (packages.has(pkg)) return packages.get(pkg);
  const { repo, dir, proto } = packageDir(pkg);
  const files = git(repo, 'ls-tree', '--name-only', `${tag}:${dir}`).split('\n')
    .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go') && !f.startsWith('zz_') && !f.startsWith('generated'));
  const go = files.map((f) => git(repo, 'show', `${tag}:${dir}/${f}`))
    .join('\n')
    .replace(/^\s*\/\*[\s\S]*?\*\//gm, ''); // block comments (licence headers, commented-out fields)
  const out = { structs: new Map(), named: new Map(), enums: new Map(), consts: new Map(), messages: new Map() };
  // Go declarations: `type X struct {...}`, `type X string` (with +enum), consts.
  const lines = go.split('\n');
  let markers = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const marker = /^\s*\/\/\s*(\+[\w.:-]+(?:=.*)?)$/.exec(line);
    if (marker) { markers.push(marker[1].trim()); continue; }
    if (/^\s*\/\//.test(line)) continue;
    // An empty struct (CustomResourceSubresourceStatus): an object with no fields.
    const empty = /^type (\w+) struct\s*\{\}$/.exec(line);
    if (empty) {
      out.structs.set(empty[1], { markers, fields: [] });
      markers = [];
      continue;
    }
    const struct = /^type (\w+) struct \{$/.exec(line);
    if (struct) {
      const body = [];
      let j = i + 1;
      for (; lines[j] !== '}'; j++) body.push(lines[j]);
      out.structs.set(struct[1], { markers, fields: parseFields(body) });
      i = j;
      markers = [];
      continue;
    }
    const named = /^type (\w+) (\S.*)$/.exec(line);
    if (named) out.named.set(named[1], { type: named[2].trim(), markers });
    const constant = /^\s+(\w+)\s+(\w+)\s*=\s*"([^"]*)"/.exec(line);
    if (constant) {
      if (!out.enums.has(constant[2])) out.enums.set(constant[2], []);
      out.enums.get(constant[2]).push(constant[3]);
      out.consts.set(constant[1], constant[3]);
    }
    if (line.trim() !== '') markers = [];
  }
  const protoText = packageDir(pkg).noProto ? '' : git(repo, 'show', `${tag}:${dir}/generated.proto`);
  for (const m of protoText.matchAll(/^message (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const fields = new Map();
    for (const f of m[2].matchAll(/^\s*(optional|repeated|map<\s*string,\s*([\w.]+)>)\s*([\w.]*)\s+(\w+) = (\d+);/gm)) {
      const isMap = f[1].startsWith('map<');
      const type = isMap ? f[2] : f[3];
      fields.set(Number(f[5]), { type: protoType(type, proto), repeated: f[1] === 'repeated', map: isMap });
    }
    out.messages.set(m[1], fields);
  }
  packages.set(pkg, out);
  return out;
}

function protoType(type, pkgProto) {
  type = type.replace(/^\./, '');
  const scalars = { string: 's', int32: 'i', int64: 'l', bool: 'b', bytes: 'y' };
  if (scalars[type]) return scalars[type];
  return shortProto(type.includes('.') ? type : `${pkgProto}.${type}`);
}

/** Struct body lines → fields with their markers and tags. */
function parseFields(body) {
  const fields = [];
  let markers = [];
  for (const line of body) {
    const marker = /^\s*\/\/\s*(\+[\w.:-]+(?:=.*)?)$/.exec(line);
    if (marker) { markers.push(marker[1].trim()); continue; }
    if (/^\s*(\/\/.*)?$/.test(line)) continue;
    const f = /^\s*(?:(\w+)\s+)?(\S+)\s+`([^`]*)`/.exec(line);
    if (!f) throw new Error(`cannot parse struct field: ${line}`);
    const tags = Object.fromEntries([...f[3].matchAll(/(\w+):"([^"]*)"/g)].map((t) => [t[1], t[2]]));
    fields.push({ name: f[1] ?? f[2].replace(/^\*/, '').split('.').pop(), goType: f[2], tags, markers });
    markers = [];
  }
  return fields;
}

/** A Go type expression in package pkg → { base (short name or Go builtin), list, map, pointer }. */
function goShape(goType, pkg) {
  let t = goType;
  const shape = { pointer: false, list: false, map: false };
  if (t.startsWith('*')) { shape.pointer = true; t = t.slice(1); }
  if (t.startsWith('[]') && t !== '[]byte') { shape.list = true; t = t.slice(2); }
  const m = /^map\[[^\]]+\](.*)$/.exec(t);
  if (m) { shape.map = true; t = m[1]; }
  if (t.startsWith('*')) t = t.slice(1);
  // A package's named list or map type (type ValidationRules []ValidationRule): its shape.
  const named = /^[A-Z]/.test(t) && !t.includes('.') && !shape.list && !shape.map ? loadPackage(pkg).named.get(t)?.type : undefined;
  if (named && /^(\[\]|map\[)/.test(named)) return { ...goShape(named, pkg), pointer: shape.pointer };
  if (t.includes('.')) {
    const [alias, name] = t.split('.');
    shape.base = `${goImports[alias] ?? alias}.${name}`;
  } else shape.base = /^[a-z]/.test(t) || t === '[]byte' ? t : `${pkg}.${t}`;
  return shape;
}

const markerValue = (markers, name) => markers.find((m) => m.startsWith(`+${name}=`))?.slice(name.length + 2);

const types = new Map();
const openapiTypes = new Set();
const protobufTypes = new Set();

const walked = new Set();

/**
 * Records one struct's rows (Go struct order) and walks the types its fields reach. `reach` says
 * whether the path here is an OpenAPI / protobuf one; `publish` whether this type is then its own
 * OpenAPI definition / protobuf message (an inline struct is flattened into its parent's
 * definition; a struct embedded without a protobuf tag, like TypeMeta, has no message).
 */
function visit(short, reach, publish = reach) {
  if (process.env.DEBUG) console.error("visit", short);
  if (publish.openapi) openapiTypes.add(short);
  if (publish.protobuf) protobufTypes.add(short);
  const key = `${short} ${reach.openapi} ${reach.protobuf}`;
  if (walked.has(key)) return;
  walked.add(key);
  if (types.has(short)) {
    for (const row of types.get(short).rows) follow(row, reach);
    return;
  }
  const pkg = short.split('.').slice(0, 2).join('.');
  const name = short.split('.').slice(2).join('.');
  const p = loadPackage(pkg);
  const struct = p.structs.get(name);
  if (!struct) throw new Error(`no Go struct ${short}`);
  const message = p.messages.get(name);
  const rec = { rows: [], required: [], atomic: struct.markers.includes('+structType=atomic') };
  types.set(short, rec);
  for (const f of struct.fields) {
    const [json, ...opts] = (f.tags.json ?? '').split(',');
    if (json === '-') continue;
    const inline = opts.includes('inline');
    const omitempty = opts.includes('omitempty');
    const pb = f.tags.protobuf && !packageDir(pkg).noProto ? Number(f.tags.protobuf.split(',')[1]) : 0;
    const shape = goShape(f.goType, pkg);
    const ov = overrides[`${short}.${json}`];
    let type;
    let list = shape.list;
    let map = shape.map;
    if (pb && !(ov && ov.protobuf === false)) {
      const pf = message?.get(pb);
      if (!pf) throw new Error(`${short}.${json}: no proto field ${pb}`);
      type = pf.type;
      list = pf.repeated && pf.type !== 'y';
      map = pf.map;
    } else {
      type = goScalar(shape.base, pkg) ?? shape.base;
    }
    const flags = `${list ? 'r' : ''}${map ? 'm' : ''}${omitempty ? 'o' : ''}${shape.pointer ? 'p' : ''}${inline ? 'i' : ''}`;
    const row = [inline ? '' : json, type, ov?.protobuf === false ? 0 : pb, flags];
    const extra = fieldExtras(f, shape, pkg);
    if (ov?.openapi) extra.openapi = ov.openapi;
    if (Object.keys(extra).length) row.push(extra);
    rec.rows.push(row);
    if (!inline && !omitempty && !f.markers.includes('+optional')) rec.required.push(json);
    follow(row, reach);
  }
  return rec;
}

/** Go builtin / named string types → the proto scalar letter (fields without a protobuf tag). */
function goScalar(base, pkg) {
  const builtin = { string: 's', int32: 'i', int64: 'l', bool: 'b', '[]byte': 'y', 'types.UID': 's', float64: 'd' };
  if (builtin[base]) return builtin[base];
  const [p, n] = [base.split('.').slice(0, 2).join('.'), base.split('.').slice(2).join('.')];
  if (!n || p !== pkg) return undefined;
  const named = loadPackage(p).named.get(n);
  return named ? goScalar(named.type, pkg) : undefined;
}

/** Patch, apply and enum facts of a field. */
function fieldExtras(f, shape, pkg) {
  const x = {};
  const listType = markerValue(f.markers, 'listType');
  if (listType) x.listType = listType;
  const keys = f.markers.filter((m) => m.startsWith('+listMapKey=')).map((m) => m.slice('+listMapKey='.length));
  if (keys.length) x.listMapKeys = keys;
  if (f.tags.patchStrategy) x.patchStrategy = f.tags.patchStrategy;
  if (f.tags.patchMergeKey) x.patchMergeKey = f.tags.patchMergeKey;
  if (markerValue(f.markers, 'mapType') === 'atomic') x.mapType = 'atomic';
  if (markerValue(f.markers, 'structType') === 'atomic') x.structType = 'atomic';
  const def = markerValue(f.markers, 'default');
  if (def !== undefined) x.default = defaultValue(def, pkg);
  const [p, n] = [shape.base.split('.').slice(0, 2).join('.'), shape.base.split('.').slice(2).join('.')];
  if (n && p === pkg) {
    const named = loadPackage(p).named.get(n);
    if (named?.markers.includes('+enum')) {
      x.enum = [...(loadPackage(p).enums.get(n) ?? [])];
      x.enumType = n;
    }
  }
  return x;
}

/** A +default marker's value: JSON, a bare string, or ref(<Go constant>). */
function defaultValue(marker, pkg) {
  const ref = /^ref\((\w+)\)$/.exec(marker);
  if (ref) {
    const v = loadPackage(pkg).consts.get(ref[1]);
    if (v === undefined) throw new Error(`+default=${marker}: no constant ${ref[1]} in ${pkg}`);
    return v;
  }
  try {
    return JSON.parse(marker);
  } catch {
    return marker;
  }
}

function follow(row, reach) {
  const [, type, pb, flags, extra] = row;
  if (extra?.openapi) return; // an override: kanzen does not walk into it
  if (!type.includes('.') || scalarTypes.has(type) || type.startsWith('types.')) return;
  const next = { openapi: reach.openapi, protobuf: reach.protobuf && pb > 0 };
  visit(type, next, { openapi: next.openapi && !flags.includes('i'), protobuf: next.protobuf });
}

for (const r of roots) visit(r, { openapi: true, protobuf: true });
for (const r of protobufOnlyRoots) visit(r, { openapi: false, protobuf: true });
for (const r of openapiOnlyRoots) visit(r, { openapi: true, protobuf: false });
for (const r of typeOnlyRoots) visit(r, { openapi: false, protobuf: false });

/** Required JSON fields, an inline member's own required fields included (as openapi-gen does). */
function requiredOf(name) {
  const rec = types.get(name);
  const inlined = rec.rows.filter((r) => r[3].includes('i')).flatMap((r) => requiredOf(r[1]));
  return [...rec.required, ...inlined];
}

/** The API group a Go package serves (register.go's GroupName); core and meta have none. */
function groupOf(pkg) {
  if (pkg === 'core' || pkg === 'meta') return '';
  // metrics.k8s.io has no v1; its register.go names the group in every version.
  const { repo, dir } = packageDir(pkg === 'metrics' ? 'metrics.v1beta1' : `${pkg}.v1`);
  const m = /const GroupName = "([\w.]+)"/.exec(git(repo, 'show', `${tag}:${dir}/register.go`));
  if (!m) throw new Error(`no GroupName in ${dir}/register.go`);
  return m[1];
}

const previous = existsSync(factPath) ? JSON.parse(readFileSync(factPath, 'utf8')) : {};
const facts = {
  comment: [
    'Facts of the Kubernetes v1.33 API types kanzen serves, extracted by scripts/gen-api/extract.mjs from',
    `k8s.io/api and k8s.io/apimachinery ${tag}; npm run gen:api renders kanzen's schema tables from it.`,
    'types: proto-style name → { fields: [json, type, protobuf number (0: none), flags, extra?] }.',
    'type: s string, i int32, l int64, b bool, y bytes, d float64, or a type name. flags: r repeated, m map,',
    'o omitempty, p pointer, i inline. extra: listType, listMapKeys, patchStrategy, patchMergeKey,',
    'mapType, structType, default, enum (+ enumType, its Go name), openapi (an override). openapi/protobuf',
    'false: not published as an OpenAPI definition / not decoded as a protobuf message.',
    'explain: kanzen\'s own descriptions (OpenAPI, kubectl explain); descriptions: table column docs.',
    'Both keyed GoType or GoType.field.',
  ],
  upstream: { 'k8s.io/api': tag, 'k8s.io/apimachinery': tag, 'k8s.io/apiextensions-apiserver': tag, 'k8s.io/kube-aggregator': tag, 'k8s.io/metrics': tag },
  groups: Object.fromEntries([...new Set([...types.keys()].map((n) => n.split('.')[0]))].sort().map((p) => [p, groupOf(p)])),
  types: {},
  explain: previous.explain ?? {},
  descriptions: previous.descriptions ?? {},
};
for (const name of [...types.keys()].sort()) {
  const rec = types.get(name);
  const t = {};
  if (!openapiTypes.has(name)) t.openapi = false;
  if (!protobufTypes.has(name)) t.protobuf = false;
  if (rec.atomic) t.structType = 'atomic';
  t.fields = rec.rows;
  const required = requiredOf(name);
  if (required.length) t.required = required;
  facts.types[name] = t;
}
writeFileSync(factPath, formatFacts(facts));
console.log(`wrote ${factPath}: ${types.size} types`);

/** JSON with one field row per line: readable diffs when a kind or field is added. */
function formatFacts(f) {
  const out = ['{'];
  out.push(`  "comment": ${JSON.stringify(f.comment)},`, `  "upstream": ${JSON.stringify(f.upstream)},`, `  "groups": ${JSON.stringify(f.groups)},`, '  "types": {');
  const names = Object.keys(f.types);
  names.forEach((n, i) => {
    const { fields, ...rest } = f.types[n];
    const head = Object.entries(rest).filter(([k]) => k !== 'required').map(([k, v]) => `"${k}": ${JSON.stringify(v)}, `).join('');
    out.push(`    ${JSON.stringify(n)}: {${head}"fields": [`);
    fields.forEach((r, j) => out.push(`      ${JSON.stringify(r)}${j < fields.length - 1 ? ',' : ''}`));
    out.push(`    ]${rest.required ? `, "required": ${JSON.stringify(rest.required)}` : ''}}${i < names.length - 1 ? ',' : ''}`);
  });
  out.push('  },');
  for (const table of ['explain', 'descriptions']) {
    out.push(`  "${table}": {`);
    const d = Object.entries(f[table]);
    d.forEach(([k, v], i) => out.push(`    ${JSON.stringify(k)}: ${JSON.stringify(v)}${i < d.length - 1 ? ',' : ''}`));
    out.push(table === 'descriptions' ? '  }' : '  },');
  }
  out.push('}', '');
  return out.join('\n');
}
