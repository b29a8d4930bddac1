// A client for the kanzen (Kubernetes) API, used by every controller, node agent and test.
// Resources are addressed by their ResourceInfo; errors come back as ApiError.
import type { DeleteOptions, KubeList, KubeObject, Status, WatchEvent } from '../api/types.js';
import { findKind, resources, type ResourceInfo } from '../api/resources.js';
import { toApiError, Transport, type TransportOptions } from './transport.js';

export interface ListParams {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchParams extends ListParams {
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export interface WatchHandle {
  stop(): void;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export function resourceFor(resource: string, group = ''): ResourceInfo {
  const info = resources.find((r) => r.resource === resource && r.group === group);
  if (!info) throw new Error(`unknown resource ${group ? `${resource}.${group}` : resource}`);
  return info;
}

function basePath(info: ResourceInfo): string {
  return info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
}

export function resourcePath(info: ResourceInfo, namespace?: string, name?: string, subresource?: string): string {
  let p = basePath(info);
  if (info.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${info.resource}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export class ApiClient {
  readonly transport: Transport;

  constructor(opts: TransportOptions, readonly fieldManager = 'kanzen') {
    this.transport = new Transport(opts);
  }

  private async call<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const r = await this.transport.request(method, path, body, headers);
    if (r.status >= 300) throw toApiError(r.status, r.body);
    // In process, the server hands over the decoded object (its own, a fresh decode): no JSON between.
    if (r.object !== undefined) return r.object as T;
    return JSON.parse(r.body.toString('utf8')) as T;
  }

  get<T extends KubeObject = KubeObject>(info: ResourceInfo, namespace: string | undefined, name: string, subresource?: string): Promise<T> {
    return this.call<T>('GET', resourcePath(info, namespace, name, subresource));
  }

  list<T extends KubeObject = KubeObject>(info: ResourceInfo, namespace?: string, params: ListParams = {}): Promise<KubeList<T>> {
    return this.call<KubeList<T>>('GET', resourcePath(info, namespace) + query({ ...params }));
  }

  create<T extends KubeObject = KubeObject>(info: ResourceInfo, namespace: string | undefined, obj: T): Promise<T> {
    return this.call<T>('POST', resourcePath(info, namespace) + query({ fieldManager: this.fieldManager }), obj);
  }

  update<T extends KubeObject = KubeObject>(info: ResourceInfo, obj: T, subresource?: string): Promise<T> {
    return this.call<T>('PUT', resourcePath(info, obj.metadata.namespace, obj.metadata.name, subresource) + query({ fieldManager: this.fieldManager }), obj);
  }

  updateStatus<T extends KubeObject = KubeObject>(info: ResourceInfo, obj: T): Promise<T> {
    return this.update(info, obj, 'status');
  }

  patch<T extends KubeObject = KubeObject>(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    subresource?: string,
    extra: Record<string, string | boolean> = {},
  ): Promise<T> {
    return this.call<T>('PATCH', resourcePath(info, namespace, name, subresource) + query({ fieldManager: this.fieldManager, ...extra }), patch, {
      'Content-Type': patchContentTypes[type],
    });
  }

  delete(info: ResourceInfo, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject | Status> {
    return this.call<KubeObject | Status>('DELETE', resourcePath(info, namespace, name), { kind: 'DeleteOptions', apiVersion: 'v1', ...opts });
  }

  /** POST to a subresource such as pods/binding. */
  post<T>(info: ResourceInfo, namespace: string | undefined, name: string, subresource: string, body: unknown): Promise<T> {
    return this.call<T>('POST', resourcePath(info, namespace, name, subresource), body);
  }

  /** Events after params.resourceVersion; onEnd is called once when the stream ends (err on failure). */
  watch<T extends KubeObject = KubeObject>(
    info: ResourceInfo,
    namespace: string | undefined,
    params: WatchParams,
    onEvent: (ev: WatchEvent<T>) => void,
    onEnd: (err?: Error) => void,
  ): WatchHandle {
    const path = resourcePath(info, namespace) + query({ ...params, watch: true });
    const s = this.transport.stream(
      path,
      (line) => {
        let ev: WatchEvent<T>;
        try {
          ev = JSON.parse(line) as WatchEvent<T>;
        } catch {
          return;
        }
        onEvent(ev);
      },
      onEnd,
    );
    return { stop: () => s.close() };
  }

  close(): void {
    this.transport.close();
  }
}

/** The ResourceInfo of an object by its apiVersion/kind (or kind alone). */
export function infoOf(obj: { apiVersion?: string; kind?: string }): ResourceInfo | undefined {
  return obj.kind ? findKind(obj.kind) : undefined;
}
