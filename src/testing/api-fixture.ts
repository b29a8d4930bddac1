// An API server on a unix socket over the in-memory store, for unit tests of anything
// that talks to the API (controllers, informers, node agents). Its clients reach it as the
// daemon's controllers and kubelets do, in process (client/transport.ts); a test that needs
// the socket itself makes its own client on socketPath.
import fs from 'node:fs';
import { after, before } from 'node:test';
import os from 'node:os';
import path from 'node:path';
import { MemoryStore } from '../store/memory-store.js';
import { ApiServer } from '../apiserver/server.js';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { ApiClient } from '../client/api-client.js';
import { silentLogger } from '../util/logger.js';

export interface ApiFixture {
  server: ApiServer;
  store: MemoryStore;
  socketPath: string;
  /** A new client (closed by stop()). */
  client(fieldManager?: string): ApiClient;
  stop(): Promise<void>;
}

export async function startApiFixture(): Promise<ApiFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-api-'));
  const socketPath = path.join(dir, 'api.sock');
  const store = new MemoryStore();
  const server = new ApiServer({
    store,
    logger: silentLogger,
    token: 'test-token',
    socketPath,
    serviceCIDR: '10.96.0.0/12',
    nodePortRange: '30000-32767',
  });
  await server.start();
  await bootstrapCluster(server, { kubernetesServiceIP: '10.96.0.1', advertiseAddress: '172.18.0.1', advertisePort: 6443 });
  const clients: ApiClient[] = [];
  return {
    server,
    store,
    socketPath,
    client(fieldManager = 'test') {
      const c = new ApiClient({ socketPath, inProcess: server.inProcess() }, fieldManager);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      await server.stop();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The API server a test file shares: started before its first test, stopped after its last.
 * `client` is valid once the tests run.
 */
export function fileApiFixture(): { readonly fixture: ApiFixture; readonly client: ApiClient } {
  let fixture: ApiFixture | undefined;
  let client: ApiClient | undefined;
  before(async () => {
    fixture = await startApiFixture();
    client = fixture.client();
  });
  after(() => fixture?.stop());
  return {
    get fixture() {
      return fixture!;
    },
    get client() {
      return client!;
    },
  };
}
