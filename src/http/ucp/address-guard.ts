import { type LookupAddress, lookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The SSRF guard of platform profile fetches: a profile URL comes from a request header, so in
 * production it must never make us connect to ourselves or our private network. Only plain
 * unicast addresses pass; ipaddr.js names every other range (loopback, private, linkLocal,
 * uniqueLocal, multicast, unspecified, carrierGradeNat, reserved, the 6to4/Teredo/NAT64 forms
 * that embed an IPv4 address …). IPv4-mapped IPv6 is judged as the IPv4 address it carries.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** A connection refused by the guard; its message names the host and the address. */
export class RefusedAddressError extends Error {
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a non-public address`);
    this.name = 'RefusedAddressError';
  }
}

/** The host of a URL as an IP literal (brackets of IPv6 taken off), or undefined for a name. */
export function literalAddressOf(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(host) ? host : undefined;
}

/**
 * A `lookup` for net/tls connect that refuses a name when ANY address it resolves to is not
 * public. It checks the addresses the socket will really connect to, so a name that resolved to
 * a public address when checked and to a private one when connecting (DNS rebinding) is caught.
 * An IP literal never reaches a lookup (net skips it): check those with `literalAddressOf`.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error !== null) {
      callback(error, '', 0);
      return;
    }
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused !== undefined) {
      callback(new RefusedAddressError(hostname, refused.address), '', 0);
      return;
    }
    // net asks for every address when it races families (autoSelectFamily), else for one.
    if (options.all === true) callback(null, addresses);
    else {
      const [first] = addresses;
      if (first === undefined) callback(new RefusedAddressError(hostname, '(none)'), '', 0);
      else callback(null, first.address, first.family);
    }
  });
};
