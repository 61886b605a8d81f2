import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRecipientAddress } from '../../core/policy/recipient.js';
import { checkSenderOwnership } from '../../core/policy/sender-ownership.js';
import { asciiAddress, senderKey, isOwnedDomain, domainOf } from '../../core/policy/sender-key.js';
import { compileIpUsers } from '../../core/policy/ip-match.js';
import type { Identity } from '../../core/model.js';

const mailbox: Identity = { kind: 'smtp-user', tenantId: 't', username: 'alice@acme.example', userKind: 'mailbox' };
const domainUser: Identity = { kind: 'smtp-user', tenantId: 't', username: 'acme.example', userKind: 'domain' };
const ipUser: Identity = { kind: 'ip-user', tenantId: 't', ipUserId: 'ip1', cidr: '192.0.2.0/24' };

test('a recipient without a dotted domain is refused with BAD_SYNTAX', () => {
  assert.doesNotThrow(() => checkRecipientAddress('bob@example.net'));
  for (const bad of ['bob', 'bob@localhost', 'a b@example.net']) assert.throws(() => checkRecipientAddress(bad), { code: 'BAD_SYNTAX' });
});

test('a mailbox user may send only as itself, a domain user within its domains and subdomains, an IP user as anyone', () => {
  assert.doesNotThrow(() => checkSenderOwnership(mailbox, 'Alice@Acme.example', []));
  assert.throws(() => checkSenderOwnership(mailbox, 'ceo@acme.example', []), { code: 'SENDER_NOT_ALLOWED' });
  assert.doesNotThrow(() => checkSenderOwnership(domainUser, 'news@mail.acme.example', ['acme.example']));
  assert.doesNotThrow(() => checkSenderOwnership(domainUser, '', ['acme.example']), 'the null sender of a server bounce');
  assert.doesNotThrow(() => checkSenderOwnership(mailbox, '', []), 'the null sender of a mail client\'s read receipt');
  assert.throws(() => checkSenderOwnership(domainUser, 'x@acme.example.evil.test', ['acme.example']), { code: 'SENDER_NOT_ALLOWED' });
  assert.doesNotThrow(() => checkSenderOwnership(ipUser, 'anyone@customer.example', []));
  assert.equal(isOwnedDomain('acmeexample', ['acme.example']), false);
});

test('an envelope address keeps its local part as written and gets its domain in ASCII', () => {
  assert.equal(asciiAddress('Jörg@Bücher.example'), 'Jörg@xn--bcher-kva.example');
  assert.equal(asciiAddress('Alice@Example.COM'), 'Alice@Example.COM', 'ASCII addresses are left as they are');
  assert.equal(asciiAddress(''), '');
});

test('the sender key is the login for SMTP users and X-AuthUser or the envelope sender behind an IP user', () => {
  assert.equal(senderKey(domainUser, 'news@acme.example'), 'acme.example');
  assert.equal(senderKey(ipUser, 'Web@Site.example'), 'web@site.example');
  assert.equal(senderKey(ipUser, 'web@site.example', ' Bob@Site.example '), 'bob@site.example');
  assert.equal(senderKey(ipUser, ''), '<>@192.0.2.0/24');
  assert.equal(senderKey(ipUser, 'web@site.example', `${'x'.repeat(5000)}@site.example`), 'web@site.example', 'no key longer than an address');
  assert.equal(senderKey(mailbox, ''), 'alice@acme.example', 'a mailbox user\'s null-sender mail counts against the mailbox');
});

test('the most specific IP user matches, IPv4-mapped addresses included', () => {
  const match = compileIpUsers([
    { id: 'wide', tenantId: 't1', cidr: '192.0.2.0/24', createdAt: '' },
    { id: 'narrow', tenantId: 't2', cidr: '192.0.2.8/29', createdAt: '' },
    { id: 'v6', tenantId: 't3', cidr: '2001:db8::/64', createdAt: '' },
  ]);
  assert.equal(match('192.0.2.9')?.id, 'narrow');
  assert.equal(match('::ffff:192.0.2.200')?.id, 'wide');
  assert.equal(match('2001:db8::5')?.id, 'v6');
  assert.equal(match('198.51.100.1'), undefined);
  assert.equal(match('not an ip'), undefined);
});

test('the login throttle blocks one IPv6 /64 however many of its addresses guess, and an IPv4 client however written', async () => {
  const { LoginThrottle } = await import('../../core/policy/login-throttle.js');
  const clock = { t: Date.parse('2026-03-02T09:00:00Z'), now() { return new Date(this.t); } };
  const t = new LoginThrottle(clock);
  for (let i = 0; i < 10; i++) t.fail(`2001:db8:1:2::${(i + 1).toString(16)}`);
  assert.throws(() => t.check('2001:db8:1:2:ffff::1'), { code: 'AUTH_THROTTLED' });
  assert.doesNotThrow(() => t.check('2001:db8:1:3::1'), 'another /64');
  for (let i = 0; i < 5; i++) t.fail('192.0.2.7');
  for (let i = 0; i < 5; i++) t.fail('::ffff:192.0.2.7');
  clock.t += 20_000;
  assert.throws(() => t.check('192.0.2.7'), { code: 'AUTH_THROTTLED' }, 'ten failures of one client: blocked for 15 minutes');
});

test('the login throttle\'s memory stays bounded under failures from many addresses', async () => {
  const { LoginThrottle, DEFAULT_LOGIN_THROTTLE } = await import('../../core/policy/login-throttle.js');
  const clock = { t: Date.parse('2026-03-02T09:00:00Z'), now() { return new Date(this.t); } };
  const t = new LoginThrottle(clock, { ...DEFAULT_LOGIN_THROTTLE, maxClients: 1000 });
  for (let i = 0; i < 20_000; i++) { t.fail(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`); clock.t += 1; }
  assert.ok(t.size <= 1000, `${t.size} clients kept`);
  // The newest guessers are the ones still tracked.
  for (let i = 0; i < 8; i++) t.fail('10.0.78.31');
  assert.throws(() => t.check('10.0.78.31'), { code: 'AUTH_THROTTLED' });
});

test('an internationalised domain is the same domain in Unicode and in punycode: ownership, sender keys, domains', () => {
  const idnDomainUser: Identity = { kind: 'smtp-user', tenantId: 't', username: 'xn--bcher-kva.example', userKind: 'domain' };
  const idnMailbox: Identity = { kind: 'smtp-user', tenantId: 't', username: 'ann@xn--bcher-kva.example', userKind: 'mailbox' };
  // Tenant domains and usernames are stored as punycode (core/tenants/domain-name.ts); an SMTPUTF8 client may write Unicode.
  assert.doesNotThrow(() => checkSenderOwnership(idnDomainUser, 'news@Bücher.example', ['xn--bcher-kva.example']));
  assert.doesNotThrow(() => checkSenderOwnership(idnDomainUser, 'news@post.BÜCHER.example.', ['xn--bcher-kva.example']));
  assert.doesNotThrow(() => checkSenderOwnership(idnMailbox, 'Ann@bücher.example', []));
  assert.throws(() => checkSenderOwnership(idnDomainUser, 'news@bucher.example', ['xn--bcher-kva.example']), { code: 'SENDER_NOT_ALLOWED' });
  assert.equal(senderKey(ipUser, 'Web@Bücher.example'), senderKey(ipUser, 'web@xn--bcher-kva.example'));
  assert.equal(senderKey(ipUser, 'x@y.example', 'Bob@Bücher.example'), 'bob@xn--bcher-kva.example');
  assert.equal(domainOf('a@BÜCHER.example'), 'xn--bcher-kva.example');
  assert.equal(domainOf('a@[192.0.2.1]'), '[192.0.2.1]');
  assert.equal(domainOf('nobody'), '');
});
