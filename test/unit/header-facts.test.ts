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
