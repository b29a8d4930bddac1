#!/usr/bin/env node
// Runs every test: unit tests (dist/**/*.test.js beside the code), then the end-to-end
// suite (dist/e2e) once with the oldest and once with the newest kubectl client on the
// machine, each pass with its own Service data plane (nftables, then userspace), so every
// netns Service test runs in both proxy modes without a third pass. Prints node's test summaries and a final "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const which = process.argv[2] ?? 'all';

function findTests(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findTests(p, out);
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

/** kubectl clients side by side (kubectl.1.27 … kubectl.1.33): the oldest and the newest. */
function kubectlClients() {
  if (process.env.KANZEN_KUBECTL) return [process.env.KANZEN_KUBECTL];
  const r = spawnSync('sh', ['-c', 'readlink -f "$(command -v kubectl)"'], { encoding: 'utf8' });
  const bin = r.stdout.trim();
  if (!bin) return [];
  const dir = path.dirname(bin);
  const versioned = fs
    .readdirSync(dir)
    .filter((f) => /^kubectl\.1\.\d+$/.test(f))
    .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
  if (!versioned.length) return [bin];
  const picks = [versioned[0], versioned[versioned.length - 1]];
  return [...new Set(picks)].map((f) => path.join(dir, f));
}

let passed = 0;
let failed = 0;
let skipped = 0;
/**
 * Runs test files with node's runner: the spec report streams to the console, a TAP copy
 * goes to a file for the totals. A per-test timeout keeps a hung test from hanging CI.
 */
function runNodeTests(files, env, label, concurrency) {
  if (!files.length) return;
  console.log(`\n=== ${label}: ${files.length} file(s) ===`);
  const tap = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-tests-')), 'report.tap');
  const r = spawnSync(
    process.execPath,
    ['--test', ...(concurrency ? [`--test-concurrency=${concurrency}`] : []), '--test-timeout=180000', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const report = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
  const count = (name) => Number((report.match(new RegExp(`^# ${name} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  passed += count('pass');
  failed += count('fail') + count('cancelled');
  skipped += count('skipped');
  if (r.status !== 0 && count('fail') + count('cancelled') === 0) failed += 1;
}

const all = findTests(dist);
const e2eDir = path.join(dist, 'e2e') + path.sep;
if (which === 'all' || which === 'unit') runNodeTests(all.filter((f) => !f.startsWith(e2eDir)), {}, 'unit tests');
if (which === 'all' || which === 'e2e') {
  const e2e = all.filter((f) => f.startsWith(e2eDir));
  const clients = kubectlClients();
  if (!clients.length) {
    console.log('no kubectl found: end-to-end tests skipped');
  }
    // KANZEN_E2E_PASS lets tests that do not depend on the client run in the first pass only.
  // Two files at a time: each brings up its own cluster (own name, home, ports, namespaces),
  // and most of an e2e file's time is spent waiting on pods and timers, not on the CPU. The
  // files that drive kubectl on a terminal or stream stdin run alone afterwards: what they
  // check (raw mode set before output arrives, stdin reaching a shell) is timing a busy CPU
  // can upset.
  const interactive = ['debug', 'run-interactive', 'container-logs', 'shell-images'].map((n) => path.join(dist, 'e2e', `${n}.test.js`));
  // The first pass (which also runs the client-independent slow tests) has the default mode.
  const proxyModes = clients.length > 1 ? ['nftables', 'userspace'] : [];
  clients.forEach((k, i) => {
    const env = { KANZEN_KUBECTL: k, KANZEN_E2E_PASS: String(i), ...(proxyModes[i] ? { KANZEN_PROXY_MODE: proxyModes[i] } : {}) };
    runNodeTests(e2e.filter((f) => !interactive.includes(f)), env, `end-to-end tests with ${path.basename(k)}${env.KANZEN_PROXY_MODE ? `, proxy mode ${env.KANZEN_PROXY_MODE}` : ''}`, 2);
    runNodeTests(e2e.filter((f) => interactive.includes(f)), env, `end-to-end tests with ${path.basename(k)} on a terminal or stdin, one at a time`, 1);
  });
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
