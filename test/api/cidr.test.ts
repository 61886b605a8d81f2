// CIDR parsing for IP users: strict input, one canonical spelling, and no
// range wide enough to make the gateway an open relay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrsOverlap, parseCidr } from '../../core/tenants/cidr.js';
import { isDomainError } from '../../core/errors.js';

test('normalises addresses and ranges to network address and prefix', () => {
  const cases: [string, string][] = [
    ['192.0.2.7', '192.0.2.7/32'],
    [' 192.0.2.7/24 ', '192.0.2.0/24'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1/128'],
    ['2001:db8:1:2:3::/48', '2001:db8:1::/48'],
    ['::ffff:192.0.2.1', '192.0.2.1/32'],
    ['::ffff:192.0.2.0/120', '192.0.2.0/24'],
  ];
  for (const [input, want] of cases) assert.equal(parseCidr(input).cidr, want, input);
});

test('rejects malformed addresses, prefixes and zone ids with a validation error', () => {
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '01.2.3.4', '256.0.0.1', '1.2.3.4/33', '1.2.3.4/-1', '1.2.3.4/', '2001:db8::/129', 'fe80::1%eth0', 'localhost', '1.2.3.4/24/8']) {
    assert.throws(() => parseCidr(bad), (e) => isDomainError(e, 'VALIDATION'), bad);
  }
});

test('rejects ranges wider than /16 for IPv4 and /48 for IPv6', () => {
  for (const wide of ['0.0.0.0/0', '10.0.0.0/8', '10.0.0.0/15', '::/0', '2001:db8::/32']) {
    assert.throws(() => parseCidr(wide), /too wide/, wide);
  }
  assert.equal(parseCidr('10.1.0.0/16').cidr, '10.1.0.0/16');
});

test('finds overlaps between ranges of the same family only', () => {
  assert.ok(cidrsOverlap('192.0.2.0/24', '192.0.2.128/25'));
  assert.ok(cidrsOverlap('192.0.2.128/25', '192.0.2.0/24'));
  assert.ok(!cidrsOverlap('192.0.2.0/25', '192.0.2.128/25'));
  assert.ok(!cidrsOverlap('192.0.2.0/24', '2001:db8::/64'));
  assert.ok(cidrsOverlap('2001:db8::/48', '2001:db8:0:1::/64'));
});
