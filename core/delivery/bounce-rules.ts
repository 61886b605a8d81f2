// Bounce classification as data: what a remote reply means for the message.
// The SMTP code decides by default (2xx delivered, 4xx and no answer
// deferred, 5xx bounced); the rules below correct the cases where receivers
// are known to say one thing and mean another, and name a category that the
// reputation module and the message log use. First matching rule wins.

export type DeliveryOutcome = 'delivered' | 'deferred' | 'bounced';

export type BounceCategory =
  | 'delivered'
  | 'network' // no server answered, or the connection broke
  | 'tls' // TLS required by MTA-STS or DANE and it could not be had
  | 'timeout' // our attempt's deadline passed before the receiver answered
  | 'greylist'
  | 'mailbox-full'
  | 'rate-limit'
  | 'unknown-user'
  | 'bad-domain'
  | 'blocklist' // our sending address is listed somewhere
  | 'spam' // the content was refused as spam or a virus
  | 'policy' // DMARC, SPF, relaying not allowed, other 5.7.x
  | 'message-size'
  | 'temporary'
  | 'permanent';

export interface BounceRule {
  /** Which reply codes the rule applies to: an exact code or a class ('4xx', '5xx'). */
  codes: readonly (number | '4xx' | '5xx' | 'none')[];
  /** Tested against the whole reply text (code, enhanced status and text), case-insensitively. */
  match: RegExp;
  outcome: DeliveryOutcome;
  category: BounceCategory;
  /** Why the rule exists. */
  why: string;
}

export const BOUNCE_RULES: readonly BounceRule[] = [
  // ---- replies that say "permanent" but are not ----
  { codes: ['5xx'], match: /grey ?list|gray ?list|try again later|temporarily (deferred|rejected|unavailable)/i, outcome: 'deferred', category: 'greylist',
    why: 'Some receivers greylist with a 5xx code and a "try again later" text; giving up would lose the mail.' },
  { codes: [552, 550], match: /\b5\.2\.2\b|mailbox (is )?full|over ?quota|quota exceeded|insufficient storage/i, outcome: 'deferred', category: 'mailbox-full',
    why: 'RFC 5321 4.5.3.1.10: a full mailbox reported with 552 should be treated as temporary; it usually empties.' },
  { codes: ['5xx'], match: /\b5\.7\.0\b.*(rate|too many)|rate limit|too many (messages|connections)/i, outcome: 'deferred', category: 'rate-limit',
    why: 'Rate limits reported with a 5xx code clear with time.' },

  // ---- permanent failures, with the category that matters for reputation ----
  { codes: ['5xx'], match: /\b5\.1\.(2|10)\b|null MX|domain (not found|does not exist)|host (not found|unknown)|no mx|NXDOMAIN/i, outcome: 'bounced', category: 'bad-domain',
    why: 'The recipient domain has no mail server.' },
  { codes: ['5xx'], match: /\b5\.1\.[013-6]\b|user unknown|no such (user|mailbox|recipient)|unknown (user|recipient)|mailbox (unavailable|not found)|recipient (address )?rejected|does not exist|invalid recipient/i,
    outcome: 'bounced', category: 'unknown-user',
    why: 'Invalid recipients: a burst of these is the mark of a spammer with a bought list.' },
  { codes: ['5xx'], match: /spamhaus|spamcop|barracuda|block ?list|black ?list|\blisted\b|\brbl\b|\bdnsbl\b|poor reputation|bad reputation/i, outcome: 'bounced', category: 'blocklist',
    why: 'Our address or the sending domain is listed: the operator must hear of it, the sender is not necessarily at fault.' },
  { codes: ['5xx'], match: /spam|virus|malware|phish|content (rejected|policy)|message (content )?rejected/i, outcome: 'bounced', category: 'spam',
    why: 'The receiver judged the content abusive: the strongest outside signal against this sender.' },
  { codes: ['5xx'], match: /\b5\.3\.4\b|\b5\.2\.3\b|message (too big|too large|size exceeds)/i, outcome: 'bounced', category: 'message-size',
    why: 'Resending the same bytes will not shrink them.' },
  { codes: ['5xx'], match: /\b5\.7\.\d+\b|dmarc|\bspf\b|dkim|relay(ing)? (denied|not permitted|access denied)|not authori[sz]ed|policy/i, outcome: 'bounced', category: 'policy',
    why: 'Authentication and relay policy refusals.' },

  // ---- temporary failures worth naming ----
  { codes: [451], match: /^451 4\.4\.7 local:/, outcome: 'deferred', category: 'timeout',
    why: 'Our attempt ran out of its time (core/delivery/attempt-deadline.ts): the receiver was slow, not wrong. Retried; when the data had been sent the outcome is unknown, and a retry risks a duplicate rather than a loss.' },
  { codes: ['4xx'], match: /grey ?list|gray ?list/i, outcome: 'deferred', category: 'greylist', why: 'Greylisting: expected, clears in minutes.' },
  { codes: ['4xx'], match: /\b4\.2\.2\b|mailbox (is )?full|over ?quota/i, outcome: 'deferred', category: 'mailbox-full', why: 'Full mailbox.' },
  { codes: [421, '4xx'], match: /rate|too many|throttl/i, outcome: 'deferred', category: 'rate-limit', why: 'The receiver is slowing us down.' },
  { codes: ['none'], match: /local-(tls|policy)/i, outcome: 'deferred', category: 'tls',
    why: 'MTA-STS or DANE demanded TLS (or a listed MX) that we could not get; RFC 8461 and 7672 say defer, never downgrade.' },
  { codes: ['none'], match: /[\s\S]*/, outcome: 'deferred', category: 'network', why: 'No server answered: DNS failure, refused or broken connection.' },
];

export interface Classification {
  outcome: DeliveryOutcome;
  category: BounceCategory;
}

function codeMatches(code: number, wanted: BounceRule['codes'][number]): boolean {
  if (wanted === 'none') return code === 0;
  if (wanted === '4xx') return code >= 400 && code < 500;
  if (wanted === '5xx') return code >= 500 && code < 600;
  return code === wanted;
}

/** What a remote reply (code 0 = no answer) means for one recipient. */
export function classifyReply(code: number, reply: string): Classification {
  if (code >= 200 && code < 300) return { outcome: 'delivered', category: 'delivered' };
  for (const rule of BOUNCE_RULES) {
    if (rule.codes.some((c) => codeMatches(code, c)) && rule.match.test(reply)) {
      return { outcome: rule.outcome, category: rule.category };
    }
  }
  if (code >= 500 && code < 600) return { outcome: 'bounced', category: 'permanent' };
  // 4xx, 0, and anything malformed (a 3xx after DATA, a garbage code) are retried: never lose mail on a guess.
  return { outcome: 'deferred', category: code === 0 ? 'network' : 'temporary' };
}

/** The RFC 3463 enhanced status code in a reply, if it carries one. */
export function enhancedStatus(reply: string): string | undefined {
  const m = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply.trim()) ?? /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply);
  return m?.[1];
}
