// Runs the control-plane controllers in the daemon (upstream kube-controller-manager plus
// the scheduler): one API client (in the daemon, straight to the API server's handler), one
// set of shared informers, one event recorder per component. The informers start and list first; the controllers start
// only once every cache has synced (upstream WaitForCacheSync before the workers run): a
// controller working from a half-listed cache — a ReplicaSet seen before its pods, a pod
// before its Node — would create surplus pods or drop endpoints, which after a daemon
// restart would disturb a cluster that is running fine. Their handlers, added late, replay
// the caches as adds.
import { ApiClient } from '../client/api-client.js';
import type { InProcessServer } from '../client/transport.js';
import { InformerFactory } from '../client/informer-factory.js';
import { ApiEventRecorder, type EventRecorder } from '../client/event-recorder.js';
import type { Logger } from '../util/logger.js';
import { defaultControllerOptions, type Controller, type ControllerContext, type ControllerOptions } from './controller-context.js';
import { controllerConstructors } from './controllers.js';
import { allControllers, controllerEnabled, unknownControllerErrors } from './controller-selection.js';

export interface ControllerManager {
  context: ControllerContext;
  /** Resolves once the caches have synced and the controllers run. */
  ready: Promise<void>;
  stop(): void;
}

export function startControllerManager(opts: {
  socketPath: string;
  inProcess?: InProcessServer;
  logger: Logger;
  options?: Partial<ControllerOptions>;
  /** Which controllers run (upstream --controllers; default '*'). Throws on an unknown name. */
  controllers?: readonly string[];
}): ControllerManager {
  const client = new ApiClient({ socketPath: opts.socketPath, inProcess: opts.inProcess }, 'kube-controller-manager');
  const informers = new InformerFactory(client, opts.logger, { stripManagedFields: true });
  const recorders = new Map<string, EventRecorder>();
  const context: ControllerContext = {
    client,
    informers,
    recorder(component) {
      let r = recorders.get(component);
      if (!r) recorders.set(component, (r = new ApiEventRecorder(client, component, undefined, opts.logger)));
      return r;
    },
    logger: opts.logger,
    now: () => new Date(),
    options: { ...defaultControllerOptions, ...(opts.options ?? {}) },
  };
  // Building a controller only creates it (handlers are wired in start), so the names are
  // known before any runs.
  const selection = opts.controllers ?? allControllers;
  const built: Controller[] = controllerConstructors.map((make) => make(context));
  const errors = unknownControllerErrors(selection, built.map((c) => c.name));
  if (errors.length) {
    client.close();
    throw new Error(`--controllers: ${errors.join(', ')}`);
  }
  const controllers = built.filter((c) => controllerEnabled(c.name, selection));
  let stopped = false;
  let started = false;
  informers.start();
  const ready = informers.waitForSync().then(() => {
    if (stopped) return;
    started = true;
    for (const c of controllers) {
      c.start();
      opts.logger.info('controller started', { controller: c.name });
    }
  });
  return {
    context,
    ready,
    stop() {
      stopped = true;
      if (started) for (const c of controllers) c.stop();
      informers.stop();
      client.close();
    },
  };
}
