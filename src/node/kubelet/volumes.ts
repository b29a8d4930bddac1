// The payloads of a pod's configMap, secret, downwardAPI and projected volumes (upstream
// pkg/volume/{configmap,secret,downwardapi,projected}): which files with which content. The
// writing itself (atomic ..data swap) is pod-sandbox.ts's writeVolumeFiles. emptyDir needs
// only its folder (made by the sandbox, a tmpfs for medium Memory); hostPath is checked
// against its type (pkg/volume/hostpath) and bound as is; a persistentVolumeClaim is
// resolved to its bound volume's directory (setUpHostVolume).
//
// Payloads are recomputed when a source changes (the kubelet watches the ConfigMaps and
// Secrets its pods' volumes name, volumeSourceRefs) and written only when they differ from
// what the volume holds (volumeContentMatches), as AtomicWriter skips an unchanged payload.
import fs from 'node:fs';
import path from 'node:path';
import type { ConfigMap, DownwardAPIVolumeFile, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Volume } from '../../api/types.js';
import { volumeClaimName } from '../../api/storage-helpers.js';
import { ContainerConfigError, podFieldValue, resourceFieldValue, type EnvSources } from './container-env.js';

export interface VolumePayload {
  files: Record<string, string | Buffer>;
  mode: number;
}

/** A mount failure (event FailedMount "MountVolume.SetUp failed for volume …"). */
export class VolumeSetupError extends Error {}

type KeyItems = { key: string; path: string; mode?: number }[] | undefined;

function projectKeys(data: Record<string, string | Buffer>, items: KeyItems, kind: string, ns: string, name: string, optional: boolean | undefined): Record<string, string | Buffer> {
  if (!items?.length) return { ...data };
  const out: Record<string, string | Buffer> = {};
  for (const it of items) {
    if (!(it.key in data)) {
      if (optional) continue;
      throw new VolumeSetupError(`configmap references non-existent config key: ${it.key}`.replace('configmap', kind === 'Secret' ? 'secret' : 'configmap'));
    }
    out[it.path] = data[it.key];
  }
  void ns;
  void name;
  return out;
}

function configMapData(cm: ConfigMap): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = { ...(cm.data ?? {}) };
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

function secretData(s: Secret): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64');
  for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = v;
  return out;
}

function downwardFiles(pod: Pod, items: DownwardAPIVolumeFile[], hostIP: string, podIP: string | undefined, allocatable: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of items) {
    try {
      if (it.fieldRef) out[it.path] = podFieldValue(pod, it.fieldRef.fieldPath, hostIP, podIP);
      else if (it.resourceFieldRef) {
        const c = pod.spec.containers.find((x) => x.name === it.resourceFieldRef!.containerName) ?? pod.spec.containers[0];
        out[it.path] = resourceFieldValue(it.resourceFieldRef, c, allocatable);
      }
    } catch (e) {
      if (e instanceof ContainerConfigError) throw new VolumeSetupError(e.message);
      throw e;
    }
  }
  return out;
}

export interface VolumeContext {
  pod: Pod;
  hostIP: string;
  podIP?: string;
  allocatable?: Record<string, string>;
  sources: EnvSources;
  /** The token of a serviceAccountToken projection, bound to this pod. */
  serviceAccountToken?: (src: { audience?: string; expirationSeconds?: number }) => Promise<string>;
}

/** The files of one volume, or undefined for volumes without a payload (emptyDir, hostPath, unknown). */
export async function volumePayload(v: Volume, ctx: VolumeContext): Promise<VolumePayload | undefined> {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  if (v.configMap) {
    const name = v.configMap.name ?? '';
    const cm = await ctx.sources.configMap(ns, name);
    if (!cm) {
      if (v.configMap.optional) return { files: {}, mode: v.configMap.defaultMode ?? 0o644 };
      throw new VolumeSetupError(`configmap "${name}" not found`);
    }
    return { files: projectKeys(configMapData(cm), v.configMap.items, 'ConfigMap', ns, name, v.configMap.optional), mode: v.configMap.defaultMode ?? 0o644 };
  }
  if (v.secret) {
    const name = v.secret.secretName ?? '';
    const s = await ctx.sources.secret(ns, name);
    if (!s) {
      if (v.secret.optional) return { files: {}, mode: v.secret.defaultMode ?? 0o644 };
      throw new VolumeSetupError(`secret "${name}" not found`);
    }
    return { files: projectKeys(secretData(s), v.secret.items, 'Secret', ns, name, v.secret.optional), mode: v.secret.defaultMode ?? 0o644 };
  }
  if (v.downwardAPI) {
    return { files: downwardFiles(ctx.pod, v.downwardAPI.items ?? [], ctx.hostIP, ctx.podIP, ctx.allocatable ?? {}), mode: v.downwardAPI.defaultMode ?? 0o644 };
  }
  if (v.projected) {
    const files: Record<string, string | Buffer> = {};
    for (const src of v.projected.sources ?? []) {
      if (src.configMap) {
        const p = await volumePayload({ name: v.name, configMap: src.configMap }, ctx);
        Object.assign(files, p?.files);
      } else if (src.secret) {
        const p = await volumePayload({ name: v.name, secret: { secretName: src.secret.name, items: src.secret.items, optional: src.secret.optional } }, ctx);
        Object.assign(files, p?.files);
      } else if (src.downwardAPI) {
        Object.assign(files, downwardFiles(ctx.pod, src.downwardAPI.items ?? [], ctx.hostIP, ctx.podIP, ctx.allocatable ?? {}));
      } else if (src.serviceAccountToken) {
        files[src.serviceAccountToken.path] = (await ctx.serviceAccountToken?.(src.serviceAccountToken)) ?? '';
      }
    }
    return { files, mode: v.projected.defaultMode ?? 0o644 };
  }
  return undefined;
}

/** The ConfigMaps and Secrets (by name, in the pod's namespace) a pod's volumes project. */
export interface VolumeSourceRefs {
  configMaps: Set<string>;
  secrets: Set<string>;
}

export function volumeSourceRefs(pod: Pod): VolumeSourceRefs {
  const refs: VolumeSourceRefs = { configMaps: new Set(), secrets: new Set() };
  for (const v of pod.spec.volumes ?? []) {
    if (v.configMap) refs.configMaps.add(v.configMap.name ?? '');
    if (v.secret) refs.secrets.add(v.secret.secretName ?? '');
    for (const src of v.projected?.sources ?? []) {
      if (src.configMap) refs.configMaps.add(src.configMap.name ?? '');
      if (src.secret) refs.secrets.add(src.secret.name ?? '');
    }
  }
  return refs;
}

/** Whether the pod has a downwardAPI file (volume or projection): its labels/annotations are live. */
export function hasDownwardAPIVolume(pod: Pod): boolean {
  return (pod.spec.volumes ?? []).some((v) => v.downwardAPI || (v.projected?.sources ?? []).some((s) => s.downwardAPI));
}

const dataDirName = '..data';

function filesUnder(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesUnder(root, p));
    else out.push(p);
  }
  return out;
}

/**
 * Whether the volume directory already holds exactly this payload behind its `..data` link
 * (upstream AtomicWriter: same set of paths, same bytes; then nothing is written).
 */
export function volumeContentMatches(dir: string, files: Record<string, string | Buffer>): boolean {
  let dataDir: string;
  try {
    dataDir = path.join(dir, fs.readlinkSync(path.join(dir, dataDirName)));
  } catch {
    return false;
  }
  try {
    const onDisk = filesUnder(dataDir);
    const wanted = Object.keys(files).map((p) => path.posix.normalize(p));
    if (onDisk.length !== wanted.length) return false;
    const have = new Set(onDisk);
    for (const [p, content] of Object.entries(files)) {
      const rel = path.posix.normalize(p);
      if (!have.has(rel)) return false;
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      if (!fs.readFileSync(path.join(dataDir, rel)).equals(bytes)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** The claims and volumes the kubelet reads to set up a persistentVolumeClaim volume. */
export interface ClaimSources {
  claim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  volume(name: string): Promise<PersistentVolume | undefined>;
}

function fileKind(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** What each hostPath type requires of the path (its name in the message, its test). */
const hostPathTypeChecks: Record<string, [what: string, ok: (st: fs.Stats) => boolean]> = {
  Directory: ['directory', (st) => st.isDirectory()],
  DirectoryOrCreate: ['directory', (st) => st.isDirectory()],
  File: ['file', (st) => st.isFile()],
  FileOrCreate: ['file', (st) => st.isFile()],
  Socket: ['socket file', (st) => st.isSocket()],
  CharDevice: ['character device', (st) => st.isCharacterDevice()],
  BlockDevice: ['block device', (st) => st.isBlockDevice()],
};

/** Makes a missing path of an OrCreate type: a directory (mkdir -p, 0755), or a file whose parent must exist (O_CREATE). */
function makeHostPath(p: string, type: string): void {
  if (type === 'DirectoryOrCreate') {
    fs.mkdirSync(p, { recursive: true, mode: 0o755 });
    return;
  }
  try {
    fs.closeSync(fs.openSync(p, 'a', 0o644));
  } catch (e) {
    throw new VolumeSetupError(`open ${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
}

/** checkTypeInternal (pkg/volume/hostpath): the path is what the type says, made when it says OrCreate. */
export function checkHostPathType(p: string, type: string | undefined): void {
  if (!type) return;
  const check = hostPathTypeChecks[type];
  if (!check) throw new VolumeSetupError(`${type} is an invalid volume type`);
  const st = fileKind(p);
  if (!st && type.endsWith('OrCreate')) return makeHostPath(p, type);
  if (!st || !check[1](st)) throw new VolumeSetupError(`hostPath type check failed: ${p} is not a ${check[0]}`);
}

/** The directory of a bound claim's volume (getPVCExtractPV, then the volume's source). */
export async function claimVolumePath(namespace: string, claimName: string, sources: ClaimSources): Promise<string> {
  const pvc = await sources.claim(namespace, claimName);
  if (!pvc) throw new VolumeSetupError(`persistentvolumeclaim "${claimName}" not found`);
  if (pvc.status?.phase !== 'Bound' || !pvc.spec.volumeName) {
    throw new VolumeSetupError(`PVC ${namespace}/${claimName} has non-bound phase (${JSON.stringify(pvc.status?.phase ?? '')}) or empty pvc.Spec.VolumeName (${JSON.stringify(pvc.spec.volumeName ?? '')})`);
  }
  const pv = await sources.volume(pvc.spec.volumeName);
  if (!pv) throw new VolumeSetupError(`persistentvolumes "${pvc.spec.volumeName}" not found`);
  if (pv.spec.hostPath) {
    checkHostPathType(pv.spec.hostPath.path, pv.spec.hostPath.type);
    return pv.spec.hostPath.path;
  }
  if (pv.spec.local) {
    if (!fileKind(pv.spec.local.path)) throw new VolumeSetupError(`path "${pv.spec.local.path}" does not exist`);
    return pv.spec.local.path;
  }
  throw new VolumeSetupError(`volume ${pv.metadata.name} has a source kanzen's kubelet does not mount (only hostPath and local)`);
}

/**
 * Sets up the volumes that live outside the pod directory: a hostPath's type check, and a
 * claim's link (podClaimLink) to its volume's directory, so that what a pod writes outlives it.
 */
export async function setUpHostVolume(v: Volume, pod: Pod, link: string | undefined, sources: ClaimSources): Promise<void> {
  if (v.hostPath) checkHostPathType(v.hostPath.path, v.hostPath.type);
  const claimName = volumeClaimName(pod, v);
  if (!claimName || !link) return;
  const target = await claimVolumePath(pod.metadata.namespace ?? 'default', claimName, sources);
  let current: string | undefined;
  try {
    current = fs.readlinkSync(link);
  } catch {
    current = undefined;
  }
  if (current === target) return;
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.rmSync(link, { force: true });
  fs.symlinkSync(target, link);
}
