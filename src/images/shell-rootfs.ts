// The root filesystems of the shell images (busybox, alpine, curlimages/curl, jessie-dnsutils):
// a container of such an image sees only what the real image carries, not the host's
// programs. Each root is built once per cluster home from the host's own files and then is
// the read-only lower layer of every such container's overlay root (sandbox-exec.ts):
//   - busybox's applets as symlinks to /bin/busybox, taken from Debian's busybox-static (a
//     static binary: it needs no library), at /bin (the busybox image) or at the paths
//     `busybox --list-full` gives (Alpine's layout);
//   - extra programs (curl; BIND's dig, nslookup, host) at their host paths, with exactly
//     the shared libraries `ldd` lists for them;
//   - the files an image has in /etc (passwd, group, nsswitch.conf) and empty mount points;
//   - util-linux script(1) and its libraries under /.kanzen, off every PATH: the runtime
//     runs a `tty: true` container (and `kubectl exec -t`) on a pty with it, through the
//     loader so that nothing of it is in the image's library directories.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Where busybox-static installs the binary (Debian). */
export const BUSYBOX_PATH = '/bin/busybox';

/** The runtime's pty helper inside a shell image: argv prefix that runs script(1). */
export const IMAGE_SCRIPT_ARGV = ['/.kanzen/ld.so', '--library-path', '/.kanzen/lib', '/.kanzen/script'];

export interface ShellRootfsSpec {
  /** The image's name in the cache (`busybox`, `curl`, …). */
  name: string;
  /** busybox's applets all in /bin (the busybox image) or at `busybox --list-full` paths (Alpine). */
  applets: 'bin' | 'full';
  /** Host programs copied in at the same path (or at `at`), with their shared libraries. */
  programs?: { path: string; at?: string; debianPackage: string }[];
}

/** The image cannot be built on this machine: the kubelet reports it as a pull failure. */
export class ShellRootfsError extends Error {}

// Bump when the layout below changes: older roots in a cluster home are then rebuilt.
const LAYOUT_VERSION = 1;

// The busybox image's /etc/passwd and /etc/group (docker-library/busybox).
const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
`;
const GROUP = `root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
wheel:x:10:root
mail:x:8:
www-data:x:33:
operator:x:37:
staff:x:50:
users:x:100:
nogroup:x:65534:
`;
// glibc programs (curl, dig) read /etc/hosts before DNS, as musl and busybox always do.
const NSSWITCH = 'passwd: files\ngroup: files\nhosts: files dns\n';

/** Builds the image's root under cacheDir once (and again when a source file changes); returns its path. */
export function ensureShellRootfs(cacheDir: string, spec: ShellRootfsSpec): string {
  const sources = [BUSYBOX_PATH, '/usr/bin/script', ...(spec.programs ?? []).map((p) => p.path)];
  checkSources(spec);
  const key = createHash('sha256')
    .update(JSON.stringify({ LAYOUT_VERSION, spec, sources: sources.map((s) => [s, fs.statSync(s).size, fs.statSync(s).mtimeMs]) }))
    .digest('hex')
    .slice(0, 16);
  const dir = path.join(cacheDir, `${spec.name}-${key}`);
  if (fs.existsSync(dir)) return dir;
  fs.mkdirSync(cacheDir, { recursive: true });
  // Built aside and renamed into place: node agents sharing the home may race to build it.
  const tmp = fs.mkdtempSync(path.join(cacheDir, `.${spec.name}-`));
  try {
    buildRoot(tmp, spec);
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (fs.existsSync(dir)) return dir;
    throw err;
  }
  return dir;
}

function checkSources(spec: ShellRootfsSpec): void {
  if (!isStaticBinary(BUSYBOX_PATH)) {
    throw new ShellRootfsError(
      `kanzen builds the ${spec.name} image from Debian's busybox-static, which is not installed on this machine: run npm start as root, or apt-get install busybox-static`,
    );
  }
  for (const p of spec.programs ?? []) {
    if (!fs.existsSync(p.path)) {
      throw new ShellRootfsError(`kanzen builds the ${spec.name} image with the machine's ${p.path}, which is not installed: run npm start as root, or apt-get install ${p.debianPackage}`);
    }
  }
  if (!fs.existsSync('/usr/bin/script')) throw new ShellRootfsError('util-linux script(1) is missing on this machine: apt-get install bsdutils');
}

/** An ELF file without a PT_INTERP program header needs no loader and no library. */
export function isStaticBinary(file: string): boolean {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return false;
  }
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2) return false; // 64-bit ELF only
  const le = buf[5] === 1;
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const phoff = Number(le ? buf.readBigUInt64LE(32) : buf.readBigUInt64BE(32));
  const phentsize = u16(54);
  const phnum = u16(56);
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (o + 4 > buf.length) return false;
    if (u32(o) === 3) return false; // PT_INTERP
  }
  return true;
}

function buildRoot(root: string, spec: ShellRootfsSpec): void {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'root', 'home', 'tmp', 'var', 'proc', 'sys', 'dev', '.kanzen/lib']) {
    fs.mkdirSync(path.join(root, d), { recursive: true, mode: 0o755 });
  }
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.chmodSync(path.join(root, 'root'), 0o700);
  fs.copyFileSync(BUSYBOX_PATH, path.join(root, 'bin/busybox'));
  fs.chmodSync(path.join(root, 'bin/busybox'), 0o755);
  const programNames = new Set((spec.programs ?? []).map((p) => path.basename(p.at ?? p.path)));
  for (const applet of busyboxApplets()) {
    const name = path.basename(applet);
    // A program of the image wins over busybox's applet of the same name (BIND's nslookup).
    if (programNames.has(name)) continue;
    const rel = spec.applets === 'bin' ? path.join('bin', name) : applet;
    if (rel === 'bin/busybox') continue;
    const at = path.join(root, rel);
    fs.mkdirSync(path.dirname(at), { recursive: true });
    if (!fs.existsSync(at)) fs.symlinkSync('/bin/busybox', at);
  }
  for (const p of spec.programs ?? []) copyWithLibraries(root, p.path, p.at ?? p.path);
  // script(1) for ttys, off PATH, its libraries where only it looks for them.
  const scriptLibs = sharedLibraries('/usr/bin/script');
  copyFile('/usr/bin/script', path.join(root, '.kanzen/script'));
  for (const lib of scriptLibs.libraries) copyFile(lib, path.join(root, '.kanzen/lib', path.basename(lib)));
  if (scriptLibs.loader) copyFile(scriptLibs.loader, path.join(root, '.kanzen/ld.so'));
  fs.writeFileSync(path.join(root, 'etc/passwd'), PASSWD);
  fs.writeFileSync(path.join(root, 'etc/group'), GROUP);
  fs.writeFileSync(path.join(root, 'etc/nsswitch.conf'), NSSWITCH);
  // Mount points of the pod's own files (the sandbox binds them).
  for (const f of ['etc/hosts', 'etc/resolv.conf', 'etc/hostname']) fs.writeFileSync(path.join(root, f), '');
}

/** `busybox --list-full`: applet paths relative to / (e.g. `usr/bin/nslookup`). */
function busyboxApplets(): string[] {
  const r = spawnSync(BUSYBOX_PATH, ['--list-full'], { encoding: 'utf8' });
  if (r.status !== 0) throw new ShellRootfsError(`${BUSYBOX_PATH} --list-full failed: ${(r.stderr || '').trim()}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.includes('/') && !l.endsWith('/'));
}

/** The loader and the libraries `ldd` resolves for a program. */
export function sharedLibraries(program: string): { loader?: string; libraries: string[] } {
  const r = spawnSync('ldd', [program], { encoding: 'utf8' });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (/not a dynamic executable|statically linked/.test(out)) return { libraries: [] };
  if (r.status !== 0) throw new ShellRootfsError(`ldd ${program} failed: ${out.trim()}`);
  const libraries: string[] = [];
  let loader: string | undefined;
  for (const line of out.split('\n')) {
    const missing = /^\s*(\S+) => not found/.exec(line);
    if (missing) throw new ShellRootfsError(`${program} needs ${missing[1]}, which is not installed`);
    const mapped = /=>\s+(\/\S+)/.exec(line);
    if (mapped) {
      libraries.push(mapped[1]);
      continue;
    }
    const direct = /^\s*(\/\S+)\s+\(/.exec(line);
    if (direct) loader = direct[1];
  }
  return { loader, libraries };
}

function copyWithLibraries(root: string, program: string, at: string): void {
  const { loader, libraries } = sharedLibraries(program);
  copyFile(program, path.join(root, at));
  // At the paths ldd prints (the loader's own search directories), contents from the real file.
  for (const lib of [...libraries, ...(loader ? [loader] : [])]) copyFile(lib, path.join(root, lib));
}

function copyFile(from: string, to: string): void {
  if (fs.existsSync(to)) return;
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(fs.realpathSync(from), to);
  fs.chmodSync(to, 0o755);
}
