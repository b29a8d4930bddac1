// agnhost porter (test/images/agnhost/porter/porter.go): for every environment variable
// SERVE_PORT_<n> (or SERVE_TCP_PORT_<n>) serves its value over HTTP on port n, for
// SERVE_UDP_PORT_<n> answers each datagram with it. TLS and SCTP ports are not served.
import { goJSON } from '../../util/go-json.js';
import { createGoHttpServer, goLog, goRespond } from '../shared/go-runtime.js';
import { bindUDP } from '../shared/listen.js';

export interface PorterOptions {
  env: Record<string, string | undefined>;
  jsonResponse: boolean;
  host?: string;
  log?: (msg: string) => void;
}

export async function startPorter(opts: PorterOptions): Promise<Array<() => void>> {
  const log = opts.log ?? ((m: string) => goLog(m));
  const closers: Array<() => void> = [];
  for (const [key, value = ''] of Object.entries(opts.env)) {
    const tcp = /^SERVE_(?:TCP_)?PORT_(.*)$/.exec(key);
    const udp = /^SERVE_UDP_PORT_(.*)$/.exec(key);
    const other = /^SERVE_(TLS|SCTP)_PORT_(.*)$/.exec(key);
    if (tcp) {
      const port = tcp[1];
      const server = createGoHttpServer((req, res) => {
        if (opts.jsonResponse) goRespond(res, 200, goJSON({ Method: req.method, Body: value }), { 'Content-Type': 'application/json' });
        else goRespond(res, 200, value);
      });
      server.on('error', (err) => log(`server on port ${JSON.stringify(port)} failed: listen tcp 0.0.0.0:${port}: ${err.message}`));
      server.listen(Number(port), opts.host ?? '0.0.0.0');
      closers.push(() => server.close());
    } else if (udp) {
      const port = udp[1];
      const sock = await bindUDP(Number(port), opts.host ?? '0.0.0.0');
      log(`Started UDP server on port ${port}`);
      sock.on('message', (_m, rinfo) => sock.send(value, rinfo.port, rinfo.address));
      closers.push(() => sock.close());
    } else if (other) {
      log(`${other[1]} port ${other[2]} is not supported by kanzen's built-in agnhost`);
    }
  }
  return closers;
}
