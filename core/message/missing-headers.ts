// The header fields a submission server adds when the message lacks them
// (RFC 6409 §8.2, §8.3): a Date, required by RFC 5322 §3.6, and a
// Message-ID, which receivers such as Gmail refuse mail without. Devices and
// contact-form scripts relaying through an IP user often send neither.
// Added at the end of the header block, as Postfix's cleanup does.
import type { HeaderFacts } from './header-facts.js';

export interface AddedHeaders {
  /** The fields to insert, each ending in CRLF; '' when nothing is missing. */
  text: string;
  /** The Message-ID added, if one was. */
  messageId?: string;
}

/** `id` is the queue id (unique), `hostname` our name: together a Message-ID no one else makes. */
export function missingHeaders(facts: Pick<HeaderFacts, 'messageId' | 'date'>, p: { id: string; hostname: string; now: Date }): AddedHeaders {
  const date = facts.date?.trim() ? '' : `Date: ${p.now.toUTCString().replace('GMT', '+0000')}\r\n`;
  if (facts.messageId?.trim()) return { text: date };
  const messageId = `<${p.id}@${p.hostname}>`;
  return { text: `${date}Message-ID: ${messageId}\r\n`, messageId };
}
