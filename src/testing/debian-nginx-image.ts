// A real nginx image built on this machine, for tests and benchmarks that need the real
// program (no registry is reachable here): Debian's nginx-light installed by mmdebstrap
// into a minbase root, laid out like the official nginx image (site root
// /usr/share/nginx/html, logs to the container's stdout/stderr, `nginx -g 'daemon off;'`,
// STOPSIGNAL SIGQUIT, port 80), packed by umoci into an OCI layout. Built once per machine
// and kept in a cache folder keyed by this file's recipe.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Where built test images are kept between runs (never inside a cluster home). */
export const testImageCacheDir = process.env.KANZEN_TEST_IMAGE_CACHE ?? '/var/cache/kanzen-test-images';

// The official image's default.conf (docker-library/nginx), trimmed to what it serves.
const DEFAULT_CONF = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

const INDEX = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>
</body>
</html>
`;

const RECIPE_VERSION = 1;

export interface TestImage {
  /** An OCI image layout directory. */
  layout: string;
  /** The tag inside the layout (`oci:<layout>:<tag>` for skopeo). */
  tag: string;
}

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** Builds (or finds) the Debian nginx image; needs root, mmdebstrap, umoci and a Debian mirror. */
export function debianNginxImage(): TestImage {
  const key = createHash('sha256').update(JSON.stringify({ RECIPE_VERSION, DEFAULT_CONF, INDEX })).digest('hex').slice(0, 12);
  const layout = path.join(testImageCacheDir, `nginx-debian-${key}`);
  const tag = 'latest';
  if (fs.existsSync(path.join(layout, 'index.json'))) return { layout, tag };
  fs.mkdirSync(testImageCacheDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(testImageCacheDir, '.build-'));
  try {
    const tarball = path.join(work, 'root.tar');
    run('mmdebstrap', [
      '--variant=minbase',
      '--include=nginx-light',
      '--mode=root',
      '--format=tar',
      // What the official image also leaves out: documentation, manuals, translations.
      '--dpkgopt=path-exclude=/usr/share/doc/*',
      '--dpkgopt=path-exclude=/usr/share/man/*',
      '--dpkgopt=path-exclude=/usr/share/locale/*',
      'bookworm',
      tarball,
    ]);
    const tmpLayout = path.join(work, 'layout');
    const bundle = path.join(work, 'bundle');
    run('umoci', ['init', '--layout', tmpLayout]);
    run('umoci', ['new', '--image', `${tmpLayout}:${tag}`]);
    run('umoci', ['unpack', '--image', `${tmpLayout}:${tag}`, bundle]);
    const root = path.join(bundle, 'rootfs');
    run('tar', ['-xpf', tarball, '-C', root, '--numeric-owner']);
    // Laid out like the official image.
    fs.rmSync(path.join(root, 'etc/nginx/sites-enabled/default'), { force: true });
    fs.mkdirSync(path.join(root, 'etc/nginx/conf.d'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/nginx/conf.d/default.conf'), DEFAULT_CONF);
    fs.mkdirSync(path.join(root, 'usr/share/nginx/html'), { recursive: true });
    fs.writeFileSync(path.join(root, 'usr/share/nginx/html/index.html'), INDEX);
    fs.writeFileSync(path.join(root, 'usr/share/nginx/html/50x.html'), '<html><body><h1>An error occurred.</h1></body></html>\n');
    for (const [log, target] of [
      ['access.log', '/dev/stdout'],
      ['error.log', '/dev/stderr'],
    ]) {
      fs.rmSync(path.join(root, 'var/log/nginx', log), { force: true });
      fs.symlinkSync(target, path.join(root, 'var/log/nginx', log));
    }
    run('umoci', ['repack', '--image', `${tmpLayout}:${tag}`, bundle]);
    run('umoci', [
      'config',
      '--image',
      `${tmpLayout}:${tag}`,
      '--config.cmd=nginx',
      '--config.cmd=-g',
      '--config.cmd=daemon off;',
      '--config.stopsignal=SIGQUIT',
      '--config.exposedports=80/tcp',
      '--config.env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--config.env=NGINX_VERSION=debian',
    ]);
    run('umoci', ['gc', '--layout', tmpLayout]);
    fs.renameSync(tmpLayout, layout);
    return { layout, tag };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
