// What a controller test runs against: a real API server (startApiFixture), a
// ControllerContext built as the controller manager builds it, the controllers under test
// started before the shared informers (the manager's order), and optionally a TestKubelet.
import { resourceFor, type ApiClient } from '../client/api-client.js';
import { InformerFactory } from '../client/informer-factory.js';
import { ApiEventRecorder } from '../client/event-recorder.js';
import type { Event, Pod } from '../api/types.js';
import { defaultControllerOptions, type Controller, type ControllerContext, type ControllerOptions } from '../controllers/controller-context.js';
import { silentLogger } from '../util/logger.js';
import { startApiFixture, type ApiFixture } from './api-fixture.js';
import { TestKubelet } from './test-kubelet.js';

const podsResource = resourceFor('pods');
const eventsResource = resourceFor('events');

export interface ControllerHarnessOptions {
  /** Constructors of the controllers under test (e.g. newEndpointsController), started in order. */
  controllers: ((ctx: ControllerContext) => Controller)[];
  /** Overrides of defaultControllerOptions (e.g. a short node grace period). */
  options?: Partial<ControllerOptions>;
  /** Field manager of the client the controllers and the test share (default "test"). */
  fieldManager?: string;
  /** Creates what the controllers must find in their informers' first list. */
  seed?: (client: ApiClient) => Promise<unknown>;
  /** Runs a TestKubelet (binds, runs and readies pods; completes graceful deletions). */
  kubelet?: boolean;
  /** The controllers' clock (default: the real one), for schedule-driven controllers. */
  now?: () => Date;
}

export interface ControllerHarness {
  fixture: ApiFixture;
  client: ApiClient;
  informers: InformerFactory;
  kubelet?: TestKubelet;
  /** Pods in the shared pods informer's cache (kept when a controller under test or the kubelet watches pods). */
  pods(namespace?: string): Pod[];
  /** Every event of the namespace, once the recorders have written what they hold. */
  events(namespace?: string): Promise<Event[]>;
  stop(): Promise<void>;
}

export async function startControllerHarness(opts: ControllerHarnessOptions): Promise<ControllerHarness> {
  const fixture = await startApiFixture();
  const client = fixture.client(opts.fieldManager);
  if (opts.seed) await opts.seed(client);
  const informers = new InformerFactory(client);
  const recorders: ApiEventRecorder[] = [];
  const ctx: ControllerContext = {
    client,
    informers,
    recorder: (component) => {
      const r = new ApiEventRecorder(client, component);
      recorders.push(r);
      return r;
    },
    logger: silentLogger,
    now: opts.now ?? (() => new Date()),
    options: { ...defaultControllerOptions, ...opts.options },
  };
  const controllers = opts.controllers.map((newController) => newController(ctx));
  for (const c of controllers) c.start();
  const kubelet = opts.kubelet ? new TestKubelet(fixture.client('kubelet'), informers.for<Pod>(podsResource)) : undefined;
  informers.start();
  await informers.waitForSync();
  const flush = () => Promise.all(recorders.map((r) => r.flush()));
  return {
    fixture,
    client,
    informers,
    kubelet,
    pods: (namespace = 'default') => informers.for<Pod>(podsResource).list(namespace),
    async events(namespace = 'default') {
      await flush();
      return (await client.list<Event>(eventsResource, namespace)).items;
    },
    async stop() {
      for (const c of controllers) c.stop();
      informers.stop();
      await flush();
      await fixture.stop();
    },
  };
}
