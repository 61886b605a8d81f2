// The SMTPUTF8 rule (RFC 6531 §3.4): only the local part decides, and a
// non-ASCII one needs SMTPUTF8 declared on MAIL FROM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAddressEncoding, hasNonAsciiLocalPart } from '../../core/policy/smtputf8.js';
import { checkRecipientAddress } from '../../core/policy/recipient.js';
import { acceptedRecord, type AcceptedMessage } from '../../core/pipeline/accept.js';
import { toSmtpReply } from '../../core/errors.js';

test('a local part with a character outside ASCII is non-ASCII; a Unicode domain alone is not', () => {
  assert.equal(hasNonAsciiLocalPart('jörg@example.com'), true);
  assert.equal(hasNonAsciiLocalPart('用户@例子.广告'), true);
  assert.equal(hasNonAsciiLocalPart('joerg@example.com'), false);
  assert.equal(hasNonAsciiLocalPart('alice@bücher.example'), false);
  assert.equal(hasNonAsciiLocalPart(''), false, 'the null sender');
  assert.equal(hasNonAsciiLocalPart('postmaster'), false);
  assert.equal(hasNonAsciiLocalPart('zoë'), true, 'an address without @ is all local part');
});

test('a non-ASCII local part without SMTPUTF8 is refused with 553 5.6.7 naming the address', () => {
  assert.throws(() => checkAddressEncoding('zoë@example.net', false), (err: unknown) => {
    const reply = toSmtpReply(err);
    assert.equal(reply.code, 553);
    assert.equal(reply.message, '5.6.7 <zoë@example.net>: SMTPUTF8 is required, but was not offered by the client');
    return true;
  });
  assert.throws(() => checkAddressEncoding('jörg@bücher.example', false), { code: 'SMTPUTF8_REQUIRED' });
});

test('a non-ASCII local part with SMTPUTF8, and any ASCII local part, are allowed', () => {
  assert.doesNotThrow(() => checkAddressEncoding('zoë@example.net', true));
  assert.doesNotThrow(() => checkAddressEncoding('zoe@example.net', false));
  assert.doesNotThrow(() => checkAddressEncoding('zoe@münchen.example', false));
  assert.doesNotThrow(() => checkAddressEncoding('', false));
});

test('a recipient is checked for syntax first (501), then for SMTPUTF8 (553 5.6.7)', () => {
  assert.throws(() => checkRecipientAddress('zoë@localhost'), { code: 'BAD_SYNTAX' });
  assert.throws(() => checkRecipientAddress('zoë@example.net'), { code: 'SMTPUTF8_REQUIRED' });
  assert.throws(() => checkRecipientAddress('zoë@example.net', { smtpUtf8: false }), { code: 'SMTPUTF8_REQUIRED' });
  assert.doesNotThrow(() => checkRecipientAddress('zoë@example.net', { smtpUtf8: true }));
  assert.doesNotThrow(() => checkRecipientAddress('bob@münchen.example'));
});

test('the accepted record says SMTPUTF8 only when the transaction declared it', () => {
  const m: AcceptedMessage = {
    id: 'm1', identity: { kind: 'smtp-user', tenantId: 't', username: 'acme.example', userKind: 'domain' },
    envelope: { mailFrom: 'jörg@acme.example', rcptTo: ['zoë@example.net'] }, clientIp: '192.0.2.1', sender: 'acme.example',
    size: 100, headers: {}, now: new Date('2025-01-01T00:00:00Z'), retrySeconds: 3600,
  };
  assert.equal(acceptedRecord({ ...m, smtpUtf8: true }).smtpUtf8, true);
  assert.equal('smtpUtf8' in acceptedRecord(m), false);
  assert.equal('smtpUtf8' in acceptedRecord({ ...m, smtpUtf8: false }), false);
});
