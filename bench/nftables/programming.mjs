// Programming time of the nftables Service proxy (issue 13; KEP-3866 publishes kube-proxy
// nftables' figures): `nft -f` for a full sync of N Service ports with 2–3 endpoints each,
// and for one endpoint change (p50/p99 over --changes partial syncs), a rebuild of the
// whole table in place (an agent taking over its predecessor's table), and what one reading
// of the endpoint counters costs (as a metrics scrape makes it). Runs the backend
// against the real kernel in a throwaway network namespace named after the benchmark
// (removed at the end); no packet is sent. Root only.
//   node bench/nftables/programming.mjs [--services 1000,10000] [--changes 50]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dist, opt } from '../lib.mjs';

const { NftablesBackend, removeProxyTable } = await import(pathToFileURL(path.join(dist, 'proxy/nftables/nftables-backend.js')).href);
const { servicePortProgram } = await import(pathToFileURL(path.join(dist, 'proxy/topology.js')).href);
const { testServicePortInfo } = await import(pathToFileURL(path.join(dist, 'testing/service-port-info.js')).href);

const sizes = opt('services', '1000,10000').split(',').map(Number);
const changes = Number(opt('changes', '50'));
const netns = `nftbench-${process.pid}`;

function info(i) {
  return testServicePortInfo({ namespace: 'bench', service: `svc-${i}`, portName: 'http', clusterIPs: [`10.96.${(i >> 8) & 255}.${i & 255}`] });
}

function endpoints(i, gen = 0) {
  const n = 2 + (i % 2);
  return Array.from({ length: n }, (_, j) => {
    // The last endpoint's address moves with `gen`: one endpoint replaced by another.
    const ip = `10.${128 + ((i >> 8) & 63)}.${i & 255}.${10 + j + (j === n - 1 ? gen : 0)}`;
    return { key: `${ip}:8080`, ip, port: 8080, ready: true, serving: true, terminating: false, nodeName: 'node-1' };
  });
}

/** CPU ms of this process's reaped children (nft), from /proc/self/stat (cutime + cstime, 100 ticks a second). */
function childCpuMs() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

execFileSync('ip', ['netns', 'add', netns]);
try {
  for (const n of sizes) {
    const backend = new NftablesBackend({ table: 'kanzen-bench-proxy', nodePortAddresses: ['172.18.0.2'], clusterCIDRs: ['10.244.0.0/16'], netns });
    for (let i = 0; i < n; i++) await backend.syncServicePort(info(i).key, servicePortProgram(info(i), endpoints(i), 'node-1'));
    let t0 = performance.now();
    await backend.commit();
    const fullCommit = performance.now() - t0;
    const full = backend.lastApplyMs;
    const bytes = backend.lastTransaction.length;
    console.error(`${n} Service ports: full sync nft -f ${Math.round(full)} ms`);
    const times = [];
    const commits = [];
    for (let c = 0; c < changes; c++) {
      const i = (c * 7919) % n;
      // One endpoint replaced by another: a new endpoint chain, a refilled service chain, a deleted chain.
      await backend.syncServicePort(info(i).key, servicePortProgram(info(i), endpoints(i, 100 + c), 'node-1'));
      t0 = performance.now();
      await backend.commit();
      commits.push(performance.now() - t0);
      times.push(backend.lastApplyMs);
    }
    // A rebuild in place of the whole table (an agent's first commit over its predecessor's
    // table, or after a refused transaction): listing, counters read, one transaction.
    backend.requestRebuild();
    t0 = performance.now();
    await backend.commit();
    const rebuildCommitMs = performance.now() - t0;
    const rebuildNftMs = backend.lastApplyMs;
    // One counter reading: wall time, the CPU of nft and of this process.
    const cpu0 = process.cpuUsage();
    const nft0 = childCpuMs();
    t0 = performance.now();
    await backend.refreshStats();
    const counterReadMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const nftCpu = childCpuMs() - nft0;
    times.sort((a, b) => a - b);
    commits.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        servicePorts: n,
        endpoints: [...Array(n).keys()].reduce((s, i) => s + endpoints(i).length, 0),
        fullSyncNftMs: Math.round(full),
        fullSyncCommitMs: Math.round(fullCommit),
        fullSyncBytes: bytes,
        rebuildInPlaceNftMs: Math.round(rebuildNftMs),
        rebuildInPlaceCommitMs: Math.round(rebuildCommitMs),
        endpointChangeNftMs: { p50: +pct(times, 50).toFixed(1), p99: +pct(times, 99).toFixed(1) },
        endpointChangeCommitMs: { p50: +pct(commits, 50).toFixed(1), p99: +pct(commits, 99).toFixed(1) },
        counterReadMs: Math.round(counterReadMs),
        counterReadNftCpuMs: nftCpu,
        counterReadAgentCpuMs: Math.round((cpu.user + cpu.system) / 1000),
        changes,
      }),
    );
    await backend.stop();
    // stop() leaves the rules (as an agent does): each size starts from an empty table.
    await removeProxyTable('kanzen-bench-proxy', { netns });
  }
} finally {
  execFileSync('ip', ['netns', 'del', netns]);
}
