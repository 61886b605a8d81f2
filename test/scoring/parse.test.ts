// Parsing into message facts: headers, text, HTML, URLs in every form, and
// the facts the pipeline keeps (message log, campaign fingerprint).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { bodyFingerprint, parseMessage } from '../../core/scoring/facts.js';
import { hostOf, numericHostToIpv4 } from '../../core/scoring/urls.js';
import { stripRelayTrace } from '../../core/scoring/trace.js';
import { checkAttachments } from '../../core/scoring/attachments/check.js';
import { extractFeatures } from '../../core/scoring/classifier/features.js';
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

  it('reads the body of HTML whose <head> is never closed, as a browser shows it', () => {
    const f = parseMessage(message({ html: '<html><head><title>Offer</title><meta charset="utf-8"><body><p>Cheap pills here</p><a href="http://pills.example.org/">order</a></body></html>' }));
    assert.match(f.htmlText, /Cheap pills here/);
    assert.doesNotMatch(f.htmlText, /Offer/, 'the title is still not body text');
    assert.deepEqual(f.links, [{ href: 'http://pills.example.org/', text: 'order' }]);
  });

  it('drops everything after an unclosed <style> or <script> instead of rescanning', () => {
    const f = parseMessage(message({ html: '<p>shown</p>' + '<style>p{}'.repeat(5000) + 'tail' }));
    assert.equal(f.htmlText, 'shown');
  });
});

describe('unencoded 8-bit headers', () => {
  // A message whose Subject and From are raw bytes in the body's legacy charset, as older clients wrote them.
  const legacy = (charset: string, subject: Buffer, fromName: Buffer, body: Buffer) => Buffer.concat([
    Buffer.from('From: ', 'latin1'), fromName, Buffer.from(' <sender@example.com>\r\nTo: bob@example.net\r\nSubject: ', 'latin1'), subject,
    Buffer.from(`\r\nMessage-ID: <legacy-1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`, 'latin1'),
    body, Buffer.from('\r\n', 'latin1'),
  ]);

  it('reads a Korean subject and sender name in the charset of the text (ks_c_5601-1987)', () => {
    // "무료 상담 안내", "홍길동", "안녕하세요" in EUC-KR (ks_c_5601-1987 is its common label)
    const hex = (h: string) => Buffer.from(h, 'hex');
    const f = parseMessage(legacy('ks_c_5601-1987', hex('b9abb7e120bbf3b4e320bec8b3bb'), hex('c8abb1e6b5bf'), hex('bec8b3e7c7cfbcbcbfe4')));
    assert.equal(f.subject, '무료 상담 안내');
    assert.equal(f.from?.name, '홍길동');
    assert.equal(f.from?.address, 'sender@example.com');
    assert.equal(f.text.trim(), '안녕하세요');
  });

  it('reads a Turkish subject in windows-1254', () => {
    // "Çeviri İndirimi şimdi" in windows-1254: Ç=C7, İ=DD, ş=FE
    const subject = Buffer.from([0xc7, ...Buffer.from('eviri ', 'latin1'), 0xdd, ...Buffer.from('ndirimi ', 'latin1'), 0xfe, ...Buffer.from('imdi', 'latin1')]);
    const f = parseMessage(legacy('windows-1254', subject, Buffer.from('Ali', 'latin1'), Buffer.from('Merhaba', 'latin1')));
    assert.equal(f.subject, 'Çeviri İndirimi şimdi');
  });

  it('still reads valid UTF-8 as UTF-8, and falls back to latin1 when no charset is declared', () => {
    const utf8 = parseMessage(legacy('iso-8859-1', Buffer.from('Café olé', 'utf8'), Buffer.from('Zoë', 'utf8'), Buffer.from('Bonjour', 'latin1')));
    assert.equal(utf8.subject, 'Café olé');
    assert.equal(utf8.from?.name, 'Zoë');
    const raw = Buffer.from('From: a@example.com\r\nSubject: Caf\xe9 cr\xe8me\r\n\r\nplain body\r\n', 'latin1');
    assert.equal(parseMessage(raw).subject, 'Café crème');
  });

  it('reads raw bytes next to an encoded word in the same charset fallback', () => {
    const subject = Buffer.concat([Buffer.from('=?utf-8?B?' + Buffer.from('Olá', 'utf8').toString('base64') + '?= ', 'latin1'), Buffer.from([0xfe]), Buffer.from('ok', 'latin1')]);
    const f = parseMessage(legacy('windows-1254', subject, Buffer.from('Ali', 'latin1'), Buffer.from('Merhaba', 'latin1')));
    assert.equal(f.subject, 'Olá şok'); // 0xFE is ş in windows-1254, þ in latin1
  });
});

describe('text parts that carry a filename', () => {
  const single = (disposition: string, type = 'text/html') => Buffer.from([
    'From: Promo <promo@example.com>', 'To: bob@example.net', 'Subject: Offer', 'Message-ID: <named-1@example.com>', 'MIME-Version: 1.0',
    `Content-Type: ${type}; charset=us-ascii`, `Content-Disposition: ${disposition}`, '',
    type === 'text/html'
      ? '<html><body><p>Refinance your mortgage today at the lowest rates</p><a href="http://rates.example.org/">apply now</a></body></html>'
      : 'Refinance your mortgage today at the lowest rates: http://rates.example.org/',
    '',
  ].join('\r\n'), 'latin1');

  it('reads an inline HTML part with a filename as body text and still lists it as an attachment', () => {
    const f = parseMessage(single('inline; filename="filename.html"'));
    assert.match(f.htmlText, /Refinance your mortgage/);
    assert.equal(f.hasHtmlPart, true);
    assert.equal(f.urls[0]?.host, 'rates.example.org');
    assert.deepEqual(f.attachments.map((a) => [a.filename, a.declaredType]), [['filename.html', 'text/html']]);
    const words = extractFeatures(f);
    assert.ok(words.has('refinance') && words.has('mortgage'));
  });

  it('reads a text/plain part named without a disposition as body text too', () => {
    const raw = Buffer.from(single('inline').toString('latin1').replace(/Content-Disposition: inline\r\n/, '')
      .replace('Content-Type: text/html; charset=us-ascii', 'Content-Type: text/plain; charset=us-ascii; name="offer.txt"'), 'latin1');
    const f = parseMessage(raw);
    assert.match(f.text + f.htmlText, /Refinance your mortgage/);
    assert.deepEqual(f.attachments.map((a) => a.filename), ['offer.txt']);
  });

  it('keeps the attachment checks on such a part', () => {
    const raw = Buffer.from(single('inline; filename="login.html"').toString('latin1')
      .replace('<a href', '<form action="http://evil.example.org/"><input type="password" name="p"></form><a href'), 'latin1');
    const names = checkAttachments(parseMessage(raw).attachments).map((s) => s.name);
    assert.ok(names.includes('attachment-html-active'), names.join(' '));
  });

  it('leaves a text/plain part marked as an attachment out of the body', () => {
    const f = parseMessage(message({ text: 'see the log', attachments: [{ type: 'text/plain', filename: 'server.log', body: 'Refinance your mortgage', encoding: '7bit' }] }));
    assert.doesNotMatch(f.text, /Refinance/);
    assert.equal(f.text.trim(), 'see the log');
    assert.deepEqual(f.attachments.map((a) => a.filename), ['server.log']);
  });
});
