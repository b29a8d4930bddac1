// What the CLI prints: progress steps on stderr (what it is waiting for, as kind does) and
// one-line errors.

/** An error whose message is the whole story for the user: printed as one line, exit 1. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

export interface Progress {
  (step: string): void;
  done(): void;
}

export function progress(title: string): Progress {
  const out = process.stderr;
  out.write(`${title}\n`);
  let started = Date.now();
  const first = started;
  const p = ((step: string) => {
    started = Date.now();
    out.write(` • ${step} …\n`);
  }) as Progress;
  p.done = () => out.write(` ✓ done in ${((Date.now() - first) / 1000).toFixed(1)}s\n`);
  return p;
}
