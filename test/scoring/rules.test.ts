// Every content rule, one crafted message each: the rule fires on its trait
// and stays silent on an ordinary message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../core/scoring/facts.js';
import { RULES, ruleSignals } from '../../core/scoring/rules/table.js';
import type { ContentContext } from '../../core/scoring/index.js';
import { message } from './helpers/messages.js';
import { CONTEXT } from './helpers/context.js';

const manyRcpts: ContentContext = { ...CONTEXT, envelope: { ...CONTEXT.envelope, rcptTo: Array.from({ length: 60 }, (_, i) => `r${i}@example.net`) } };

/** rule name -> a message that must trigger it (and the context to score it in). */
const CASES: Record<string, { raw: Buffer; ctx?: ContentContext }> = {
  'phishing-phrase': { raw: message({ text: 'Dear customer, your account has been suspended. Please verify your account within 24 hours.' }) },
  'phishing-password-form': { raw: message({ html: '<form action="http://collect.example.org/"><input type="password" name="p"></form>' }) },
  'advance-fee-fraud': { raw: message({ text: 'I am a barrister. My late client left 25 million US dollars and you will be the beneficiary of the transfer of the funds.' }) },
  'url-shortener': { raw: message({ text: 'See https://bit.ly/3xYz for the details.' }) },
  'url-raw-ip': { raw: message({ text: 'Log in at http://3232235777/login now.' }) },
  'url-text-mismatch': { raw: message({ html: '<p>Go to <a href="http://evil.example.org/x">www.mybank.com</a></p>' }) },
  'url-userinfo': { raw: message({ text: 'Open http://www.paypal.com@evil.example.org/verify today' }) },
  'url-suspicious-tld': { raw: message({ text: 'Prizes at http://winner.example.top/claim' }) },
  'url-obfuscated': { raw: message({ text: 'Visit hxxp://malware.example.org/payload to continue' }) },
  'display-name-impersonation': { raw: message({ from: '"support@example.com" <attacker@elsewhere.example.org>' }) },
  'from-domain-not-owned': { raw: message({ from: 'Alice <alice@not-the-tenant.example.org>' }) },
  'from-missing': { raw: message({ from: '' }) },
  'reply-to-freemail': { raw: message({ headers: ['Reply-To: payments.dept@gmail.com'] }) },
  'html-hidden-text': { raw: message({ html: '<p>Hello</p><div style="display:none">viagra cialis cheap pills casino bonus jackpot winner</div>' }) },
  'html-only': { raw: message({ html: '<p>Hello Bob, see you tomorrow at the meeting.</p>' }) },
  'image-only': { raw: message({ html: '<a href="http://shop.example.org/"><img src="http://shop.example.org/offer.png"></a>' }) },
  'html-active-content': { raw: message({ html: '<p>Hi</p><script>document.location="http://evil.example.org"</script>' }) },
  'excessive-recipients': { raw: message({}), ctx: manyRcpts },
  'subject-empty-with-link': { raw: message({ subject: '', text: 'http://shop.example.org/' }) },
  'subject-all-caps-with-link': { raw: message({ subject: 'MAKE MONEY FAST TODAY', text: 'http://shop.example.org/' }) },
  'encoded-word-abuse': { raw: message({ subject: '=?utf-8?B?RnJlZQ==?= =?utf-8?Q?money?= =?iso-8859-1?Q?now?=' }) },
  'raw-8bit-headers': { raw: Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xe9]), Buffer.from('\r\n'), message({ subject: null })]) },
  'mime-structure-odd': { raw: Buffer.from('From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="zz"\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nhello\r\n', 'latin1') },
};

function fired(raw: Buffer, ctx: ContentContext): Map<string, string> {
  return new Map(ruleSignals(parseMessage(raw), ctx).map((s) => [s.name, s.detail ?? '']));
}

describe('content rules', () => {
  it('has a crafted case for every rule in the table', () => {
    assert.deepEqual(RULES.map((r) => r.name).filter((n) => !CASES[n]), []);
  });

  it('gives every rule a name, a positive weight and a description', () => {
    const names = new Set<string>();
    for (const r of RULES) {
      assert.match(r.name, /^[a-z0-9-]+$/);
      assert.ok(!names.has(r.name), `duplicate rule ${r.name}`);
      names.add(r.name);
      assert.ok(r.weight > 0 && r.description.length > 10, r.name);
    }
  });

  it('fires no rule on an ordinary plain-text message from an owned domain', () => {
    assert.deepEqual([...fired(message({ text: 'Hi Bob,\n\nThe notes from today are attached below.\n\nAlice' }), CONTEXT).keys()], []);
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`fires ${name} on a message crafted for it`, () => {
      const hits = fired(c.raw, c.ctx ?? CONTEXT);
      assert.ok(hits.has(name), `${name} did not fire; fired: ${[...hits.keys()].join(', ') || 'none'}`);
      assert.ok(hits.get(name)!.length > 0, 'a match explains itself with a detail');
    });
  }

  it('does not call a brand in a display name an impersonation', () => {
    assert.ok(!fired(message({ from: '"CNET News.com" <news@example.com>' }), CONTEXT).has('display-name-impersonation'));
  });

  it('flags a display name that names the tenant domain while sending from elsewhere', () => {
    const hits = fired(message({ from: '"example.com IT desk" <helpdesk@elsewhere.example.org>' }), CONTEXT);
    assert.ok(hits.has('display-name-impersonation'));
  });

  it('accepts subdomains of an owned domain as owned', () => {
    assert.ok(!fired(message({ from: 'news@mail.example.com' }), CONTEXT).has('from-domain-not-owned'));
  });

  it('does not treat a link whose text names the same site as a mismatch', () => {
    assert.ok(!fired(message({ html: '<a href="https://www.example.org/a?b=1">example.org</a> and <a href="http://x.example.org/">click here</a>' }), CONTEXT).has('url-text-mismatch'));
  });
});
