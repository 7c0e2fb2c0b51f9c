import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The operator pages sit behind Basic auth, which a browser sends on any cross-site form post,
 * so every POST also carries a token only a page we served can know: an HMAC of the operator
 * token. Sec-Fetch-Site, when the browser sends it, must say same-origin as well.
 */
export function csrfToken(operatorToken: string): string {
  return createHmac('sha256', operatorToken).update('acw-admin-csrf-v1').digest('base64url');
}

export function csrfOk(
  operatorToken: string,
  presented: unknown,
  secFetchSite: string | string[] | undefined,
): boolean {
  if (secFetchSite !== undefined && secFetchSite !== 'same-origin' && secFetchSite !== 'none')
    return false;
  if (typeof presented !== 'string') return false;
  const expected = Buffer.from(csrfToken(operatorToken));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
