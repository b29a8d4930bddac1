// Field selectors as k8s.io/apimachinery/pkg/fields (selector.go), plus the per-kind
// selectable fields of the registries (`*ToSelectableFields`) and the field-label
// conversion functions that decide which fields a kind accepts (pkg/apis/core/v1
// conversion.go; runtime.DefaultMetaV1FieldSelectorConversion for everything else).
import { ApiError } from './errors.js';
import type { Event, KubeObject, Namespace, Node, Pod, ReplicaSet, Secret, Service } from './types.js';

export interface FieldRequirement {
  field: string;
  /** `==` parses to `=` (both are selection.Equals upstream). */
  operator: '=' | '!=';
  value: string;
}

/** fields.splitTerms: commas split terms unless backslash-escaped (the backslash stays). */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// "==" is tried before "=" so the value does not keep a leading "=".
const termOperators = ['!=', '==', '='] as const;

function splitTerm(term: string): [string, (typeof termOperators)[number], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** fields.UnescapeValue: `\\`, `\,`, `\=` are the only escapes; bare `,`/`=` are errors. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw new Error(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // Go prints the rune with %v: its code point number.
    else if (c === ',' || c === '=') throw new Error(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new Error('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.EscapeValue. */
export function escapeFieldValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

/**
 * fields.ParseSelector for `?fieldSelector=`. Terms come back sorted as upstream
 * sorts them; empty terms are skipped. Throws ApiError 400 with upstream's text.
 */
export function parseFieldSelector(s: string): FieldRequirement[] {
  const parts = splitTerms(s).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw ApiError.badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const [lhs, op, rhs] = split;
    let value: string;
    try {
      value = unescapeFieldValue(rhs);
    } catch (e) {
      throw ApiError.badRequest((e as Error).message);
    }
    reqs.push({ field: lhs, operator: op === '!=' ? '!=' : '=', value });
  }
  return reqs;
}

/** Selector.Matches: a field the object lacks reads as "" (fields.Set.Get). */
export function matchFields(reqs: FieldRequirement[], fieldsOf: Record<string, string>): boolean {
  return reqs.every((r) => {
    const have = fieldsOf[r.field] ?? '';
    return r.operator === '=' ? have === r.value : have !== r.value;
  });
}

/** Selector.String(): `a=b,c!=d` with values escaped. */
export function fieldSelectorString(reqs: FieldRequirement[]): string {
  return reqs.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}

/** RequiresExactMatch: the value an `=` term demands for this field, if any. */
export function fieldRequiresExactMatch(reqs: FieldRequirement[], fieldName: string): string | undefined {
  return reqs.find((r) => r.field === fieldName && r.operator === '=')?.value;
}

// ---- which fields each kind accepts (field label conversion funcs) ----

// Kinds with a conversion func answer unknown labels with "field label not supported";
// all other kinds fall back to metav1's default, which knows only name and namespace.
const acceptedFieldLabels: Record<string, string[]> = {
  Pod: [
    'metadata.name',
    'metadata.namespace',
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
  ],
  Node: ['metadata.name', 'spec.unschedulable'],
  ReplicationController: ['metadata.name', 'metadata.namespace', 'status.replicas'],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
    'metadata.namespace',
    'metadata.name',
  ],
  Namespace: ['status.phase', 'metadata.name'],
  Secret: ['type', 'metadata.namespace', 'metadata.name'],
  Service: ['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type'],
};

/**
 * The 400 message for a field label `kind` does not accept, or undefined when it is
 * accepted. Note apps/v1 registers no conversion func, so a ReplicaSet accepts only
 * metadata.name/metadata.namespace even though its registry exposes status.replicas.
 */
export function unsupportedField(kind: string, fieldName: string): string | undefined {
  const accepted = acceptedFieldLabels[kind];
  if (accepted) {
    if (accepted.includes(fieldName) || (kind === 'Pod' && fieldName === 'spec.host')) return undefined;
    return `field label not supported: ${fieldName}`;
  }
  if (fieldName === 'metadata.name' || fieldName === 'metadata.namespace') return undefined;
  return `"${fieldName}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
}

/**
 * Selector.Transform(ConvertFieldLabel) as the list/watch handler runs it: rejects
 * unsupported labels with 400 BadRequest and maps the legacy Pod `spec.host` to
 * `spec.nodeName`.
 */
export function convertFieldSelector(kind: string, reqs: FieldRequirement[]): FieldRequirement[] {
  return reqs.map((r) => {
    const msg = unsupportedField(kind, r.field);
    if (msg) throw ApiError.badRequest(msg);
    if (kind === 'Pod' && r.field === 'spec.host') return { ...r, field: 'spec.nodeName' };
    return r;
  });
}

// ---- selectable field values per kind (registry *ToSelectableFields) ----

/** generic.ObjectMetaFieldsSet: cluster-scoped kinds expose only metadata.name. */
function objectMetaFields(obj: KubeObject, namespaced: boolean): Record<string, string> {
  const f: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (namespaced) f['metadata.namespace'] = obj.metadata.namespace ?? '';
  return f;
}

const clusterScoped = new Set(['Node', 'Namespace', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'IngressClass']);

function podFields(pod: Pod): Record<string, string> {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  return {
    'spec.nodeName': spec.nodeName ?? '',
    'spec.restartPolicy': spec.restartPolicy ?? '',
    'spec.schedulerName': spec.schedulerName ?? '',
    'spec.serviceAccountName': spec.serviceAccountName ?? '',
    'spec.hostNetwork': String(spec.hostNetwork === true),
    'status.phase': status.phase ?? '',
    // The registry takes the first of status.podIPs (podIP mirrors it).
    'status.podIP': status.podIPs?.[0]?.ip ?? status.podIP ?? '',
    'status.nominatedNodeName': status.nominatedNodeName ?? '',
  };
}

function eventFields(ev: Event): Record<string, string> {
  const io = ev.involvedObject ?? {};
  return {
    'involvedObject.kind': io.kind ?? '',
    'involvedObject.namespace': io.namespace ?? '',
    'involvedObject.name': io.name ?? '',
    'involvedObject.uid': io.uid ?? '',
    'involvedObject.apiVersion': io.apiVersion ?? '',
    'involvedObject.resourceVersion': io.resourceVersion ?? '',
    'involvedObject.fieldPath': io.fieldPath ?? '',
    reason: ev.reason ?? '',
    reportingComponent: ev.reportingComponent ?? '',
    // events.k8s.io writers fill only reportingController; "source" falls back to it.
    source: ev.source?.component || ev.reportingComponent || '',
    type: ev.type ?? '',
  };
}

/** The fields.Set a kind's registry matches field selectors against. */
export function objectFields(kind: string, obj: KubeObject): Record<string, string> {
  const meta = objectMetaFields(obj, !clusterScoped.has(kind));
  switch (kind) {
    case 'Pod':
      return { ...meta, ...podFields(obj as Pod) };
    case 'Event':
      return { ...meta, ...eventFields(obj as Event) };
    case 'Node':
      return { ...meta, 'spec.unschedulable': String((obj as Node).spec?.unschedulable === true) };
    case 'Namespace':
      return { ...meta, 'status.phase': (obj as Namespace).status?.phase ?? '' };
    case 'Secret':
      return { ...meta, type: (obj as Secret).type ?? '' };
    case 'Service': {
      const spec = (obj as Service).spec ?? {};
      return { ...meta, 'spec.clusterIP': spec.clusterIP ?? '', 'spec.type': spec.type ?? '' };
    }
    case 'ReplicaSet':
      return { ...meta, 'status.replicas': String((obj as ReplicaSet).status?.replicas ?? 0) };
    default:
      return meta;
  }
}
