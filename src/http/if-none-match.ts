/**
 * Whether an `If-None-Match` header matches the current entity tag, so a GET may answer 304
 * (RFC 9110 §13.1.2): `*` matches any current representation; otherwise any tag in the
 * comma-separated list matches by weak comparison (§8.8.3.2), so `W/"x"` matches `"x"`.
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const current = opaque(etag);
  // An entity tag is a quoted string that may not contain a quote, so a comma inside one is
  // part of the tag: take tags as quoted strings rather than splitting on commas.
  for (const match of header.matchAll(/(?:W\/)?"[^"]*"/g))
    if (opaque(match[0]) === current) return true;
  return false;
}

function opaque(tag: string): string {
  return tag.trim().replace(/^W\//, '');
}
