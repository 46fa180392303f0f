/**
 * A request's entity tag (HTTP ETag): weak, since it names the state the view is built from (the
 * row's version and the number of approvals), not the bytes of one encoding.
 */
export function requestTag(version: number, approvals: number): string {
  return `W/"${version}.${approvals}"`;
}

/** Whether an If-None-Match value (a list of tags, or `*`) holds `tag`, compared weakly (RFC 9110 13.1.2). */
export function tagMatches(ifNoneMatch: string, tag: string): boolean {
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  const wanted = opaque(tag);
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || opaque(t) === wanted);
}
