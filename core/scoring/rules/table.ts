// The content rules: each a named signal with a weight, a one-line reason
// and a test over message facts. Weights are in the same units as the
// classifier's log-odds (see docs/scoring.md). A test returns a detail
// string when the rule matches, undefined otherwise.
import { isOwnedDomain } from '../../policy/sender-key.js';
import type { Signal } from '../../model.js';
import type { MessageFacts } from '../facts.js';
import type { ContentContext } from '../index.js';
import { baseDomain, hostOf } from '../urls.js';
import { ADVANCE_FEE_PHRASES, FREEMAIL_DOMAINS, PHISHING_PHRASES, SUSPICIOUS_TLDS, URL_SHORTENERS } from './lists.js';

export interface Rule {
  name: string;
  weight: number;
  description: string;
  test(facts: MessageFacts, ctx: ContentContext): string | undefined;
}

const body = (f: MessageFacts) => (f.text + '\n' + f.htmlText).slice(0, 100_000);
const firstMatch = (text: string, patterns: RegExp[]) => {
  for (const p of patterns) { const m = p.exec(text); if (m) return m[0]; }
  return undefined;
};
const list = (items: string[]) => (items.length ? [...new Set(items)].slice(0, 5).join(', ') : undefined);
const tld = (host: string) => host.slice(host.lastIndexOf('.') + 1);

export const RULES: Rule[] = [
  {
    name: 'phishing-phrase',
    weight: 3,
    description: 'Asks the reader to verify, restore or unlock an account or password (credential harvesting).',
    test: (f) => firstMatch(f.subject + '\n' + body(f), PHISHING_PHRASES),
  },
  {
    name: 'phishing-password-form',
    weight: 4,
    description: 'An HTML form with a password field inside the mail.',
    test: (f) => (f.passwordInputs > 0 ? `${f.passwordInputs} password field(s)` : undefined),
  },
  {
    name: 'advance-fee-fraud',
    weight: 3,
    description: 'Millions of dollars plus a beneficiary or a secret transfer: the 419 pattern.',
    test: (f) => {
      const text = body(f);
      const sum = firstMatch(text, ADVANCE_FEE_PHRASES.slice(0, 1));
      const story = sum && firstMatch(text, ADVANCE_FEE_PHRASES.slice(1));
      return sum && story ? `${sum} … ${story}` : undefined;
    },
  },
  {
    name: 'url-shortener',
    weight: 1.5,
    description: 'Links through a URL shortener, which hides the destination.',
    test: (f) => list(f.urls.filter((u) => URL_SHORTENERS.has(u.host)).map((u) => u.host)),
  },
  {
    name: 'url-raw-ip',
    weight: 2.5,
    description: 'Links to a bare IP address (dotted, decimal or hex) instead of a name.',
    test: (f) => list(f.urls.filter((u) => u.rawIp).map((u) => u.host)),
  },
  {
    name: 'url-text-mismatch',
    weight: 1.5,
    description: 'A link whose visible text names one site while the href goes to another.',
    test: (f) => list(f.urls.flatMap((u) => {
      if (u.source !== 'href' || !u.text) return [];
      const shown = /^\s*(?:https?:\/\/|www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?:[/:?#]\S*)?\s*$/i.exec(u.text);
      if (!shown || !/[a-z]/i.test(shown[1]!.slice(shown[1]!.lastIndexOf('.') + 1))) return [];
      const shownHost = hostOf('http://' + shown[1]!)?.host;
      return shownHost && baseDomain(shownHost) !== baseDomain(u.host) ? [`"${u.text.slice(0, 60)}" -> ${u.host}`] : [];
    })),
  },
  {
    name: 'url-userinfo',
    weight: 3,
    description: 'A URL with "name@" before the host (http://bank.example@evil.example/), which hides the real host.',
    test: (f) => list(f.urls.filter((u) => /^[a-z]+:\/\/[^/?#]*@/i.test(u.url)).map((u) => u.host)),
  },
  {
    name: 'url-suspicious-tld',
    weight: 1.5,
    description: 'Links into a top-level domain that abuse trackers list as mostly malicious.',
    test: (f) => list(f.urls.filter((u) => !u.rawIp && SUSPICIOUS_TLDS.has(tld(u.host))).map((u) => u.host)),
  },
  {
    name: 'url-obfuscated',
    weight: 2,
    description: 'A link written to dodge link scanners: hxxp://, example[.]com, spaced-out letters.',
    test: (f) => list(f.urls.filter((u) => u.source === 'obfuscated').map((u) => u.url)),
  },
  {
    name: 'display-name-impersonation',
    weight: 3,
    description: 'The From display name shows an address or domain other than the real sender domain (or one of the tenant\'s own while sending from elsewhere).',
    test: (f, ctx) => {
      if (!f.from) return undefined;
      // An address in the display name ("support@bank.example" <x@elsewhere.example>); brand names like "News.com" are not addresses.
      // The local part is bounded (64, RFC 5321): unbounded, a long run of name characters with no '@'
      // is rescanned from each of its positions (quadratic). Only the domain is used.
      const shown = f.from.name.includes('@') ? /[a-z0-9._%+-]{1,64}@([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})\b/i.exec(f.from.name)?.[1]?.toLowerCase() : undefined;
      if (shown && f.from.domain && baseDomain(shown) !== baseDomain(f.from.domain)) return `"${f.from.name}" <${f.from.address}>`;
      const ownedShown = ctx.ownedDomains.find((d) => f.from!.name.toLowerCase().includes(d.toLowerCase()));
      if (ownedShown && !isOwnedDomain(f.from.domain, ctx.ownedDomains)) return `"${f.from.name}" names ${ownedShown}`;
      return undefined;
    },
  },
  {
    name: 'from-domain-not-owned',
    weight: 1.5,
    description: 'The From header domain is not one of the tenant\'s domains (spoofing, or a compromised form script).',
    test: (f, ctx) => {
      if (ctx.ownedDomains.length === 0) return undefined; // nothing to compare with
      if (!f.from?.domain) return 'no From domain';
      return isOwnedDomain(f.from.domain, ctx.ownedDomains.map((d) => d.toLowerCase())) ? undefined : f.from.domain;
    },
  },
  {
    name: 'from-missing',
    weight: 2,
    description: 'No usable From header.',
    test: (f) => (f.from?.address ? undefined : 'no From address'),
  },
  {
    name: 'reply-to-freemail',
    weight: 1.5,
    description: 'Replies go to a free mailbox while the From domain is not one: answers are harvested elsewhere.',
    test: (f) => (f.replyTo && f.from && FREEMAIL_DOMAINS.has(f.replyTo.domain) && !FREEMAIL_DOMAINS.has(f.from.domain) ? f.replyTo.address : undefined),
  },
  {
    name: 'html-hidden-text',
    weight: 2,
    description: 'Text hidden with CSS (display:none, visibility:hidden, font-size:0), typically words to fool filters.',
    test: (f) => (f.hiddenChars >= 30 ? `${f.hiddenChars} hidden characters` : undefined),
  },
  {
    name: 'html-only',
    weight: 0.5,
    description: 'HTML with no plain-text alternative.',
    test: (f) => (f.hasHtmlPart && !f.hasTextPart ? 'no text/plain part' : undefined),
  },
  {
    name: 'image-only',
    weight: 2,
    description: 'HTML that is images with hardly any text: the words are in the picture.',
    test: (f) => (f.images > 0 && f.hasHtmlPart && (f.text + f.htmlText).replace(/\s+/g, '').length < 100 ? `${f.images} image(s), little text` : undefined),
  },
  {
    name: 'html-active-content',
    weight: 1,
    description: 'Scripts or meta refresh in the HTML: mail clients do not run them, attackers still try.',
    test: (f) => (f.scripts > 0 ? `${f.scripts} script/refresh element(s)` : undefined),
  },
  {
    name: 'excessive-recipients',
    weight: 2,
    description: 'More than 50 envelope recipients, or more than 25 addresses visible in To/Cc.',
    test: (f, ctx) => {
      if (ctx.envelope.rcptTo.length > 50) return `${ctx.envelope.rcptTo.length} envelope recipients`;
      return f.headerRecipients > 25 ? `${f.headerRecipients} To/Cc addresses` : undefined;
    },
  },
  {
    name: 'subject-empty-with-link',
    weight: 2,
    description: 'No subject, but a link: the shape of a bare spam or phishing link drop.',
    test: (f) => (f.subject.replace(/^(?:re|fwd?):\s*/i, '').trim() === '' && f.urls.length > 0 ? `${f.urls.length} link(s)` : undefined),
  },
  {
    name: 'subject-all-caps-with-link',
    weight: 2,
    description: 'An all-capitals subject of some length, plus a link.',
    test: (f) => {
      const letters = f.subject.replace(/[^\p{L}]/gu, '');
      return letters.length >= 8 && letters.replace(/[^\p{Lu}]/gu, '').length / letters.length >= 0.9 && f.urls.length > 0 ? f.subject.slice(0, 80) : undefined;
    },
  },
  {
    name: 'encoded-word-abuse',
    weight: 1.5,
    description: 'Plain-ASCII header text hidden in RFC 2047 encoded words (filter evasion), or headers mixing many charsets.',
    test: (f) => {
      if (f.encodedWords.needless >= 2) return `${f.encodedWords.needless} needless encoded words`;
      return f.encodedWords.charsets.size >= 3 ? `${f.encodedWords.charsets.size} charsets in headers` : undefined;
    },
  },
  {
    name: 'raw-8bit-headers',
    weight: 0.5,
    description: 'Unencoded 8-bit bytes in headers.',
    test: (f) => (f.rawEightBitHeaders ? '8-bit header bytes' : undefined),
  },
  {
    name: 'mime-structure-odd',
    weight: 1.5,
    description: 'Broken or evasive MIME structure: unclosed multipart, missing boundary, garbage in base64, duplicate From/Subject, absurd nesting.',
    test: (f) => list(f.oddities),
  },
];

/** The signals of every rule that matches, in table order. */
export function ruleSignals(facts: MessageFacts, ctx: ContentContext): Signal[] {
  const signals: Signal[] = [];
  for (const rule of RULES) {
    const detail = rule.test(facts, ctx);
    if (detail !== undefined) signals.push({ name: rule.name, weight: rule.weight, detail });
  }
  return signals;
}
