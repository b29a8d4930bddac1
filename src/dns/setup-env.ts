// What a plugin's setup receives and returns (CoreDNS's caddy.Controller + dnsserver.Config
// in one small interface): its directive, the server block's zones, shared process state
// (logger, metrics, the API-backed records index) and lifecycle hooks.
import type { Directive } from './corefile.js';
import type { Registry } from './metrics.js';
import type { Plugin } from './plugin.js';
import type { Logger } from '../util/logger.js';
import type { ClusterWatch } from './plugins/kubernetes/watch.js';

export interface SetupEnv {
  directive: Directive;
  /** The server block's zones (lower-case, absolute). */
  zones: string[];
  /** The address label of the server block, e.g. dns://:53. */
  serverLabel: string;
  /** The address the DNS listeners bind (loop sends its probe there). */
  listen: { host: string; port: number };
  logger: Logger;
  metrics: Registry;
  /** The shared records index fed by informers (null when no API is configured). */
  cluster(): ClusterWatch | null;
  /** Registers a readiness reporter (the ready plugin asks each one). */
  reportReady(name: string, ready: () => boolean): void;
  now(): number;
  /** A fatal condition (loop detected): CoreDNS logs and exits; the program decides. */
  fatal(msg: string): void;
}

export interface PluginInstance {
  plugin?: Plugin;
  /** Called after every plugin of every block is set up (HTTP listeners, probes). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export class SetupError extends Error {}

/** CoreDNS's "plugin/NAME: …" error prefix. */
export function setupError(plugin: string, line: number, msg: string): SetupError {
  return new SetupError(`plugin/${plugin}: Corefile:${line} - Error during parsing: ${msg}`);
}

export type Setup = (env: SetupEnv) => PluginInstance;
