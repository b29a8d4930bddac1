// Polls the Corefile and reports new content when its SHA-512 changes (CoreDNS hashes the
// Corefile the same way); a read error keeps the last content.
import crypto from 'node:crypto';
import fs from 'node:fs';

export class CorefileWatcher {
  private timer?: NodeJS.Timeout;
  private hash: string;

  constructor(
    private readonly path: string,
    initial: string,
    private readonly onChange: (text: string) => Promise<void>,
  ) {
    this.hash = sha512(initial);
  }

  schedule(intervalMs: number, jitterMs: number): void {
    clearTimeout(this.timer);
    const delay = intervalMs + (jitterMs ? Math.floor((Math.random() * 2 - 1) * jitterMs) : 0);
    this.timer = setTimeout(() => void this.check().finally(() => this.schedule(intervalMs, jitterMs)), Math.max(10, delay));
    this.timer.unref();
  }

  async check(): Promise<void> {
    let text: string;
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch {
      return;
    }
    const h = sha512(text);
    if (h === this.hash) return;
    this.hash = h;
    await this.onChange(text);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

function sha512(s: string): string {
  return crypto.createHash('sha512').update(s).digest('hex');
}
