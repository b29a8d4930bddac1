// sessionAffinity: ClientIP. Like iptables' `recent` match that kube-proxy programs, a
// client IP stays with its endpoint while it keeps opening connections less than
// timeoutSeconds apart; each new connection refreshes the entry.
export class ClientIPAffinity<T> {
  private readonly entries = new Map<string, { endpoint: T; lastUsed: number }>();

  constructor(
    readonly timeoutMs: number,
    private readonly now: () => number,
  ) {}

  /** The pinned endpoint, if the entry has not expired and the endpoint is still eligible. */
  lookup(clientIP: string, eligible: readonly T[]): T | undefined {
    const e = this.entries.get(clientIP);
    if (!e) return undefined;
    const now = this.now();
    if (now - e.lastUsed > this.timeoutMs || !eligible.includes(e.endpoint)) {
      this.entries.delete(clientIP);
      return undefined;
    }
    e.lastUsed = now;
    return e.endpoint;
  }

  record(clientIP: string, endpoint: T): void {
    this.entries.set(clientIP, { endpoint, lastUsed: this.now() });
  }

  /** Forgets every pin to endpoint (it failed a connect). */
  forgetEndpoint(endpoint: T): void {
    for (const [ip, e] of this.entries) if (e.endpoint === endpoint) this.entries.delete(ip);
  }

  /** Forgets expired entries (called periodically so idle clients do not accumulate). */
  sweep(): void {
    const now = this.now();
    for (const [ip, e] of this.entries) if (now - e.lastUsed > this.timeoutMs) this.entries.delete(ip);
  }

  get size(): number {
    return this.entries.size;
  }
}
