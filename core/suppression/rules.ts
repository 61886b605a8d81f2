// Which delivery results put a recipient on the tenant's suppression list, as
// data. Only a reply that says the *address* is dead suppresses it: a refusal
// of our sender, our IP, our content or a full mailbox says nothing about the
// address, and suppressing it would silence a working mailbox for good.
// First matching rule wins; a 5xx that no rule names does not suppress.
import { classifyReply, enhancedStatus } from '../delivery/bounce-rules.js';

export interface SuppressionRule {
  /** Stable name, shown in tests and docs. */
  name: string;
  /** The RFC 3463 enhanced status the reply must carry; 'none' = the reply has none (or a bare 5.0.0); 'any' = either. */
  status: RegExp | 'none' | 'any';
  /** Tested against the whole reply, case-insensitively; omitted = any text. */
  text?: RegExp;
  suppress: boolean;
  /** Why the rule exists. */
  why: string;
}

/** Texts in which receivers say the mailbox does not exist or is closed. "mailbox unavailable" is left out: RFC 5321 uses it as the generic 550 text, policy refusals included. */
const UNKNOWN_USER = /user unknown|unknown (user|recipient|mailbox)|no such (user|mailbox|recipient|address|account)|(user|recipient|mailbox|address|account) (not found|does not exist|doesn't exist|unknown)|invalid (recipient|mailbox|address)|account (has been |is )?(disabled|deleted|closed|terminated)|(does not|doesn't) have an? [\w.-]+ account|not our customer/i;

export const SUPPRESSION_RULES: readonly SuppressionRule[] = [
  // ---- refusals that are about us or the message, never about the address ----
  { name: 'sender-refused', status: 'any', text: /\bsender\b|\bmail from\b/i, suppress: false,
    why: 'Postfix says "Sender address rejected: User unknown" about OUR envelope sender; the recipient may be fine.' },
  { name: 'bad-sender-status', status: /^5\.1\.[78]$/, suppress: false,
    why: '5.1.7 and 5.1.8 are a bad sender mailbox or sender system: our side, not the recipient.' },
  { name: 'temporary-in-disguise', status: 'any', text: /grey ?list|gray ?list|try again|temporar|\brate\b|too (many|fast|quickly)|throttl/i, suppress: false,
    why: 'Greylisting and rate limits sent with a 5xx code (Gmail once used 550 5.2.1 for "receiving mail at a rate"): they clear.' },
  { name: 'blocklist-or-content', status: 'any', text: /spamhaus|spamcop|barracuda|block ?list|black ?list|\blisted\b|\brbl\b|\bdnsbl\b|reputation|spam|virus|malware|phish/i, suppress: false,
    why: 'The receiver refused our IP, domain or content; the same address accepts other mail.' },
  { name: 'policy', status: /^5\.7\.\d+$/, suppress: false,
    why: '5.7.x are authentication and policy refusals (DMARC, SPF, relay, "access denied"), even when the text names the recipient.' },
  { name: 'mailbox-full', status: /^5\.2\.2$/, suppress: false,
    why: 'A full mailbox empties; RFC 5321 even says to treat 552 over quota as temporary.' },
  { name: 'mailbox-full-text', status: 'any', text: /mailbox (is )?full|over ?quota|quota exceeded|insufficient storage/i, suppress: false,
    why: 'Full mailboxes reported without 5.2.2.' },
  { name: 'bad-domain', status: /^5\.1\.2$/, suppress: false,
    why: 'The domain has no mail system: usually an expired or broken domain its owner can fix; the next bounce costs nobody reputation.' },

  // ---- the address is dead: suppress ----
  { name: 'bad-mailbox', status: /^5\.1\.1$/, suppress: true,
    why: '5.1.1 bad destination mailbox: "no such user", the classic hard bounce.' },
  { name: 'recipient-not-found', status: /^5\.1\.10$/, suppress: true,
    why: 'Microsoft 365 answers 550 5.1.10 RecipientNotFound for addresses that do not exist.' },
  { name: 'bad-mailbox-syntax', status: /^5\.1\.3$/, suppress: true,
    why: '5.1.3 the address is not valid syntax at the receiver: it never will be.' },
  { name: 'mailbox-moved', status: /^5\.1\.6$/, suppress: true,
    why: '5.1.6 mailbox has moved, no forwarding address.' },
  { name: 'mailbox-disabled', status: /^5\.2\.1$/, suppress: true,
    why: '5.2.1 mailbox disabled ("The email account that you tried to reach is disabled").' },
  { name: 'other-address-status', status: /^5\.1\.(0|4|5|9)$/, text: UNKNOWN_USER, suppress: true,
    why: 'Other 5.1.x address statuses, but only with a "no such user" text: 5.1.0 alone also covers refusals of other kinds.' },
  { name: 'unknown-user-text', status: 'none', text: UNKNOWN_USER, suppress: true,
    why: 'Older servers answer "550 User unknown" with no enhanced code (or a bare 5.0.0).' },

  // ---- anything else: no ----
  { name: 'unclassified', status: 'any', suppress: false,
    why: 'One unexplained permanent failure must not silence an address for good; the DSN tells the sender.' },
];

export interface SuppressionDecision {
  suppress: boolean;
  /** The rule that decided; absent when the reply was not a final permanent failure at all. */
  rule?: string;
}

function statusMatches(wanted: SuppressionRule['status'], status: string | undefined): boolean {
  if (wanted === 'any') return true;
  if (wanted === 'none') return status === undefined || status === '5.0.0';
  return status !== undefined && wanted.test(status);
}

/** Whether a recipient's delivery result puts the address on the suppression list. */
export function suppressionFor(code: number, reply: string): SuppressionDecision {
  // Only what the deliver step treats as a final 5xx: a 5xx greylist or full mailbox it retries never suppresses.
  if (code < 500 || code >= 600 || classifyReply(code, reply).outcome !== 'bounced') return { suppress: false };
  const status = enhancedStatus(reply);
  for (const rule of SUPPRESSION_RULES) {
    if (statusMatches(rule.status, status) && (!rule.text || rule.text.test(reply))) return { suppress: rule.suppress, rule: rule.name };
  }
  return { suppress: false };
}
