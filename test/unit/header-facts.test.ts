import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeaderCollector } from '../../core/message/header-facts.js';

test('the ingress reads Message-ID, a folded encoded Subject, From and X-AuthUser from the header block only', () => {
  const c = new HeaderCollector();
  c.push(Buffer.from('Message-ID: <a1@x.test>\r\nSubject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n  und mehr\r\nFrom: "Ann" <ann@x.test>\r\n'));
  assert.equal(c.done, false);
  c.push(Buffer.from('X-AuthUser: ann@x.test\r\n\r\nSubject: not a header, body text\r\n'));
  assert.equal(c.done, true);
  assert.deepEqual(c.facts(), { messageId: '<a1@x.test>', subject: 'Grüße und mehr', from: '"Ann" <ann@x.test>', xAuthUser: 'ann@x.test' });
});

test('a raw UTF-8 Subject (SMTPUTF8 clients, RFC 6532) is read as UTF-8; 8-bit bytes that are not UTF-8 stay as they are', () => {
  const utf8 = new HeaderCollector();
  utf8.push(Buffer.from('Subject: Grüße aus dem Büro\r\nFrom: Jörg <j@x.test>\r\n\r\nbody', 'utf8'));
  assert.deepEqual(utf8.facts(), { subject: 'Grüße aus dem Büro', from: 'Jörg <j@x.test>' });
  const legacy = new HeaderCollector();
  legacy.push(Buffer.from('Subject: Gr\xfc\xdfe\r\n\r\n', 'latin1'));
  assert.equal(legacy.facts().subject, 'Gr\xfc\xdfe');
});

test('the end of the header block is found when it arrives a byte at a time', () => {
  for (const end of ['\r\n\r\n', '\n\n']) {
    const c = new HeaderCollector();
    for (const byte of Buffer.from(`Subject: split${end}body text`)) {
      c.push(Buffer.from([byte]));
      if (c.done) break;
    }
    assert.equal(c.done, true, JSON.stringify(end));
    assert.equal(c.facts().subject, 'split');
  }
});
