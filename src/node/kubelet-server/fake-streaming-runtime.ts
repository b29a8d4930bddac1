// A StreamingRuntime for tests: exec runs host processes, attach runs a per-container
// script, logs are CRI files a test writes under dir.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ApiError } from '../../api/errors.js';
import type { ContainerLogFile, ContainerRef, StreamingProcess, StreamingRuntime, StreamOptions, TerminalSize } from './streaming-runtime.js';
import { dialPod, ptyCommand, streamingProcessFromChild } from './streaming-runtime.js';
import type { Duplex } from 'node:stream';

export class FakeStreamingRuntime implements StreamingRuntime {
  /** Per container: when it exits (for logs -f); absent = already ended. */
  readonly running = new Map<string, Promise<unknown>>();
  /** Per container: the shell script attach runs. */
  readonly attachScripts = new Map<string, string>();
  /** Containers whose logs fail with this message (400). */
  readonly logErrors = new Map<string, string>();
  readonly resizes: TerminalSize[] = [];
  /** Per "ns/pod": where its ports are (port-forward dials host:<port>). */
  readonly podHosts = new Map<string, string>();

  constructor(readonly dir: string) {}

  static key(ref: ContainerRef): string {
    return `${ref.namespace}/${ref.pod}/${ref.container}`;
  }

  logPath(ref: ContainerRef, previous = false): string {
    return path.join(this.dir, `${ref.namespace}_${ref.pod}_${ref.container}${previous ? '.previous' : ''}.log`);
  }

  containerLogFile(ref: ContainerRef, previous: boolean): ContainerLogFile {
    const err = this.logErrors.get(FakeStreamingRuntime.key(ref));
    if (err) throw ApiError.badRequest(err);
    return { path: this.logPath(ref, previous), exited: previous ? undefined : this.running.get(FakeStreamingRuntime.key(ref)) };
  }

  exec(_ref: ContainerRef, command: string[], opts: StreamOptions): StreamingProcess {
    const argv = opts.tty ? ptyCommand(command, { width: 80, height: 24 }) : command;
    const child = spawn(argv[0], argv.slice(1), { stdio: 'pipe' });
    return streamingProcessFromChild(child, (s) => this.resizes.push(s));
  }

  attach(ref: ContainerRef, _opts: StreamOptions): StreamingProcess {
    const script = this.attachScripts.get(FakeStreamingRuntime.key(ref)) ?? 'cat';
    const child = spawn('sh', ['-c', script], { stdio: 'pipe' });
    return streamingProcessFromChild(child);
  }

  portForward(namespace: string, pod: string, port: number): Promise<Duplex> {
    const host = this.podHosts.get(`${namespace}/${pod}`);
    if (!host) return Promise.reject(new Error(`pod ${namespace}/${pod} is not running on this node`));
    return dialPod(host, port);
  }
}
