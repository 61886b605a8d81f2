import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError, toProblem, toSmtpReply } from '../../core/errors.js';

test('a locked sender maps to 550 5.7.1 with the reason', () => {
  const reply = toSmtpReply(new DomainError('SENDER_LOCKED', 'Account locked: spam burst'));
  assert.equal(reply.code, 550);
  assert.equal(reply.message, '5.7.1 Account locked: spam burst');
});

test('an unknown error maps to a temporary SMTP failure, never an accept', () => {
  assert.equal(toSmtpReply(new Error('boom')).code, 451);
});

test('a domain error maps to an RFC 9457 problem with its status', () => {
  const p = toProblem(new DomainError('QUOTA_EXCEEDED', 'IP user quota of 2 reached'));
  assert.equal(p.status, 409);
  assert.equal(p.body.detail, 'IP user quota of 2 reached');
  assert.equal(p.body.code, 'QUOTA_EXCEEDED');
});
