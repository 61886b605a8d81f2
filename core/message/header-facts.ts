// The few header facts the ingress needs before it says 250 (X-AuthUser for
// the sender key, Message-ID and Subject for the log, Date and Message-ID to
// add them when missing), read from the header
// block only. The full parse happens in the score step.
import libmime from 'libmime';
import { headerValue, parseHeaderBlock, splitHeadBody, utf8HeaderText } from './headers.js';

export interface HeaderFacts {
  messageId?: string;
  subject?: string;
  from?: string;
  xAuthUser?: string;
  date?: string;
}

/** Collects the header block from the first chunks of a message; bounded so a header-only flood cannot grow it. */
export class HeaderCollector {
  private parts: Buffer[] = [];
  private size = 0;
  /** The last bytes seen (at most 3): an end of headers can straddle two chunks. */
  private tail: Buffer = Buffer.alloc(0);
  done = false;
  constructor(private readonly limit = 64 * 1024) {}

  push(chunk: Buffer): void {
    if (this.done) return;
    this.parts.push(chunk);
    this.size += chunk.length;
    // Each chunk is searched once, plus the few bytes across its edge: a header block arriving in many small
    // pieces costs linear time, not a search of everything so far per piece.
    const edge = this.tail.length ? Buffer.concat([this.tail, chunk.subarray(0, 3)]) : undefined;
    if (endsHeaders(chunk) || (edge && endsHeaders(edge)) || this.size >= this.limit) {
      this.done = true;
      return;
    }
    this.tail = chunk.length >= 3 ? chunk.subarray(chunk.length - 3) : Buffer.concat([this.tail, chunk]).subarray(-3);
  }

  facts(): HeaderFacts {
    const text = Buffer.concat(this.parts).subarray(0, this.limit).toString('latin1');
    return parseHeaderFacts(text.slice(0, splitHeadBody(text).headEnd));
  }
}

const endsHeaders = (b: Buffer): boolean => b.indexOf('\r\n\r\n') >= 0 || b.indexOf('\n\n') >= 0;

export function parseHeaderFacts(block: string): HeaderFacts {
  const fields = parseHeaderBlock(block);
  const out: HeaderFacts = {};
  const messageId = headerValue(fields, 'message-id');
  const subject = headerValue(fields, 'subject');
  const from = headerValue(fields, 'from');
  const xAuthUser = headerValue(fields, 'x-authuser');
  const date = headerValue(fields, 'date');
  if (messageId !== undefined) out.messageId = messageId.slice(0, 998);
  if (subject !== undefined) out.subject = decode(subject).slice(0, 998);
  if (from) out.from = decode(from).slice(0, 998);
  if (xAuthUser !== undefined) out.xAuthUser = xAuthUser.slice(0, 320);
  if (date !== undefined) out.date = date.slice(0, 998);
  return out;
}

/**
 * Encoded words decoded, and raw 8-bit text (read here as latin1 bytes) read
 * as UTF-8 when it is valid UTF-8 (utf8HeaderText); other 8-bit bytes stay as
 * they are (a legacy 8-bit charset, kept as read).
 */
function decode(value: string): string {
  value = utf8HeaderText(value) ?? value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}
