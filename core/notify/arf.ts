// Abuse Reporting Format (RFC 5965): a multipart/report with
// report-type=feedback-report in three parts — a human-readable explanation,
// the machine-readable message/feedback-report (Feedback-Type: abuse), and
// the offending message itself (message/rfc822), or only its headers
// (text/rfc822-headers) when it is too large to attach.
import { randomBytes } from 'node:crypto';
import { rfc5322Date } from '../delivery/dsn.js';
import { headerBlock } from '../delivery/headers.js';

export interface ArfInput {
  /** Who writes the report, e.g. abuse-reports@relayguard.example. */
  reporter: string;
  /** The tenant's abuse contact. */
  to: string;
  /** Human-readable explanation (first part). */
  explanation: string;
  original: {
    raw: Buffer;
    mailFrom: string;
    rcptTo: string[];
    arrivalDate: Date;
    sourceIp: string;
  };
  /** Domain of the sender being reported (Reported-Domain). */
  reportedDomain?: string;
  now: Date;
  hostname: string;
  userAgent?: string;
  /** Attach the full message up to this size; above it only the headers. @default 512 KiB */
  maxOriginalBytes?: number;
}

const CRLF = '\r\n';

export function buildArfReport(input: ArfInput): Buffer {
  const boundary = `arf-${randomBytes(12).toString('hex')}`;
  const maxBytes = input.maxOriginalBytes ?? 512 * 1024;
  const o = input.original;
  const fullOriginal = o.raw.length <= maxBytes;
  const originalPart = fullOriginal ? o.raw : Buffer.from(headerBlock(o.raw), 'latin1');
  const header = [
    `From: Relayguard abuse reports <${input.reporter}>`,
    `To: <${input.to}>`,
    `Subject: Abuse report: message from <${o.mailFrom || 'null sender'}> held`,
    `Date: ${rfc5322Date(input.now)}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${input.hostname}>`,
    'MIME-Version: 1.0',
    // Marks the report as machine-made: no auto-replies, no loops (RFC 3834).
    'Auto-Submitted: auto-generated',
    `Content-Type: multipart/report; report-type=feedback-report;${CRLF} boundary="${boundary}"`,
  ].join(CRLF);
  const feedback = [
    'Feedback-Type: abuse',
    `User-Agent: ${input.userAgent ?? 'Relayguard/0.1'}`,
    'Version: 1',
    `Original-Mail-From: <${o.mailFrom}>`,
    ...o.rcptTo.slice(0, 100).map((r) => `Original-Rcpt-To: <${r}>`),
    `Arrival-Date: ${rfc5322Date(o.arrivalDate)}`,
    `Source-IP: ${o.sourceIp}`,
    `Reporting-MTA: dns; ${input.hostname}`,
    ...(input.reportedDomain ? [`Reported-Domain: ${input.reportedDomain}`] : []),
  ].join(CRLF);
  const text = [
    `--${boundary}`,
    'Content-Type: text/plain; charset="utf-8"',
    'Content-Transfer-Encoding: 8bit',
    '',
    input.explanation.replace(/\r?\n/g, CRLF),
    '',
    `--${boundary}`,
    'Content-Type: message/feedback-report',
    '',
    feedback,
    '',
    `--${boundary}`,
    `Content-Type: ${fullOriginal ? 'message/rfc822' : 'text/rfc822-headers'}`,
    'Content-Disposition: inline',
    '',
    '',
  ].join(CRLF);
  const tail = `${CRLF}--${boundary}--${CRLF}`;
  return Buffer.concat([Buffer.from(header + CRLF + CRLF + text, 'utf8'), toCrlf(originalPart), Buffer.from(tail, 'utf8')]);
}

function toCrlf(b: Buffer): Buffer {
  return Buffer.from(b.toString('latin1').replace(/\r?\n/g, CRLF), 'latin1');
}
