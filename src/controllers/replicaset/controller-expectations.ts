// ControllerExpectations (upstream pkg/controller/controller_utils.go, the UID-tracking
// flavour): after a controller creates or deletes pods it records how many watch events it
// still expects, and does not act again on that key until they have arrived (or 5 minutes
// passed), so a cache that has not yet seen its own writes never makes it create twice.

/** ExpectationsTimeout: after this, a controller acts even if events never came. */
export const expectationsTimeoutMs = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  timestamp: number;
  /** Pod keys whose deletion is expected (so a pod observed deleted twice counts once). */
  deleteKeys: Set<string>;
}

export class ControllerExpectations {
  private readonly store = new Map<string, Expectation>();

  constructor(private readonly now: () => number = Date.now) {}

  /** SatisfiedExpectations: true when there are none, they are fulfilled, or they expired. */
  satisfied(key: string): boolean {
    const e = this.store.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.now() - e.timestamp > expectationsTimeoutMs;
  }

  expectCreations(key: string, n: number): void {
    this.setExpectations(key, n, []);
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.setExpectations(key, 0, podKeys);
  }

  /** SetExpectations: creations and deletions of one sync together (the DaemonSet controller's syncNodes). */
  setExpectations(key: string, adds: number, deletePodKeys: string[]): void {
    this.store.set(key, { add: adds, del: deletePodKeys.length, timestamp: this.now(), deleteKeys: new Set(deletePodKeys) });
  }

  creationObserved(key: string): void {
    const e = this.store.get(key);
    if (e) e.add--;
  }

  /** DeletionObserved: counts only pods this controller expected to delete, each once. */
  deletionObserved(key: string, podKey: string): void {
    const e = this.store.get(key);
    if (!e || !e.deleteKeys.delete(podKey)) return;
    e.del--;
  }

  delete(key: string): void {
    this.store.delete(key);
  }
}
