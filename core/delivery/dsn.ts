// Delivery Status Notifications (RFC 3464): a multipart/report with a
// human-readable part, the machine-readable message/delivery-status part
// (one block per failed recipient, carrying the remote server's reply) and
// the original message's headers (text/rfc822-headers: enough to identify
// the message without mailing a large body back). Sent with the null
// reverse path so a DSN can never cause another DSN.
import { randomBytes } from 'node:crypto';
import type { RecipientStatus } from '../model.js';
import { enhancedStatus } from './bounce-rules.js';
import { headerBlock } from './headers.js';

export interface DsnInput {
  /** The gateway's host name: Reporting-MTA and the MAILER-DAEMON address. */
  hostname: string;
  /** Envelope sender of the original message: the DSN goes there. */
  returnPath: string;
  /** Our id of the original message, quoted in the report. */
  originalId: string;
  arrivalDate: Date;
  /** The original raw message (only its headers are included). */
  originalRaw: Buffer;
  /** The recipients that failed, with their last reply. */
  failed: RecipientStatus[];
  /** True when they failed because the retry time ran out, not on a 5xx. */
  expired: boolean;
  now: Date;
  /** Message-ID for the DSN, `<...>` included. */
  messageId: string;
}

/** RFC 5322 date, e.g. `Sat, 28 Nov 2026 23:30:00 +0000`. */
export function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

/** Replies can be multi-line and carry anything: one printable line, bounded. */
function oneLine(text: string, max = 900): string {
  const flat = text.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?').trim();
  return flat.length > max ? flat.slice(0, max) + '...' : flat;
}

/** RFC 6533: addresses that are not ASCII use the utf-8 address type. */
function addressField(address: string): string {
  return /^[\x20-\x7e]*$/.test(address) ? `rfc822; ${address}` : `utf-8; ${address}`;
}

/** Status field: the reply's own enhanced code when it has one of the right class. */
export function dsnStatus(r: RecipientStatus, expired: boolean): string {
  const reply = r.reply ?? '';
  const own = enhancedStatus(reply);
  if (own?.startsWith('5.')) return own;
  if (/^5/.test(reply)) return '5.0.0';
  // Gave up on temporary failures: keep their 4.x.x detail, or say "delivery time expired".
  if (expired) return own?.startsWith('4.') ? own : '4.4.7';
  return '5.4.0';
}

/** A reply the gateway wrote itself in SMTP form (a code, an enhanced code, then "local:"). */
const LOCAL_REPLY = /^\d{3}(?: \d\.\d{1,3}\.\d{1,3})? local[:-]/;

function recipientBlock(r: RecipientStatus, expired: boolean): string {
  const lines = [
    `Final-Recipient: ${addressField(r.rcpt)}`,
    'Action: failed',
    `Status: ${dsnStatus(r, expired)}`,
  ];
  if (r.mx) lines.push(`Remote-MTA: dns; ${oneLine(r.mx, 255)}`);
  const reply = r.reply ? oneLine(r.reply) : '';
  // A reply that starts with a code came from an SMTP server, unless it says it is ours ("554 5.3.0 local: ...");
  // anything else is our own diagnosis too.
  const fromServer = /^\d{3}\b/.test(reply) && !LOCAL_REPLY.test(reply);
  if (reply) lines.push(fromServer ? `Diagnostic-Code: smtp; ${reply}` : `Diagnostic-Code: x-local; ${reply}`);
  if (r.lastAttemptAt) lines.push(`Last-Attempt-Date: ${rfc5322Date(new Date(r.lastAttemptAt))}`);
  return lines.join('\r\n');
}

function humanText(input: DsnInput): string {
  // One DSN can carry both kinds: a recipient refused with 5xx on the last try of a message whose others expired.
  const permanent = input.failed.filter((r) => dsnStatus(r, input.expired).startsWith('5.')).length;
  const intro = permanent === input.failed.length
    ? `Your message could not be delivered to the recipients below: their servers\r\nrefused it permanently.`
    : permanent === 0
      ? `Your message could not be delivered to the recipients below: their servers kept\r\nanswering with a temporary failure until the retry time ran out.`
      : `Your message could not be delivered to the recipients below: some servers refused it\r\npermanently, the others kept answering with a temporary failure until the retry time\r\nran out.`;
  const rows = input.failed.map((r) => `  <${r.rcpt}>: ${r.reply ? oneLine(r.reply, 400) : 'no reply recorded'}`);
  return [
    `This is the mail delivery system at ${input.hostname}.`,
    '',
    intro,
    '',
    ...rows,
    '',
    `The headers of your message are attached. Reference: ${input.originalId}`,
    '',
  ].join('\r\n');
}

/** The complete DSN message, CRLF line endings. */
export function buildDsn(input: DsnInput): Buffer {
  const boundary = `rg-dsn-${randomBytes(12).toString('hex')}`;
  const status = [
    `Reporting-MTA: dns; ${input.hostname}`,
    `X-Relayguard-Message-Id: ${input.originalId}`,
    `Arrival-Date: ${rfc5322Date(input.arrivalDate)}`,
    '',
    input.failed.map((r) => recipientBlock(r, input.expired)).join('\r\n\r\n'),
    '',
  ].join('\r\n');
  const headers = headerBlock(input.originalRaw).replace(/\r?\n/g, '\r\n');
  const subject = input.expired ? 'Undelivered Mail Returned to Sender (delivery time expired)' : 'Undelivered Mail Returned to Sender';
  const lines = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.hostname}>`,
    `To: <${input.returnPath}>`,
    `Subject: ${subject}`,
    `Date: ${rfc5322Date(input.now)}`,
    `Message-ID: ${input.messageId}`,
    // RFC 3834: an automatic reply; well-behaved responders do not answer it.
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    'This is a MIME-encapsulated delivery status notification.',
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    humanText(input),
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    status,
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    '',
  ];
  // The original headers keep their exact bytes (headerBlock reads them as latin1).
  return Buffer.concat([
    Buffer.from(lines.join('\r\n'), 'utf8'),
    Buffer.from(headers, 'latin1'),
    Buffer.from(`\r\n\r\n--${boundary}--\r\n`, 'utf8'),
  ]);
}
