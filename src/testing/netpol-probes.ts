// Servers and probes for NetworkPolicy truth tables in network namespaces the test made:
// every pod serves TCP and UDP on the probed ports (UDP echoes), and one probe process per
// source opens every connection at once, each bounded by a timeout (a dropped SYN or
// datagram shows as no answer in time).
import type { ChildProcess } from 'node:child_process';
import { netnsDaemon, netnsScript } from './netns-lab.js';

/** Listens on 0.0.0.0 for every "PROTO/port" argument; UDP answers each datagram with "pong". */
const serverSource = `
import net from 'node:net';
import dgram from 'node:dgram';
const ports = process.argv.slice(1).filter((a) => a !== '--');
let pending = ports.length;
const up = () => { if (--pending === 0) console.log('ready'); };
for (const p of ports) {
  const [proto, n] = p.split('/');
  if (proto === 'TCP') net.createServer((s) => { s.on('error', () => {}); s.on('data', () => s.write('pong')); }).listen(Number(n), '0.0.0.0', up);
  else { const u = dgram.createSocket('udp4'); u.on('message', (_m, r) => u.send('pong', r.port, r.address)); u.bind(Number(n), '0.0.0.0', up); }
}
`;

/**
 * Probes "<ip>|PROTO/port" arguments concurrently; prints "<arg> ok" or "<arg> blocked" for
 * each. TCP: the handshake completes (a dropped SYN never does). UDP: "echo ping" is
 * answered (agnhost netexec's UDP protocol; the test server answers anything). DNS: a
 * query for kubernetes.default.svc.cluster.local over UDP is answered. HTTP: a GET is
 * answered — through the userspace proxy the handshake is with the proxy, which accepts
 * whether or not it then reaches an endpoint, so only an answer tells.
 */
const probeSource = `
import net from 'node:net';
import dgram from 'node:dgram';
const [timeoutMs, ...targets] = process.argv.slice(1).filter((a) => a !== '--');
const dnsQuery = () => {
  const name = Buffer.concat('kubernetes.default.svc.cluster.local'.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])));
  return Buffer.concat([Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), name, Buffer.from([0, 0, 1, 0, 1])]);
};
const probe = (t) => new Promise((resolve) => {
  const [ip, pp] = t.split('|');
  const [proto, n] = pp.split('/');
  const done = (ok, close) => { clearTimeout(timer); close(); resolve(t + ' ' + (ok ? 'ok' : 'blocked')); };
  let timer;
  if (proto === 'TCP' || proto === 'HTTP') {
    const s = net.connect({ host: ip, port: Number(n) });
    const close = () => s.destroy();
    timer = setTimeout(() => done(false, close), Number(timeoutMs));
    if (proto === 'TCP') s.on('connect', () => done(true, close));
    else { s.on('connect', () => s.write('GET /hostname HTTP/1.0\\r\\n\\r\\n')); s.on('data', () => done(true, close)); }
    s.on('error', () => done(false, close));
  } else {
    const u = dgram.createSocket('udp4');
    const close = () => { try { u.close(); } catch {} };
    timer = setTimeout(() => done(false, close), Number(timeoutMs));
    u.on('message', () => done(true, close));
    u.on('error', () => done(false, close));
    u.send(proto === 'DNS' ? dnsQuery() : Buffer.from('echo ping'), Number(n), ip);
  }
});
for (const line of await Promise.all(targets.map(probe))) console.log(line);
`;

export function startProbeServer(netns: string, ports: readonly string[], children: Set<ChildProcess>): Promise<ChildProcess> {
  return netnsDaemon(netns, serverSource, ports, children);
}

/** Probes from a namespace: target "<ip>|PROTO/port" → reachable. */
export async function probeFrom(netns: string, targets: readonly string[], timeoutMs: number): Promise<Map<string, boolean>> {
  const out = await netnsScript(netns, probeSource, [String(timeoutMs), ...targets]);
  const result = new Map<string, boolean>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [t, verdict] = line.split(' ');
    result.set(t, verdict === 'ok');
  }
  return result;
}

/** A client holding one TCP connection open, writing `request` every 50 ms; counts the chunks answered. */
const holderSource = `
import net from 'node:net';
const [host, port, request] = process.argv.slice(1).filter((a) => a !== '--');
const s = net.connect({ host, port: Number(port) }, () => console.log('ready'));
s.on('data', () => console.log('answer'));
s.on('close', () => console.log('closed'));
s.on('error', () => {});
setInterval(() => s.write(request), 50);
`;

export interface HeldConnection {
  /** Answers received so far. */
  answers(): number;
  closed(): boolean;
  child: ChildProcess;
}

/** Opens one connection from a namespace and keeps using it: for policies changing under an open connection. */
export async function holdConnection(netns: string, ip: string, port: number, request: string, children: Set<ChildProcess>): Promise<HeldConnection> {
  const child = await netnsDaemon(netns, holderSource, [ip, String(port), request], children);
  let answers = 0;
  let closed = false;
  child.stdout!.on('data', (d: Buffer) => {
    answers += (d.toString().match(/answer/g) ?? []).length;
    closed ||= d.toString().includes('closed');
  });
  return { answers: () => answers, closed: () => closed, child };
}
