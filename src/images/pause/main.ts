#!/usr/bin/env node
// registry.k8s.io/pause (build/pause/linux/pause.c): sleeps until SIGINT or SIGTERM and
// exits 0; `-v` prints the version. The real one, as PID 1 of its namespace, also reaps
// orphans; Node offers no waitpid for processes it did not spawn, so that part is not kept.
const PAUSE_VERSION = process.env.KANZEN_PAUSE_VERSION || '3.10';

if (process.argv.slice(2).some((a) => a.toLowerCase() === '-v')) {
  process.stdout.write(`pause.c v${PAUSE_VERSION}\n`);
  process.exit(0);
}

const shutdown = (description: string) => () => {
  process.stderr.write(`Shutting down, got signal: ${description}\n`);
  process.exit(0);
};
process.on('SIGINT', shutdown('Interrupt'));
process.on('SIGTERM', shutdown('Terminated'));
// Not an error upstream either: pause sees use outside of infra containers. Written once the
// handlers are in place, so whoever reads it may signal.
if (process.pid !== 1) process.stderr.write('Warning: pause should be the first process\n');
setInterval(() => undefined, 1 << 30);
