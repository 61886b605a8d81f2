// One SMTP transaction with nodemailer's SMTPConnection, turned into one
// result per recipient: the reply to RCPT TO for refused recipients, the
// reply to DATA (or MAIL FROM) for the rest, and code 0 with the local error
// when no server answer exists (connection refused, timeout, TLS failure).
import type { TLSSocket } from 'node:tls';
import { domainToASCII } from 'node:url';
import SMTPConnection, { type SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection';
import type { OutboundMessage, RecipientResult } from '../../core/ports.js';

export interface SmtpSessionOptions {
  connection: SMTPConnectionOptions;
  auth?: { user: string; pass: string };
  /** Recorded as the host that answered: the MX or smarthost name. */
  mx: string;
  /**
   * Run on the TLS socket after STARTTLS and before MAIL FROM (DANE); an
   * error message refuses the session. Runs only when TLS was negotiated.
   */
  verifyTls?: (socket: TLSSocket) => string | undefined;
}

interface SmtpError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  recipient?: string;
  rejectedErrors?: SmtpError[];
}

/** nodemailer keeps the envelope bookkeeping of a failed send only on the connection. */
type WithEnvelope = { _envelope?: { accepted?: string[]; rejectedErrors?: SmtpError[] } };

/** A connection that ends while we wait must settle the wait, or the job would hang until the queue gives up. */
function untilEnd(conn: SMTPConnection, reject: (err: Error) => void): () => void {
  const onEnd = () => reject(Object.assign(new Error('connection closed before the server answered'), { code: 'ECONNECTION' }));
  conn.once('end', onEnd);
  return () => conn.removeListener('end', onEnd);
}

function connect(conn: SMTPConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    const stopWatching = untilEnd(conn, reject);
    conn.once('error', onError);
    // A close before the greeting reaches this callback as an error, not as an 'error' event.
    conn.connect((err) => {
      conn.removeListener('error', onError);
      stopWatching();
      if (err) reject(err);
      else resolve();
    });
  });
}

function login(conn: SMTPConnection, auth: { user: string; pass: string }): Promise<void> {
  return new Promise((resolve, reject) => conn.login({ user: auth.user, pass: auth.pass }, (err) => (err ? reject(err) : resolve())));
}

function send(conn: SMTPConnection, message: OutboundMessage) {
  return new Promise<{ accepted: string[]; rejectedErrors?: SmtpError[]; response: string }>((resolve, reject) => {
    const stopWatching = untilEnd(conn, reject);
    conn.send({ from: message.mailFrom || false, to: message.rcptTo, size: message.raw.length }, message.raw, (err, info) => {
      stopWatching();
      if (err) reject(err);
      else resolve(info as { accepted: string[]; rejectedErrors?: SmtpError[]; response: string });
    });
  });
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * An error with a server reply keeps its code; anything else is code 0 (no
 * server answered). A failed STARTTLS is never the recipient's fault, even
 * when the server answered it with 5xx: it is ours to name and to retry.
 */
function fromError(rcpt: string, err: SmtpError, mx: string): RecipientResult {
  if (err.code === 'ETLS') return { rcpt, code: 0, reply: oneLine(`local-tls: ${err.message || String(err)}`), mx };
  // nodemailer refuses on its own a message larger than the server's advertised SIZE; resending will not shrink it.
  if (err.code === 'EMESSAGE' && !err.responseCode && /size larger than allowed/i.test(err.message)) {
    return { rcpt, code: 552, reply: oneLine(`552 5.3.4 ${err.message} (limit advertised by the server in EHLO SIZE)`), mx };
  }
  if (err.responseCode && err.response) return { rcpt, code: err.responseCode, reply: oneLine(err.response), mx };
  return { rcpt, code: 0, reply: oneLine(err.message || String(err)), mx };
}

/** nodemailer may punycode the domain; compare addresses in that form. */
function normalise(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address.toLowerCase();
  return `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1)) || address.slice(at + 1)}`.toLowerCase();
}

function sameAddress(a: string | undefined, b: string): boolean {
  return !!a && normalise(a) === normalise(b);
}

/** Replies for the recipients refused at RCPT TO; the rest share `rest`. */
function perRecipient(rcptTo: string[], rejected: SmtpError[] | undefined, rest: (rcpt: string) => RecipientResult, mx: string): RecipientResult[] {
  return rcptTo.map((rcpt) => {
    const refusal = rejected?.find((e) => sameAddress(e.recipient, rcpt));
    return refusal ? fromError(rcpt, refusal, mx) : rest(rcpt);
  });
}

export async function deliverOverSmtp(opts: SmtpSessionOptions, message: OutboundMessage): Promise<RecipientResult[]> {
  const conn = new SMTPConnection(opts.connection);
  // Errors after connect also reach the send callback; this keeps them from becoming unhandled events.
  conn.on('error', () => {});
  const { mx } = opts;
  try {
    await connect(conn);
    if (opts.verifyTls) {
      const socket = (conn as unknown as { _socket: TLSSocket })._socket;
      const problem = conn.secure ? opts.verifyTls(socket) : 'local-tls: TLS was required but not negotiated';
      if (problem) return message.rcptTo.map((rcpt) => ({ rcpt, code: 0, reply: problem, mx }));
    }
    if (opts.auth) await login(conn, opts.auth);
    const info = await send(conn, message);
    const accepted = new Set(info.accepted.map(normalise));
    const code = Number(/^\d{3}/.exec(info.response)?.[0] ?? 250);
    // A recipient found in neither list is not counted as delivered: it is retried.
    return perRecipient(message.rcptTo, info.rejectedErrors, (rcpt) =>
      accepted.has(normalise(rcpt))
        ? { rcpt, code, reply: oneLine(info.response), mx }
        : { rcpt, code: 0, reply: 'the server neither accepted nor refused this recipient', mx }, mx);
  } catch (e) {
    let err = e as SmtpError;
    // A handshake that fails after STARTTLS surfaces as a socket error with OpenSSL's text; name it as ours.
    if ((conn as unknown as { upgrading?: boolean }).upgrading && err.code !== 'ETLS') {
      err = Object.assign(new Error(`TLS handshake after STARTTLS failed: ${err.message || String(err)}`), { code: 'ETLS' });
    }
    const envelope = (conn as unknown as WithEnvelope)._envelope;
    // Refusals recorded at RCPT TO stand; everyone else gets the error that ended the session.
    const rejected = err.rejectedErrors ?? envelope?.rejectedErrors;
    return perRecipient(message.rcptTo, rejected, (rcpt) => fromError(rcpt, err, mx), mx);
  } finally {
    // QUIT politely when the session is still up; close() ends it once the server answers or at once.
    if (conn.stage === 'connected' && !conn.destroyed) conn.quit();
    else conn.close();
  }
}
