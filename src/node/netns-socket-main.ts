// `node dist/node/netns-socket-main.js --address IP --port N`, run by the daemon inside a
// cluster namespace (nsenter --net): binds a TCP socket there and hands it to the daemon
// over the IPC channel, then exits. A socket belongs to the namespace it was made in, so
// the daemon, which stays in the host's namespace, can serve on an address that exists
// only in the cluster network (cluster-api-endpoint.ts).
import { newTcpServer, uvError } from '../proxy/userspace/libuv-stream.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const address = arg('address');
const port = Number(arg('port'));
if (!address || !Number.isInteger(port) || !process.send) {
  process.stderr.write('usage (from the kanzen daemon, with an IPC channel): netns-socket-main --address IP --port N\n');
  process.exit(2);
}
const handle = newTcpServer();
const err = handle.bind(address, port);
if (err !== 0) {
  process.stderr.write(`${uvError(err, 'bind', `${address}:${port}`).message}\n`);
  process.exit(1);
}
// The daemon answers once it holds the socket; this process then has nothing left to do.
process.once('message', () => process.exit(0));
process.send({ kind: 'kanzen.netns-socket', address, port }, handle as never);
