// The process a container of a stored OCI image runs: the image config's Entrypoint, Cmd, Env,
// WorkingDir and User combined with the pod's command/args/env/workingDir/securityContext by
// Kubernetes' rules (containerd CRI WithProcessArgs, WithUser, WithAdditionalGIDs;
// kubelet verifyRunAsNonRoot):
//   - command → command+args; only args → Entrypoint+args; neither → Entrypoint+Cmd;
//     $(VAR) expanded in command and args only;
//   - env: the image's Env, overridden by the container's;
//   - workingDir: the container's, else the image's, else /;
//   - user: runAsUser/runAsGroup, else the image's User (`uid`, `uid:gid`, `name`,
//     `name:group`) resolved in the image's /etc/passwd and /etc/group, which are found
//     through the layers top-down as containerd finds them in the mounted root; additional
//     groups: the user's groups in /etc/group, the primary group, supplementalGroups, fsGroup.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Container, Pod } from '../../api/types.js';
import type { ImageConfig } from '../images/oci.js';
import { ContainerConfigError, expandCommand } from './container-env.js';
import { CreateContainerError, formatPod } from './container-runtime.js';
import { effectiveSecurityContext } from './security-context.js';

export interface ProcessUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

export interface OciProcess {
  argv: string[];
  env: Record<string, string>;
  workingDir: string;
  user: ProcessUser;
}

/** containerd's container IDs: 32 random bytes in hex (the ID its error messages name). */
function containerdID(): string {
  return randomBytes(32).toString('hex');
}

/** upstream WithProcessArgs; throws CreateContainerError when nothing is left to run. */
export function processArgs(config: ImageConfig, container: Pick<Container, 'command' | 'args'>, env: Record<string, string>): string[] {
  const vars = new Map(Object.entries(env));
  let command = expandCommand(container.command, vars);
  let args = expandCommand(container.args, vars) ?? [];
  const image = config.config ?? {};
  if (!command || command.length === 0) {
    if (args.length === 0) args = [...(image.Cmd ?? [])];
    // An Entrypoint of [""] means "no entrypoint" (Docker's reset).
    if (command === undefined && !(image.Entrypoint?.length === 1 && image.Entrypoint[0] === '')) command = [...(image.Entrypoint ?? [])];
  }
  const argv = [...(command ?? []), ...args];
  if (argv.length === 0) throw new CreateContainerError(`failed to generate container "${containerdID()}" spec: no command specified`);
  return argv;
}

/** The image's Env with the container's environment over it. */
export function processEnv(config: ImageConfig, env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of config.config?.Env ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return { ...out, ...env };
}

// ---------------------------------------------------------------------------------------
// The image's /etc/passwd and /etc/group, read through its layers

/**
 * A file of the image as its merged root shows it: the top layer that has the path wins;
 * a whiteout (overlayfs' 0/0 character device) above hides it. Symlinks are followed
 * inside the image.
 */
export function readImageFile(lowerDirs: readonly string[], file: string, hops = 8): string | undefined {
  for (const layer of lowerDirs) {
    const p = path.join(layer, file);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      continue;
    }
    if (st.isCharacterDevice() && st.rdev === 0) return undefined;
    if (st.isSymbolicLink()) {
      if (hops <= 0) return undefined;
      const target = fs.readlinkSync(p);
      return readImageFile(lowerDirs, path.posix.resolve(path.posix.dirname(file), target), hops - 1);
    }
    return st.isFile() ? fs.readFileSync(p, 'utf8') : undefined;
  }
  return undefined;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export function parsePasswd(text: string | undefined): PasswdEntry[] {
  return (text ?? '').split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 4 || line.startsWith('#') || !/^\d+$/.test(f[2]) || !/^\d+$/.test(f[3])) return [];
    return [{ name: f[0], uid: Number(f[2]), gid: Number(f[3]) }];
  });
}

export function parseGroup(text: string | undefined): GroupEntry[] {
  return (text ?? '').split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#') || !/^\d+$/.test(f[2])) return [];
    return [{ name: f[0], gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) }];
  });
}

const numeric = (s: string) => /^\d+$/.test(s);

/** containerd's error for a name that its root's passwd or group file lacks. */
function lookupFailed(what: 'users' | 'groups'): CreateContainerError {
  return new CreateContainerError(`failed to create containerd container: mount callback failed on /var/lib/containerd/tmpmounts/containerd-mount${randomBytes(4).readUInt32BE()}: no ${what} found`);
}

/**
 * The user and groups of the process (containerd WithUser + WithAdditionalGIDs +
 * WithSupplementalGroups): `user` is `uid`, `uid:gid`, `name` or `name:group`.
 */
export function resolveUser(user: string, lowerDirs: readonly string[], supplementalGroups: readonly number[] = []): ProcessUser {
  const passwd = parsePasswd(readImageFile(lowerDirs, '/etc/passwd'));
  const groups = parseGroup(readImageFile(lowerDirs, '/etc/group'));
  const [userPart = '', groupPart] = user.split(':');
  let uid = 0;
  let gid = 0;
  let entry: PasswdEntry | undefined;
  if (userPart === '') {
    entry = passwd.find((e) => e.uid === 0);
  } else if (numeric(userPart)) {
    uid = Number(userPart);
    entry = passwd.find((e) => e.uid === uid);
    // A uid without a passwd entry runs with gid 0 (WithUserID).
    gid = entry?.gid ?? 0;
  } else {
    entry = passwd.find((e) => e.name === userPart);
    if (!entry) throw lookupFailed('users');
    uid = entry.uid;
    gid = entry.gid;
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (numeric(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw lookupFailed('groups');
      gid = g.gid;
    }
  }
  const memberOf = entry ? groups.filter((g) => g.members.includes(entry!.name)).map((g) => g.gid) : [];
  const additionalGids = [...new Set([gid, ...memberOf, ...supplementalGroups])].sort((a, b) => a - b);
  return { uid, gid, additionalGids };
}

/**
 * The user string CRI builds from runAsUser/runAsGroup (generateUserString), or the image's
 * User when neither is set.
 */
function userString(config: ImageConfig, runAsUser: number | undefined, runAsGroup: number | undefined): string {
  if (runAsUser === undefined) {
    if (runAsGroup !== undefined) throw new CreateContainerError(`failed to get container spec opts: failed to generate user string: user group "${runAsGroup}" is specified without user`);
    return config.config?.User ?? '';
  }
  return runAsGroup === undefined ? String(runAsUser) : `${runAsUser}:${runAsGroup}`;
}

/** kubelet verifyRunAsNonRoot, against the image's User as the image status reports it. */
export function verifyRunAsNonRoot(config: ImageConfig, container: Pick<Container, 'name' | 'securityContext'>, pod: Pod): void {
  const sc = effectiveSecurityContext(pod, container);
  if (!sc.runAsNonRoot) return;
  const where = `(pod: ${JSON.stringify(formatPod(pod))}, container: ${container.name})`;
  if (sc.runAsUser !== undefined) {
    if (sc.runAsUser === 0) throw new ContainerConfigError(`container's runAsUser breaks non-root policy ${where}`);
    return;
  }
  const imageUser = (config.config?.User ?? '').split(':')[0];
  if (imageUser === '' || (numeric(imageUser) && Number(imageUser) === 0)) throw new ContainerConfigError(`container has runAsNonRoot and image will run as root ${where}`);
  if (!numeric(imageUser)) throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${imageUser}), cannot verify user is non-root ${where}`);
}

/**
 * The container's process for an OCI image. `env` is the container's resolved environment
 * (env, envFrom, service variables); `rootLowerDirs` the image's layers, top first. The pod
 * gives the pod-level securityContext and the names runAsNonRoot errors carry.
 * Throws CreateContainerError / ContainerConfigError as the kubelet reports them.
 */
export function ociProcess(config: ImageConfig, container: Container, env: Record<string, string>, rootLowerDirs: string[], pod?: Pod): OciProcess {
  if (pod) verifyRunAsNonRoot(config, container, pod);
  const argv = processArgs(config, container, env);
  return {
    argv,
    env: processEnv(config, env),
    workingDir: container.workingDir || config.config?.WorkingDir || '/',
    user: processUser(config, container, rootLowerDirs, pod),
  };
}

/** The user and groups the container's process runs as (runAsUser/runAsGroup, else the image's User). */
export function processUser(config: ImageConfig, container: Pick<Container, 'securityContext'>, rootLowerDirs: readonly string[], pod?: Pick<Pod, 'spec'>): ProcessUser {
  const sc = effectiveSecurityContext(pod, container);
  return resolveUser(userString(config, sc.runAsUser, sc.runAsGroup), rootLowerDirs, sc.supplementalGroups);
}
