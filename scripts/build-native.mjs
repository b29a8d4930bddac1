#!/usr/bin/env node
// Builds kanzen's one native helper (native/ip-transparent.c → dist/native/ip-transparent.node)
// with the machine's C compiler against Node's own headers (N-API: no node-gyp, no
// downloads). Without a compiler or headers it says so and exits 0: the proxy then runs
// without client IP preservation (backends see the node's address, as with kube-proxy's
// masquerade) and logs why; it also keeps the open-file limit Node gave it and does not
// trim malloc after connection storms (src/proxy/userspace/fd-limit.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'native', 'ip-transparent.c');
const out = path.join(root, 'dist', 'native', 'ip-transparent.node');
const candidates = [process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node'), path.resolve(path.dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node'].filter(Boolean);
const include = candidates.find((d) => fs.existsSync(path.join(d, 'node_api.h')));
const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status === 0);
if (!include || !cc) {
  console.error(`build-native: ${!cc ? 'no C compiler' : "no Node headers (node_api.h)"}; building without client IP preservation`);
  process.exit(0);
}
if (fs.existsSync(out) && fs.statSync(out).mtimeMs > fs.statSync(src).mtimeMs) process.exit(0);
fs.mkdirSync(path.dirname(out), { recursive: true });
const r = spawnSync(cc, ['-O2', '-Wall', '-shared', '-fPIC', `-I${include}`, src, '-o', out], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('build-native: the compiler failed; building without client IP preservation');
  fs.rmSync(out, { force: true });
}
