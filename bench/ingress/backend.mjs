// The benchmark's backend: a keep-alive HTTP/1.1 server answering every request with a
// 13-byte body. Both proxies of bench/ingress/run.mjs forward to this one process.
//   node bench/ingress/backend.mjs PORT
import http from 'node:http';

const body = Buffer.from('hello, world\n');
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 75_000;
server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
