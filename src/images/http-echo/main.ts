#!/usr/bin/env node
// hashicorp/http-echo: `-text=...` (or ECHO_TEXT), `-listen=:5678`, `-status-code=200`,
// `-version`. Exits 2 after a graceful shutdown on SIGINT/SIGTERM, as upstream does.
import { FlagError, parseFlags } from '../shared/flags.js';
import { goLog, shutdownGoServer } from '../shared/go-runtime.js';
import { listenAll } from '../shared/listen.js';
import { createHttpEchoServer, HTTP_ECHO_NAME, HTTP_ECHO_VERSION } from './server.js';

function usageError(msg: string): never {
  process.stderr.write(`${msg}\nUsage of /http-echo:\n  -listen string\n    \taddress and port to listen (default ":5678")\n  -status-code int\n    \thttp response code, e.g.: 200 (default 200)\n  -text string\n    \ttext to put on the webpage\n  -version\n    \tdisplay version information\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseFlags(
      argv,
      {
        listen: { kind: 'string', default: ':5678' },
        text: { kind: 'string', default: '' },
        version: { kind: 'bool', default: false },
        'status-code': { kind: 'int', default: 200 },
      },
      'go',
    );
  } catch (err) {
    if (err instanceof FlagError) usageError(err.message);
    throw err;
  }
  const f = parsed.values;
  const version = process.env.KANZEN_HTTP_ECHO_VERSION || HTTP_ECHO_VERSION;
  if (f.version === true) {
    process.stdout.write(`${HTTP_ECHO_NAME} v${version} ()\nBuilt: \n`);
    process.exit(0);
  }
  const text = String(f.text) || process.env.ECHO_TEXT || '';
  if (text === '') {
    process.stderr.write('Missing -text option or ECHO_TEXT env var!\n');
    process.exit(127);
  }
  if (parsed.args.length > 0) {
    process.stderr.write('Too many arguments!\n');
    process.exit(127);
  }
  const listen = String(f.listen);
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) {
    goLog(`[ERR] server exited with: listen tcp: address ${listen}: missing port in address`);
    process.exit(1);
  }
  const host = m[1].replace(/^\[|\]$/g, '') || undefined;
  const server = createHttpEchoServer({ text, statusCode: Number(f['status-code']), version });
  goLog(`[INFO] server is listening on ${listen}`);
  await listenAll(server, Number(m[2]), host).catch((err: Error) => {
    goLog(`[ERR] server exited with: listen tcp ${listen}: bind: ${err.message}`);
    process.exit(1);
  });
  const stop = (): void => {
    goLog('[INFO] received interrupt, shutting down...');
    void shutdownGoServer(server, 5000).then((done) => {
      if (!done) {
        goLog('[ERR] failed to shutdown server: context deadline exceeded');
        process.exit(1);
      }
      // Upstream: "If we got this far, it was an interrupt, so don't exit cleanly".
      process.exit(2);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main(process.argv.slice(2));
