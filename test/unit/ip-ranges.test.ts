import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAllowedAddress, refusedRange } from '../../platform/ip-ranges.js';

// The webhook address classifier: every class the issue names, in IPv4 and IPv6, refused;
// public unicast let through.

const refused: [string, string][] = [
  // IPv4
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'linkLocal'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['100.127.255.255', 'carrierGradeNat'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['255.255.255.255', 'broadcast'],
  ['192.0.2.1', 'reserved'],
  ['198.51.100.7', 'reserved'],
  ['203.0.113.9', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['240.0.0.1', 'reserved'],
  ['192.0.0.8', 'reserved'],
  // IPv6
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['fe80::1', 'linkLocal'],
  ['febf:ffff::1', 'linkLocal'],
  ['fc00::1', 'uniqueLocal'],
  ['fd00:ec2::254', 'uniqueLocal'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'reserved'],
  ['3fff::1', 'reserved'],
  ['100::1', 'discard'],
  ['fec0::1', 'deprecatedSiteLocal'],
  // IPv4 inside IPv6
  ['::ffff:127.0.0.1', 'ipv4Mapped'],
  ['::ffff:7f00:1', 'ipv4Mapped'],
  ['::ffff:169.254.169.254', 'ipv4Mapped'],
  ['::ffff:8.8.8.8', 'ipv4Mapped'],
  ['0:0:0:0:0:ffff:a00:1', 'ipv4Mapped'],
  ['::7f00:1', 'not global unicast'],
  ['::a9fe:a9fe', 'not global unicast'],
  ['::ffff:0:7f00:1', 'rfc6145'],
  ['64:ff9b::7f00:1', 'NAT64 of loopback'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 of linkLocal'],
  ['64:ff9b::10.1.2.3', 'NAT64 of private'],
  ['64:ff9b:1::a00:1', 'rfc6052'],
  ['2002:7f00:1::1', '6to4'],
  ['2001::1', 'teredo'],
];

const allowed = [
  '8.8.8.8',
  '1.1.1.1',
  '172.32.0.1',
  '100.128.0.1',
  '169.255.0.1',
  '93.184.215.14',
  '2606:4700:4700::1111',
  '2a00:1450:4001:81c::200e',
  '64:ff9b::808:808',
];

describe('refusedRange', () => {
  for (const [address, range] of refused)
    test(`${address} is refused (${range})`, () => {
      assert.equal(refusedRange(address), range);
      assert.equal(isAllowedAddress(address, false), false);
    });

  for (const address of allowed)
    test(`${address} is public`, () => {
      assert.equal(refusedRange(address), null);
      assert.equal(isAllowedAddress(address, false), true);
    });

  test('what is not an address is refused', () => {
    for (const text of ['', 'example.com', '1.2.3.4.5', '::g', '999.1.1.1'])
      assert.notEqual(refusedRange(text), null, text);
  });

  test('the loopback switch lets loopback through, and nothing else', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1'])
      assert.equal(isAllowedAddress(address, true), true, address);
    for (const [address, range] of refused)
      if (range !== 'loopback') assert.equal(isAllowedAddress(address, true), false, address);
  });
});
