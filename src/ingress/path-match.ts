// Ingress path matching, as the Ingress spec's "Examples" table and the ingress conformance
// features (path_rules.feature) define it. Pure: no I/O.
//
// * Exact: the request path equals the rule's path, case-sensitively; a trailing slash counts
//   (Exact /foo does not match /foo/, Exact /foo/ does not match /foo).
// * Prefix: element by element, split on "/": /aaa/bbb matches /aaa/bbb, /aaa/bbb/ and
//   /aaa/bbb/ccc but not /aaa/bbbxyz; a trailing slash on either side is ignored.
// * ImplementationSpecific: kanzen treats it as Prefix (the spec leaves it to the controller;
//   element-wise Prefix is the least surprising choice and what the conformance tests expect
//   of paths written without a type in mind).
// When several paths of a host match, the longest wins; at equal length Exact beats Prefix.

export type PathMatchType = 'Exact' | 'Prefix';

/** A rule's path as matched: its type and the path to compare (a Prefix without its trailing slashes). */
export interface PathMatcher {
  readonly type: PathMatchType;
  /** For Prefix: the path without trailing slashes ("" for "/", which matches everything). */
  readonly path: string;
}

/** The matcher for a rule's path and pathType (ImplementationSpecific → Prefix; a missing path is "/"). */
export function pathMatcher(path: string | undefined, pathType: string): PathMatcher {
  const p = path || '/';
  if (pathType === 'Exact') return { type: 'Exact', path: p };
  return { type: 'Prefix', path: p.replace(/\/+$/, '') };
}

export function pathMatches(m: PathMatcher, requestPath: string): boolean {
  if (m.type === 'Exact') return requestPath === m.path;
  if (m.path === '') return true;
  if (!requestPath.startsWith(m.path)) return false;
  // The prefix must end at an element boundary of the request path.
  return requestPath.length === m.path.length || requestPath[m.path.length] === '/';
}

/**
 * Order of precedence among a host's paths: longer first, then Exact before Prefix. A stable
 * sort keeps rules of equal rank in the order they were given (oldest Ingress first), so the
 * first match is the one that counts.
 */
export function comparePathMatchers(a: PathMatcher, b: PathMatcher): number {
  if (a.path.length !== b.path.length) return b.path.length - a.path.length;
  if (a.type !== b.type) return a.type === 'Exact' ? -1 : 1;
  return 0;
}

/** The path of a request target, without its query string or fragment. */
export function requestPathOf(target: string): string {
  const end = target.search(/[?#]/);
  const path = end < 0 ? target : target.slice(0, end);
  return path.startsWith('/') ? path : '/' + path;
}
