// NetworkPolicy truth tables, as upstream's netpol e2e and cyclonus check a CNI: every
// source × destination pod × port probed with real connections, compared with the model
// (src/networkpolicy/policy-model.ts), and printed as a readable table where they differ.
import type { PolicyCluster, PolicyPod } from '../networkpolicy/policy-cluster.js';
import { judgeConnection, type PolicyEndpoint } from '../networkpolicy/policy-model.js';

/** "TCP/80" */
export type ProbePort = string;

export interface ProbeSource {
  /** "x/a", or a name for an address that is no pod ("router"). */
  name: string;
  endpoint: PolicyEndpoint;
}

export interface TruthTable {
  sources: string[];
  targets: string[];
  ports: ProbePort[];
  /** `${source}>${target}>${port}` → reachable */
  cells: Map<string, boolean>;
}

export const cellKey = (source: string, target: string, port: ProbePort): string => `${source}>${target}>${port}`;

export function splitPort(port: ProbePort): { protocol: string; port: number } {
  const [protocol, n] = port.split('/');
  return { protocol, port: Number(n) };
}

/** The model's table; a pod never probes itself (that never leaves its namespace). */
export function expectedTable(cluster: PolicyCluster, sources: readonly ProbeSource[], targets: readonly PolicyPod[], ports: readonly ProbePort[]): TruthTable {
  const cells = new Map<string, boolean>();
  for (const s of sources) {
    for (const t of targets) {
      const tname = `${t.namespace}/${t.name}`;
      if (s.name === tname) continue;
      for (const p of ports) cells.set(cellKey(s.name, tname, p), judgeConnection(cluster, { from: s.endpoint, to: { pod: t }, ...splitPort(p) }).allowed);
    }
  }
  return { sources: sources.map((s) => s.name), targets: targets.map((t) => `${t.namespace}/${t.name}`), ports: [...ports], cells };
}

/** The cells where `observed` differs from `expected`, as keys. */
export function disagreements(expected: TruthTable, observed: ReadonlyMap<string, boolean>): string[] {
  return [...expected.cells].filter(([k, v]) => observed.get(k) !== v).map(([k]) => k);
}

/**
 * The observed table, one row per source, one column per target and port: "." reachable,
 * "x" blocked, "-" not probed; a cell that disagrees with the model is "!" followed by what
 * the model expected turned upside down — "!." is reachable but should be blocked, "!x"
 * blocked but should be reachable.
 */
export function formatTruthTable(expected: TruthTable, observed: ReadonlyMap<string, boolean>): string {
  const short = (p: ProbePort) => p.replace('TCP/', 'T').replace('UDP/', 'U').replace('SCTP/', 'S');
  const width = Math.max(...expected.ports.map((p) => short(p).length), 2) + 1;
  const rowHead = Math.max(...expected.sources.map((s) => s.length), 6) + 1;
  const lines = [
    ' '.repeat(rowHead) + expected.targets.map((t) => t.padEnd(width * expected.ports.length + 1)).join(''),
    ' '.repeat(rowHead) + expected.targets.map(() => expected.ports.map((p) => short(p).padEnd(width)).join('') + ' ').join(''),
  ];
  for (const s of expected.sources) {
    let line = s.padEnd(rowHead);
    for (const t of expected.targets) {
      for (const p of expected.ports) {
        const k = cellKey(s, t, p);
        const want = expected.cells.get(k);
        const got = observed.get(k);
        const mark = want === undefined ? '-' : got ? '.' : 'x';
        line += (want !== undefined && got !== want ? '!' + mark : mark).padEnd(width);
      }
      line += ' ';
    }
    lines.push(line.trimEnd());
  }
  lines.push('legend: . reachable, x blocked, !. reachable but the model blocks it, !x blocked but the model allows it');
  return lines.join('\n');
}
