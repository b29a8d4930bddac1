import fs from 'node:fs';
import path from 'node:path';
import { ERROR_50X_PAGE, WELCOME_PAGE_1_29_6, WELCOME_PAGE_LEGACY } from './default-pages.js';
import { compareVersions, NGINX_MAINLINE } from './version.js';

/** The document root of the docker image's default server (conf.d/default.conf). */
export const NGINX_HTML_ROOT = '/usr/share/nginx/html';

/** nginx's welcome page as shipped by the given release (it was rewritten in 1.29.6). */
export function welcomePage(version: string = NGINX_MAINLINE): string {
  return compareVersions(version, '1.29.6') >= 0 ? WELCOME_PAGE_1_29_6 : WELCOME_PAGE_LEGACY;
}

/** The files the image has in /usr/share/nginx/html, by name. */
export function defaultHtmlFiles(version?: string): Record<string, string> {
  return { '50x.html': ERROR_50X_PAGE, 'index.html': welcomePage(version) };
}

/**
 * Fills `dir` with the image's default pages, as a fresh container sees them. Existing
 * files are kept: the sandbox may seed a directory a restarted container already wrote to.
 */
export function seedHtml(dir: string, version?: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(defaultHtmlFiles(version))) {
    const file = path.join(dir, name);
    try {
      fs.writeFileSync(file, content, { flag: 'wx', mode: 0o644 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
