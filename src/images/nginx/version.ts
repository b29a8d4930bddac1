// Which nginx release an `nginx:<tag>` image carries. Docker Hub's tags follow nginx's
// own branches: `latest`, `mainline`, `1` and bare variant tags (`alpine`, `perl`, …) are
// the newest mainline release, `stable` the newest stable one, and `X.Y` the newest
// patch of that minor. The table is the last patch of each minor per nginx's release
// tags (as of 2026-08); a minor it does not know resolves to `X.Y.0`.
const LATEST_PATCH: Readonly<Record<string, number>> = {
  '1.20': 2,
  '1.21': 6,
  '1.22': 1,
  '1.23': 4,
  '1.24': 0,
  '1.25': 5,
  '1.26': 3,
  '1.27': 5,
  '1.28': 3,
  '1.29': 8,
  '1.30': 4,
  '1.31': 4,
};

export const NGINX_MAINLINE = '1.31.4';
export const NGINX_STABLE = '1.30.4';

/** The nginx version of an image tag such as `1.26-alpine`, `1.27.4`, `stable-perl` or `latest`. */
export function nginxVersionForTag(tag: string | undefined): string {
  if (!tag) return NGINX_MAINLINE;
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?=$|[-_])/.exec(tag);
  if (!m) return tag.startsWith('stable') ? NGINX_STABLE : NGINX_MAINLINE;
  const [, major, minor, patch] = m;
  if (minor === undefined) return major === '1' ? NGINX_MAINLINE : `${major}.0.0`;
  if (patch !== undefined) return `${major}.${minor}.${patch}`;
  const latest = LATEST_PATCH[`${major}.${minor}`];
  return `${major}.${minor}.${latest ?? 0}`;
}

/** Orders two dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
