// `node dist/node/netns-socket-main.js --mode bind|connect --address IP --port N`, run by
// kanzen inside a network namespace (nsenter --net): makes the socket there, hands it over
// the IPC channel and exits once the parent holds it (netns-socket.ts).
import net from 'node:net';
import { newTcpServer, uvError } from '../proxy/userspace/libuv-stream.js';
import { dialErrorMessage } from './kubelet-server/streaming-runtime.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const mode = arg('mode');
const address = arg('address');
const port = Number(arg('port'));
if ((mode !== 'bind' && mode !== 'connect') || !address || !Number.isInteger(port) || !process.send) {
  process.stderr.write('usage (from kanzen, with an IPC channel): netns-socket-main --mode bind|connect --address IP --port N\n');
  process.exit(2);
}
// The parent answers once it holds the socket; this process then has nothing left to do.
process.once('message', () => process.exit(0));
const message = { kind: 'kanzen.netns-socket', mode, address, port };

if (mode === 'bind') {
  const handle = newTcpServer();
  const err = handle.bind(address, port);
  if (err !== 0) {
    process.stderr.write(`${uvError(err, 'bind', `${address}:${port}`).message}\n`);
    process.exit(1);
  }
  process.send(message, handle as never);
} else {
  const socket = net.connect({ host: address, port });
  socket.once('connect', () => process.send!(message, socket));
  socket.once('error', (e: NodeJS.ErrnoException) => {
    process.stderr.write(`${dialErrorMessage(address, port, e)}\n`);
    process.exit(1);
  });
}
