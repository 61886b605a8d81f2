// The few header facts the ingress needs before it says 250 (X-AuthUser for
// the sender key, Message-ID and Subject for the log), read from the header
// block only. The full parse happens in the score step.
import libmime from 'libmime';

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
    const end = text.search(/\r?\n\r?\n/);
    return parseHeaderFacts(end >= 0 ? text.slice(0, end) : text);
  }
}

export function parseHeaderFacts(block: string): HeaderFacts {
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  const out: HeaderFacts = {};
  for (const line of unfolded.split(/\r?\n/)) {
    const m = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (name === 'message-id' && out.messageId === undefined) out.messageId = value.slice(0, 998);
    else if (name === 'subject' && out.subject === undefined) out.subject = decode(value).slice(0, 998);
    else if (name === 'from' && out.from === undefined) out.from = decode(value).slice(0, 998);
    else if (name === 'x-authuser' && out.xAuthUser === undefined) out.xAuthUser = value.slice(0, 320);
  }
  return out;
}

function decode(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}
