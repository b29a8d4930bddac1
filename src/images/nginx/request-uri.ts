// How nginx turns a request target into the URI it maps onto the document root
// (ngx_http_parse_complex_uri with merge_slashes on): split off the query, accept an
// absolute-form target, percent-decode, merge slashes, resolve "." and ".."; a ".."
// that climbs above "/" makes the request invalid (400).

export interface ParsedTarget {
  uri: string;
  args: string;
}

export function parseRequestTarget(target: string): ParsedTarget | null {
  let t = target;
  const abs = /^https?:\/\/[^/?#]*/i.exec(t);
  if (abs) t = t.slice(abs[0].length) || '/';
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf('?');
  const rawPath = q >= 0 ? t.slice(0, q) : t;
  const args = q >= 0 ? t.slice(q + 1) : '';
  if (!rawPath.startsWith('/')) return null;
  const decoded = percentDecode(rawPath);
  if (decoded === null || decoded.includes('\0')) return null;
  const uri = normalizePath(decoded);
  return uri === null ? null : { uri, args };
}

function percentDecode(s: string): string | null {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    // Not UTF-8: keep the bytes as Latin-1, as a byte-oriented server would see them.
    const bytes: number[] = [];
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
        bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (s[i] === '%') {
        return null;
      } else {
        bytes.push(s.charCodeAt(i) & 0xff);
      }
    }
    return Buffer.from(bytes).toString('latin1');
  }
}

function normalizePath(p: string): string | null {
  const out: string[] = [];
  const segments = p.split('/');
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i];
    const last = i === segments.length - 1;
    if (seg === '' && !last) continue;
    if (seg === '.') {
      if (last) out.push('');
      continue;
    }
    if (seg === '..') {
      if (out.length === 0) return null;
      out.pop();
      if (last) out.push('');
      continue;
    }
    out.push(seg);
  }
  return '/' + out.join('/');
}
