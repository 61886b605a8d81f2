import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { buildDsn, dsnStatus } from '../../core/delivery/dsn.js';
import type { RecipientStatus } from '../../core/model.js';

const original = Buffer.from('From: Alice <alice@example.com>\r\nTo: bob@dest.test\r\nSubject: Caf\xc3\xa9 report\r\nMessage-ID: <orig@example.com>\r\n\r\nsecret body text\r\n', 'latin1');

function dsnFor(failed: RecipientStatus[], expired = false): Buffer {
  return buildDsn({
    hostname: 'gw.relayguard.test',
    returnPath: 'alice@example.com',
    originalId: 'msg123',
    arrivalDate: new Date('2026-11-28T11:00:00Z'),
    originalRaw: original,
    failed,
    expired,
    now: new Date('2026-11-28T12:00:00Z'),
    messageId: '<msg123-dsn-1@gw.relayguard.test>',
  });
}

describe('DSN builder', () => {
  it('builds a multipart/report that a MIME parser reads as three parts', async () => {
    const raw = dsnFor([{ rcpt: 'gone@dest.test', state: 'bounced', attempts: 1, reply: '550 5.1.1 user unknown', mx: 'mx.dest.test', lastAttemptAt: '2026-11-28T11:59:00Z' }]);
    const parsed = await simpleParser(raw);
    assert.match(String(parsed.headers.get('content-type') && (parsed.headers.get('content-type') as { value: string }).value), /multipart\/report/);
    assert.equal(parsed.headers.get('auto-submitted'), 'auto-replied');
    assert.equal(parsed.messageId, '<msg123-dsn-1@gw.relayguard.test>');
    assert.match(parsed.text ?? '', /<gone@dest\.test>: 550 5\.1\.1 user unknown/);
    // The three parts, in RFC 3464 order, split at the declared boundary.
    const boundary = /boundary="([^"]+)"/.exec(raw.toString())![1]!;
    const parts = raw.toString().split(`\r\n--${boundary}`).slice(1, -1);
    assert.deepEqual(parts.map((p) => /Content-Type: ([^;\r\n]+)/.exec(p)![1]), ['text/plain', 'message/delivery-status', 'text/rfc822-headers']);
    assert.ok(raw.toString().trimEnd().endsWith(`--${boundary}--`), 'the multipart is closed');
  });

  it('writes one per-recipient block with the remote reply, its host and the last attempt date', () => {
    const text = dsnFor([
      { rcpt: 'gone@dest.test', state: 'bounced', attempts: 1, reply: '550 5.1.1 user unknown', mx: 'mx.dest.test', lastAttemptAt: '2026-11-28T11:59:00Z' },
      { rcpt: 'also@dest.test', state: 'bounced', attempts: 1, reply: '554 transaction failed', mx: 'mx.dest.test' },
    ]).toString('utf8');
    assert.match(text, /Final-Recipient: rfc822; gone@dest\.test\r\nAction: failed\r\nStatus: 5\.1\.1\r\nRemote-MTA: dns; mx\.dest\.test\r\nDiagnostic-Code: smtp; 550 5\.1\.1 user unknown\r\nLast-Attempt-Date: Sat, 28 Nov 2026 11:59:00 \+0000/);
    assert.match(text, /Final-Recipient: rfc822; also@dest\.test\r\nAction: failed\r\nStatus: 5\.0\.0/);
    assert.match(text, /Arrival-Date: Sat, 28 Nov 2026 11:00:00 \+0000/);
  });

  it('quotes the original headers byte for byte and leaves the body out', () => {
    const raw = dsnFor([{ rcpt: 'gone@dest.test', state: 'bounced', attempts: 1, reply: '550 no' }]);
    assert.ok(raw.includes(Buffer.from('Subject: Caf\xc3\xa9 report', 'latin1')), 'UTF-8 subject bytes survive');
    assert.ok(!raw.includes(Buffer.from('secret body text')), 'the body is not mailed back');
  });

  it('flattens a multi-line reply into one header line', () => {
    const text = dsnFor([{ rcpt: 'x@dest.test', state: 'bounced', attempts: 1, reply: '550-5.7.1 first line\r\n550 5.7.1 second line' }]).toString();
    assert.match(text, /Diagnostic-Code: smtp; 550-5\.7\.1 first line 550 5\.7\.1 second line\r\n/);
  });

  it('uses the utf-8 address type for an internationalised recipient', () => {
    const text = dsnFor([{ rcpt: 'jürgen@dest.test', state: 'bounced', attempts: 1, reply: '550 5.1.1 unknown' }]).toString('utf8');
    assert.match(text, /Final-Recipient: utf-8; jürgen@dest\.test/);
  });

  it('marks recipients that ran out of time with their temporary status or 4.4.7', () => {
    assert.equal(dsnStatus({ rcpt: 'a@b.test', state: 'bounced', attempts: 9, reply: '452 4.2.2 mailbox full' }, true), '4.2.2');
    assert.equal(dsnStatus({ rcpt: 'a@b.test', state: 'bounced', attempts: 9, reply: 'connect ECONNREFUSED' }, true), '4.4.7');
    assert.equal(dsnStatus({ rcpt: 'a@b.test', state: 'bounced', attempts: 1, reply: '550 5.7.1 no' }, true), '5.7.1');
    const text = dsnFor([{ rcpt: 'slow@dest.test', state: 'bounced', attempts: 9, reply: 'connect ETIMEDOUT' }], true).toString();
    assert.match(text, /Status: 4\.4\.7\r\n/);
    assert.match(text, /Diagnostic-Code: x-local; connect ETIMEDOUT/);
    assert.match(text, /Subject: Undelivered Mail Returned to Sender \(delivery time expired\)/);
  });
});

describe('DSN builder, mixed and local outcomes', () => {
  it('says which recipients were refused and which ran out of time when one DSN has both', () => {
    const text = dsnFor([
      { rcpt: 'gone@dest.test', state: 'bounced', attempts: 3, reply: '550 5.1.1 user unknown' },
      { rcpt: 'slow@dest.test', state: 'bounced', attempts: 3, reply: '451 4.3.0 try later' },
    ], true).toString();
    assert.match(text, /some servers refused it\r\npermanently, the others kept answering with a temporary failure/);
    assert.match(text, /Final-Recipient: rfc822; gone@dest\.test\r\nAction: failed\r\nStatus: 5\.1\.1/);
    assert.match(text, /Final-Recipient: rfc822; slow@dest\.test\r\nAction: failed\r\nStatus: 4\.3\.0/);
  });

  it('keeps the plain wording when every recipient is of one kind', () => {
    assert.match(dsnFor([{ rcpt: 'a@dest.test', state: 'bounced', attempts: 1, reply: '550 5.1.1 unknown' }], true).toString(), /their servers\r\nrefused it permanently\./);
    assert.match(dsnFor([{ rcpt: 'a@dest.test', state: 'bounced', attempts: 9, reply: '451 4.3.0 later' }], true).toString(), /kept\r\nanswering with a temporary failure/);
  });

  it('marks the gateway\'s own diagnosis as x-local even when it is written like an SMTP reply', () => {
    const text = dsnFor([{ rcpt: 'a@dest.test', state: 'bounced', attempts: 1, reply: '554 5.3.0 local: the message body is missing from the spool and cannot be delivered' }]).toString();
    assert.match(text, /Diagnostic-Code: x-local; 554 5\.3\.0 local: the message body is missing/);
    assert.match(text, /Status: 5\.3\.0/);
  });

  it('marks the transport\'s own permanent failures (no such domain, null MX) as x-local with their status', async () => {
    const { createDirectMxTransport } = await import('../../adapters/transport/direct-mx.js');
    const { tableResolver, sampleMessage } = await import('./helpers.js');
    const transport = createDirectMxTransport({ name: 'gw.relayguard.test', resolve: tableResolver({ 'nullmx.test MX': [{ exchange: '', priority: 0 }] }), connectTimeoutMs: 1000 });
    const results = await transport.send({ mailFrom: 'alice@example.com', rcptTo: ['a@nullmx.test', 'b@gone.test'], raw: Buffer.from(sampleMessage('alice@example.com', 'a@nullmx.test')) });
    const text = dsnFor(results.map((r) => ({ rcpt: r.rcpt, state: 'bounced' as const, attempts: 1, reply: r.reply }))).toString();
    assert.match(text, /Final-Recipient: rfc822; a@nullmx\.test\r\nAction: failed\r\nStatus: 5\.1\.10\r\nDiagnostic-Code: x-local; 556 5\.1\.10 local: /);
    assert.match(text, /Final-Recipient: rfc822; b@gone\.test\r\nAction: failed\r\nStatus: 5\.1\.2\r\nDiagnostic-Code: x-local; 550 5\.1\.2 local: /);
    assert.doesNotMatch(text, /Diagnostic-Code: smtp;/);
  });
});
