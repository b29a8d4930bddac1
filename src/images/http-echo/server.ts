// hashicorp/http-echo (main.go, handlers.go): every path answers the text plus a
// newline with the -status-code; /health answers {"status":"ok"}; both carry
// X-App-Name and X-App-Version; each request to the echo handler is logged on stdout.
import type http from 'node:http';
import { createGoHttpServer, formatGoDuration, goLogPrefix, goRemoteAddr, goRespond } from '../shared/go-runtime.js';

export const HTTP_ECHO_NAME = 'http-echo';
/** The version of the image's `latest` (and `1.0`) tag. */
export const HTTP_ECHO_VERSION = '1.0.0';

export interface HttpEchoOptions {
  text: string;
  statusCode?: number;
  version?: string;
  accessLog?: (line: string) => void;
}

export function createHttpEchoServer(opts: HttpEchoOptions): http.Server {
  const appHeaders = { 'X-App-Name': HTTP_ECHO_NAME, 'X-App-Version': opts.version ?? HTTP_ECHO_VERSION };
  const accessLog = opts.accessLog ?? ((line: string) => process.stdout.write(line));
  const status = opts.statusCode ?? 200;
  const body = opts.text + '\n';
  return createGoHttpServer((req, res) => {
    const start = process.hrtime.bigint();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/health') {
      goRespond(res, 200, '{"status":"ok"}\n', appHeaders);
      return;
    }
    goRespond(res, status, body, appHeaders);
    const took = Number(process.hrtime.bigint() - start);
    // httpLogFormat: "%v %s %s \"%s %s %s\" %d %d \"%s\" %v\n"
    accessLog(
      `${goLogPrefix().trimEnd()} ${req.headers.host ?? ''} ${goRemoteAddr(req)} "${req.method} ${path} HTTP/${req.httpVersion}" ` +
        `${status} ${Buffer.byteLength(body)} "${req.headers['user-agent'] ?? ''}" ${formatGoDuration(took)}\n`,
    );
  });
}
