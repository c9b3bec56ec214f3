import ipaddr from 'ipaddr.js';

/**
 * Why an address may not be the destination of an outbound call, or null when it is public
 * unicast. Classification is ipaddr.js's (its `range()` names: loopback, private, linkLocal,
 * carrierGradeNat, uniqueLocal, multicast, unspecified, broadcast, reserved, ipv4Mapped, ...).
 *
 * It is an allow list, not a deny list: IPv4 must be in ipaddr.js's `unicast` (nothing special),
 * IPv6 must be global unicast (2000::/3) and nothing special inside it. An address class we did
 * not think of is refused, not let through.
 */
export function refusedRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv4') {
    const range = ip.range();
    return range === 'unicast' ? null : range;
  }
  const v6 = ip as ipaddr.IPv6;
  const range = v6.range();
  // NAT64 (RFC 6052, well-known prefix 64:ff9b::/96): the last 32 bits are the IPv4 address the
  // gateway will connect to, so that address decides. The local-use 64:ff9b:1::/48 is refused.
  if (v6.match(NAT64_WELL_KNOWN)) {
    const embedded = refusedRange(ipaddr.fromByteArray(v6.toByteArray().slice(12)).toString());
    return embedded && `NAT64 of ${embedded}`;
  }
  if (range !== 'unicast') return range;
  // ::a.b.c.d (IPv4-compatible, deprecated) and the rest of ::/8 are 'unicast' to ipaddr.js.
  return v6.match(GLOBAL_UNICAST) ? null : 'not global unicast';
}

const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96') as [ipaddr.IPv6, number];
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3') as [ipaddr.IPv6, number];

/**
 * Whether `address` may be called under the policy: public unicast always, loopback only when
 * `allowLoopback` (the tests' receiver), never anything else.
 */
export function isAllowedAddress(address: string, allowLoopback: boolean): boolean {
  const range = refusedRange(address);
  return range === null || (allowLoopback && range === 'loopback');
}
