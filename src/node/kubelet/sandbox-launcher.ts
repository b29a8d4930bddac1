// The runtime's ContainerLauncher for the `netns` runtime. A container of a stored OCI image
// is runc's (runc-launcher.ts); any other (the built-in stand-ins) starts inside its pod's
// sandbox (../sandbox-exec.ts), with the pod's volumes bound at their mountPaths and
// the image's writable paths overlaid (seeded once per pod from the catalog), its stdout and
// stderr going into its output FIFOs (container-output.ts), its stdin the FIFO of container-stdin.ts
// when it has one, on a pty when it asks for a tty, and in cgroups with its resource limits
// (container-limits.ts) when the machine allows it.
import fs from 'node:fs';
import path from 'node:path';
import { allContainers } from '../../api/pod-containers.js';
import type { Container, Pod } from '../../api/types.js';
import { createLogger, type Logger } from '../../util/logger.js';
import type { ResolvedImage as CatalogImage } from '../image-catalog.js';
import { podClaimLink, volumeHostPath, type PodSandbox } from '../pod-sandbox.js';
import { isOciLaunch } from '../images/oci-launch.js';
import { execInSandbox, startContainer, type ContainerMount, type ImagePath } from '../sandbox-exec.js';
import { openAppend, type ContainerExec, type ContainerExecTarget, type ContainerLauncher, type ExitInfo, type LaunchedProcess, type LaunchSpec } from './container-launcher.js';
import { ContainerLimits } from './container-limits.js';
import { RuncLauncher } from './runc-launcher.js';

/**
 * The container's volumeMounts as bind mounts (subPath joined onto the volume's folder).
 *
 * A hostPath volume of the node's root (`/`, as `kubectl debug node/…` mounts at /host) is
 * copy-on-write. In kind, /host is the node container's own root: a debug shell sees the
 * node's files and what it writes stays in that node container. A kanzen node is a network
 * namespace on this machine with no filesystem of its own, so its root is the machine's:
 * the shell sees it as it is, and its writes land in the pod's folder, not on the machine.
 */
export function containerMounts(pod: Pod, c: Container, podDir: string): ContainerMount[] {
  const out: ContainerMount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = pod.spec.volumes?.find((x) => x.name === m.name);
    const link = v && volumeHostPath(podDir, v);
    if (!link) continue;
    // A claim's folder is a link to its volume's directory: runc and the sandbox bind the target.
    const host = podClaimLink(podDir, v) === link && fs.existsSync(link) ? fs.realpathSync(link) : link;
    const source = m.subPath ? path.join(host, m.subPath) : host;
    if (m.subPath && !fs.existsSync(source)) fs.mkdirSync(source, { recursive: true });
    const nodeRoot = !!v.hostPath && path.resolve(source) === '/';
    const readOnly = m.readOnly || v.persistentVolumeClaim?.readOnly;
    out.push({ hostPath: source, containerPath: m.mountPath, readOnly, ...(nodeRoot ? { copyOnWrite: true } : {}) });
  }
  return out;
}

/** The image's writable paths; the seeded one gets the pod's private copy of the image's content. */
export function imagePathsFor(image: CatalogImage | undefined, podDir: string, container: string): ImagePath[] {
  if (!image) return [];
  return image.writablePaths.map((p) => {
    if (p !== image.seedPath || !image.seed) return { path: p };
    const seedDir = path.join(podDir, 'images', container, p.replaceAll('/', '_'));
    if (!fs.existsSync(seedDir)) {
      fs.mkdirSync(seedDir, { recursive: true });
      image.seed(seedDir);
    }
    return { path: p, seedDir };
  });
}

export interface SandboxLauncherOptions {
  /** The sandbox of a pod, by UID. */
  sandbox(podUID: string): PodSandbox | undefined;
  pod(podUID: string): Pod | undefined;
  /** Host directories the built-in programs need inside the container (kanzen's install directory). */
  hostPaths?: string[];
  /** Where a limit that cannot be enforced is reported (once per controller). */
  logger?: Logger;
  /** Resource limits through cgroups (default on; false: none, e.g. tests without root). */
  limits?: ContainerLimits | false;
}

export class SandboxLauncher implements ContainerLauncher {
  private readonly limits: ContainerLimits | undefined;
  readonly runc: RuncLauncher;

  constructor(private readonly opts: SandboxLauncherOptions) {
    this.limits = opts.limits === false ? undefined : (opts.limits ?? new ContainerLimits(opts.logger ?? createLogger('kubelet/cgroups')));
    this.runc = new RuncLauncher({ sandbox: opts.sandbox, pod: opts.pod, logger: opts.logger?.child('runc') });
  }

  async start(spec: LaunchSpec): Promise<LaunchedProcess> {
    if (isOciLaunch(spec.image)) return this.runc.start(spec);
    const sandbox = this.opts.sandbox(spec.podUID);
    const pod = this.opts.pod(spec.podUID);
    if (!sandbox || !pod) throw new Error(`no sandbox for pod ${spec.podUID}`);
    const c = allContainers(pod.spec).find((x) => x.name === spec.container);
    const image = spec.image as CatalogImage | undefined;
    const out = openAppend(spec.stdoutPath);
    const err = openAppend(spec.stderrPath);
    try {
      const proc = await startContainer({
        sandbox,
        name: spec.container,
        argv: spec.argv,
        env: Object.entries(spec.env),
        workingDir: spec.workingDir,
        mounts: c ? containerMounts(pod, c, sandbox.podDir) : [],
        imagePaths: imagePathsFor(image, sandbox.podDir, spec.container),
        // An image with its own root has no use for kanzen's programs: the host stays out of sight.
        rootDir: image?.rootDir,
        hostPaths: image?.rootDir ? [] : this.opts.hostPaths,
        stdin: spec.stdin,
        stdout: out,
        stderr: err,
        tty: spec.tty,
        sharePidWith: spec.sharePidWith,
        hostIPC: pod.spec.hostIPC === true,
      });
      const limits = c && this.limits?.apply(sandbox.cluster, spec.podUID, c, proc.pid);
      if (!limits || limits.groups.length === 0) return { pid: proc.pid, exited: proc.exited };
      const exited = proc.exited.then((e): ExitInfo => (limits.oomKilled() ? { ...e, oomKilled: true } : e));
      return { pid: proc.pid, exited };
    } finally {
      fs.closeSync(out);
      fs.closeSync(err);
    }
  }

  adopt(podUID: string, container: string, pid: number): LaunchedProcess | undefined {
    return this.runc.adopt(podUID, container, pid);
  }

  /** runc's containers through `runc exec`; the others by entering their namespaces. */
  exec(target: ContainerExecTarget, argv: string[], opts: { tty?: boolean; stdin?: boolean }): ContainerExec {
    if (this.runc.owns(target)) return this.runc.exec(target, argv, opts);
    const child = execInSandbox(target.pid, argv, opts);
    return {
      process: child,
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  }

  helperArgv(podUID: string, argv: string[]): string[] {
    const sandbox = this.opts.sandbox(podUID);
    return sandbox ? ['nsenter', `--net=${sandbox.netnsPath}`, '--', ...argv] : argv;
  }
}
