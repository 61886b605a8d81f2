import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRecipientAddress } from '../../core/policy/recipient.js';
import { checkSenderOwnership } from '../../core/policy/sender-ownership.js';
import { senderKey, isOwnedDomain } from '../../core/policy/sender-key.js';
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
  assert.throws(() => checkSenderOwnership(domainUser, 'x@acme.example.evil.test', ['acme.example']), { code: 'SENDER_NOT_ALLOWED' });
  assert.doesNotThrow(() => checkSenderOwnership(ipUser, 'anyone@customer.example', []));
  assert.equal(isOwnedDomain('acmeexample', ['acme.example']), false);
});

test('the sender key is the login for SMTP users and X-AuthUser or the envelope sender behind an IP user', () => {
  assert.equal(senderKey(domainUser, 'news@acme.example'), 'acme.example');
  assert.equal(senderKey(ipUser, 'Web@Site.example'), 'web@site.example');
  assert.equal(senderKey(ipUser, 'web@site.example', ' Bob@Site.example '), 'bob@site.example');
  assert.equal(senderKey(ipUser, ''), '<>@192.0.2.0/24');
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
