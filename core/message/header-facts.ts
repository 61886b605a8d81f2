// The few header facts the ingress needs before it says 250 (X-AuthUser for
// the sender key, Message-ID and Subject for the log), read from the header
// block only. The full parse happens in the score step.
import libmime from 'libmime';
import { headerValue, parseHeaderBlock, splitHeadBody } from './headers.js';

export interface HeaderFacts {
  messageId?: string;
  subject?: string;
  from?: string;
  xAuthUser?: string;
}

/** Collects the header block from the first chunks of a message; bounded so a header-only flood cannot grow it. */
export class HeaderCollector {
  private parts: Buffer[] = [];
  private size = 0;
  done = false;
  constructor(private readonly limit = 64 * 1024) {}

  push(chunk: Buffer): void {
    if (this.done) return;
    this.parts.push(chunk);
    this.size += chunk.length;
    const joined = this.parts.length === 1 ? chunk : Buffer.concat(this.parts);
    if (joined.indexOf('\r\n\r\n') >= 0 || joined.indexOf('\n\n') >= 0 || this.size >= this.limit) {
      this.parts = [joined];
      this.done = true;
    }
  }

  facts(): HeaderFacts {
    const text = Buffer.concat(this.parts).subarray(0, this.limit).toString('latin1');
    return parseHeaderFacts(text.slice(0, splitHeadBody(text).headEnd));
  }
}

export function parseHeaderFacts(block: string): HeaderFacts {
  const fields = parseHeaderBlock(block);
  const out: HeaderFacts = {};
  const messageId = headerValue(fields, 'message-id');
  const subject = headerValue(fields, 'subject');
  const from = headerValue(fields, 'from');
  const xAuthUser = headerValue(fields, 'x-authuser');
  if (messageId !== undefined) out.messageId = messageId.slice(0, 998);
  if (subject !== undefined) out.subject = decode(subject).slice(0, 998);
  if (from) out.from = decode(from).slice(0, 998);
  if (xAuthUser !== undefined) out.xAuthUser = xAuthUser.slice(0, 320);
  return out;
}

function decode(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}
