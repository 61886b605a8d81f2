// Watches the DATA stream on its way to the spool: collects the header block,
// and flags bare LF / bare CR line endings — the SMTP smuggling family, where
// a "\n.\n" that this server reads as content could end the message at a
// more lenient next hop. Such a message is refused, as current Postfix does.
// Given `complete`, it also holds the header block back until its end is seen
// (at most the collector's 64 KiB; usually the first chunk) and inserts the
// fields `complete` says are missing at its end.
import { DomainError } from '../core/errors.js';
import { HeaderCollector, type HeaderFacts } from '../core/message/header-facts.js';

/** The fields to add to a header block with these facts ('' for none), and the Message-ID among them if any. */
export type CompleteHeaders = (facts: HeaderFacts) => { text: string; messageId?: string };

const CRLF = Buffer.from('\r\n');

export class DataTap {
  readonly headers = new HeaderCollector();
  bareLineEnding = false;
  /** Set once the message passed `maxBytes`; the rest is read and dropped, never stored, and the pipe ends in MESSAGE_TOO_BIG. */
  oversized = false;
  private facts?: HeaderFacts;
  private prev = 0;
  private bytes = 0;
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;

  /** `keepBytes`: how much of the message to keep for checks after DATA (the password probe); 0 keeps none. */
  constructor(private readonly maxBytes = Number.POSITIVE_INFINITY, private readonly keepBytes = 0, private readonly complete?: CompleteHeaders) {}

  /** The header facts, with the Message-ID this tap added if it added one (parsed once). */
  headerFacts(): HeaderFacts {
    return (this.facts ??= this.headers.facts());
  }

  /** The start of the message (up to `keepBytes`), as latin1 text. */
  keptText(): string {
    return Buffer.concat(this.kept).toString('latin1');
  }

  /** Yields `prefix` (our trace header), then the stream, inspecting every chunk as it passes. */
  async *pipe(source: AsyncIterable<Buffer>, prefix?: Buffer): AsyncIterable<Buffer> {
    if (prefix) yield prefix;
    const held: Buffer[] = [];
    let holding = !!this.complete;
    for await (const chunk of source) {
      this.bytes += chunk.length;
      if (this.bytes > this.maxBytes) this.oversized = true;
      if (this.oversized) continue;
      this.inspect(chunk);
      if (this.keptBytes < this.keepBytes) {
        const part = chunk.subarray(0, this.keepBytes - this.keptBytes);
        this.kept.push(part);
        this.keptBytes += part.length;
      }
      if (holding) {
        held.push(chunk);
        if (this.headers.done) { holding = false; yield this.completed(held, false); }
        continue;
      }
      yield chunk;
    }
    // Thrown once the client has sent it all (read and dropped past the limit): the spool then abandons what it
    // holds of the message instead of syncing up to the limit's worth of bytes to disk only to delete them.
    if (this.oversized) throw new DomainError('MESSAGE_TOO_BIG', `Message exceeds the size limit of ${this.maxBytes} bytes`);
    // The message ended inside its header block: headers only, or nothing at all.
    if (holding) yield this.completed(held, true);
  }

  /** The held header block with the missing fields inserted before the empty line that ends it. */
  private completed(held: Buffer[], ended: boolean): Buffer {
    const block = held.length === 1 ? held[0]! : Buffer.concat(held);
    const facts = this.headerFacts();
    const add = this.complete!(facts);
    if (!add.text) return block;
    let at: number;
    if (block.subarray(0, 2).equals(CRLF)) at = 0; // no header fields, only a body
    else if ((at = block.indexOf('\r\n\r\n')) >= 0) at += 2;
    else if (ended && (block.length === 0 || block.subarray(-2).equals(CRLF))) at = block.length;
    else return block; // a header block past the collector's limit, or one ended by bare LFs (refused anyway)
    if (add.messageId) this.facts = { ...facts, messageId: add.messageId };
    return Buffer.concat([block.subarray(0, at), Buffer.from(add.text, 'latin1'), block.subarray(at)]);
  }

  inspect(chunk: Buffer): void {
    if (!this.headers.done) this.headers.push(chunk);
    if (this.bareLineEnding) return;
    let prev = this.prev;
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
      const before = i > 0 ? chunk[i - 1] : prev;
      if (before !== 0x0d) { this.bareLineEnding = true; return; }
    }
    for (let i = chunk.indexOf(0x0d); i !== -1; i = chunk.indexOf(0x0d, i + 1)) {
      // a CR at the end of a chunk is judged with the next chunk's first byte
      if (i + 1 < chunk.length && chunk[i + 1] !== 0x0a) { this.bareLineEnding = true; return; }
    }
    if (prev === 0x0d && chunk.length > 0 && chunk[0] !== 0x0a) { this.bareLineEnding = true; return; }
    prev = chunk.length ? chunk[chunk.length - 1]! : prev;
    this.prev = prev;
  }
}
