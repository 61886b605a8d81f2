// Parsing into message facts: headers, text, HTML, URLs in every form, and
// the facts the pipeline keeps (message log, campaign fingerprint).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { bodyFingerprint, parseMessage } from '../../core/scoring/facts.js';
import { hostOf, numericHostToIpv4 } from '../../core/scoring/urls.js';
import { stripRelayTrace } from '../../core/scoring/trace.js';
import { message } from './helpers/messages.js';

describe('message facts', () => {
  it('decodes encoded-word subjects and display names', () => {
    const f = parseMessage(message({ from: '=?utf-8?Q?Ren=C3=A9e?= <renee@example.com>', subject: '=?iso-8859-1?B?Q2Fm6Q==?= time' }));
    assert.equal(f.subject, 'Café time');
    assert.equal(f.from?.name, 'Renée');
    assert.equal(f.from?.domain, 'example.com');
  });

  it('reads X-AuthUser and the Message-ID', () => {
    const f = parseMessage(message({ headers: ['X-AuthUser: Carol@Example.com'] }));
    assert.equal(f.xAuthUser, 'carol@example.com');
    assert.equal(f.messageId, 'test-1@example.com');
  });

  it('decodes quoted-printable text in its charset', () => {
    const raw = Buffer.from('From: a@example.com\r\nSubject: qp\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 au lait, a long line =\r\ncontinued\r\n', 'latin1');
    assert.match(parseMessage(raw).text, /Café au lait, a long line continued/);
  });

  it('renders HTML to text and keeps link texts and hrefs', () => {
    const f = parseMessage(message({ html: '<html><head><style>p{}</style></head><body><p>Hello&nbsp;<b>Bob</b> &amp; co</p><a href="https://docs.example.org/x">the docs</a></body></html>' }));
    assert.match(f.htmlText, /Hello Bob & co/);
    assert.doesNotMatch(f.htmlText, /p\{\}/);
    assert.deepEqual(f.links, [{ href: 'https://docs.example.org/x', text: 'the docs' }]);
  });

  it('reads HTML sent as text/plain as HTML', () => {
    const f = parseMessage(message({ text: '<html><body><p>Offer</p><a href="http://shop.example.org/">buy</a></body></html>' }));
    assert.equal(f.hasHtmlPart, true);
    assert.equal(f.urls[0]?.host, 'shop.example.org');
  });

  it('finds URLs in text, in hrefs and in obfuscated forms', () => {
    const f = parseMessage(message({
      text: 'plain http://one.example.org/a, www.two.example.org and hxxp://three.example.org/x and four[.]example[.]org',
      html: '<a href="http://five.example.org/">here</a>',
    }));
    const hosts = f.urls.map((u) => `${u.source}:${u.host}`).sort();
    for (const h of ['text:one.example.org', 'text:www.two.example.org', 'obfuscated:three.example.org', 'obfuscated:four.example.org', 'href:five.example.org']) {
      assert.ok(hosts.includes(h), `${h} missing from ${hosts.join(' ')}`);
    }
  });

  it('turns decimal, hex and octal hosts into dotted quads', () => {
    assert.equal(numericHostToIpv4('3232235777'), '192.168.1.1');
    assert.equal(numericHostToIpv4('0xC0A80101'), '192.168.1.1');
    assert.equal(numericHostToIpv4('0300.0250.01.01'), '192.168.1.1');
    assert.deepEqual(hostOf('http://user@paypal.com@198.51.100.7:8080/x'), { host: '198.51.100.7', rawIp: true });
  });

  it('walks nested multiparts and lists attachments with type, size and hash', () => {
    const f = parseMessage(message({ text: 'see attached', attachments: [{ type: 'application/pdf', filename: 'a.pdf', body: Buffer.from('%PDF-1.4 test') }] }));
    assert.equal(f.attachments.length, 1);
    const a = f.attachments[0]!;
    assert.deepEqual([a.filename, a.declaredType, a.sniffedType, a.size], ['a.pdf', 'application/pdf', 'pdf', 13]);
    assert.equal(a.sha256, createHash('sha256').update('%PDF-1.4 test').digest('hex'));
  });

  it('gives one campaign one fingerprint whatever the numbers and tracking parameters', () => {
    const a = parseMessage(message({ text: 'Dear 1234, claim your prize at http://win.example.org/c?id=1111 today' }));
    const b = parseMessage(message({ text: 'Dear 9876, claim your prize at http://win.example.org/c?id=2222 today' }));
    const c = parseMessage(message({ text: 'Minutes of the board meeting are attached.' }));
    assert.equal(bodyFingerprint(a), bodyFingerprint(b));
    assert.notEqual(bodyFingerprint(a), bodyFingerprint(c));
  });

  it('survives a multipart without its closing boundary and notes the oddity', () => {
    const raw = Buffer.from('From: a@example.com\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=q\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\nhello there\r\n', 'latin1');
    const f = parseMessage(raw);
    assert.match(f.text, /hello there/);
    assert.ok(f.oddities.includes('multipart-not-closed'));
  });
});

describe('relay trace stripping', () => {
  it('removes Received, Delivered-To, Return-Path, X-Spam and list headers and keeps the rest', () => {
    const raw = Buffer.from([
      'Return-Path: <x@example.com>', 'Received: from a by b;', '\tMon, 1 Jan 2002', 'Delivered-To: y@example.net',
      'X-Spam-Status: No', 'List-Id: <talk.example.org>', 'From: Alice <alice@example.com>', 'Subject: Re: [Talk] plans',
      '', 'body text', '_______________________________________________', 'Talk mailing list', 'Talk@example.org',
      'http://lists.example.org/mailman/listinfo/talk', '',
    ].join('\n'), 'latin1');
    const out = stripRelayTrace(raw).toString('latin1');
    assert.doesNotMatch(out, /Received|Delivered-To|Return-Path|X-Spam|List-Id|Mon, 1 Jan/);
    assert.match(out, /^From: Alice <alice@example.com>\nSubject: Re: plans\n\nbody text/);
    assert.doesNotMatch(out, /mailing list|listinfo/);
  });

  it('leaves a message without trace untouched', () => {
    const raw = message({ text: 'hello' });
    assert.equal(stripRelayTrace(raw).toString('latin1'), raw.toString('latin1'));
  });
});

describe('hostile HTML', () => {
  it('renders a flood of unclosed anchors, hidden spans and comments in one pass', () => {
    const html = '<a href="http://x.example.org/">link '.repeat(5000) + '<span style="display:none">hidden'.repeat(2000) + '<!-- never closed';
    const f = parseMessage(message({ html }));
    assert.equal(f.links.length, 500, 'links are capped');
    assert.ok(f.hiddenChars >= 2000 * 'hidden'.length);
    assert.ok(f.htmlText.length > 0);
  });

  it('drops everything after an unclosed <style> or <script> instead of rescanning', () => {
    const f = parseMessage(message({ html: '<p>shown</p>' + '<style>p{}'.repeat(5000) + 'tail' }));
    assert.equal(f.htmlText, 'shown');
  });
});
