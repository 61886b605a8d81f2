// One SMTP transaction with nodemailer's SMTPConnection, turned into one
// result per recipient: the reply to RCPT TO for refused recipients, the
// reply to DATA (or MAIL FROM) for the rest, and code 0 with the local error
// when no server answer exists (connection refused, timeout, TLS failure).
// With a deadline in the request, every timeout is cut to it and the session
// ends when it passes: a 451 4.4.7 "ran out of time" for each recipient, which
// says whether the message had been sent (core/delivery/attempt-deadline.ts).
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { domainToASCII } from 'node:url';
import SMTPConnection, { type SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection';
import type { OutboundMessage, RecipientResult } from '../../core/ports.js';
import { mayStartSession, outOfTime } from '../../core/delivery/attempt-deadline.js';
import { capToDeadline, watchDeadline } from './deadline.js';

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
  /**
   * With a deadline, no session starts with less than this left (an open
   * `connection.connection` socket is then closed unused). @default MIN_SESSION_MS, 5 s
   */
  minSessionMs?: number;
}

/** nodemailer's own limits, which a deadline cuts: connecting (2 min), the greeting (30 s), a silent socket (10 min, RFC 5321 4.5.3.2's wait for the reply to DATA). */
const NODEMAILER_DEFAULTS = { connectionTimeout: 120_000, greetingTimeout: 30_000, socketTimeout: 600_000 };

/** The connection options with every timeout cut to the time left before `deadline`. */
function withinDeadline(connection: SMTPConnectionOptions, deadline: number | undefined): SMTPConnectionOptions {
  if (deadline === undefined) return connection;
  const cut = (key: keyof typeof NODEMAILER_DEFAULTS) => capToDeadline(connection[key] ?? NODEMAILER_DEFAULTS[key], deadline);
  return { ...connection, connectionTimeout: cut('connectionTimeout'), greetingTimeout: cut('greetingTimeout'), socketTimeout: cut('socketTimeout') };
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

/**
 * `onHandedOver` runs once the message's last byte has gone to the connection
 * (nodemailer writes the final dot right after it): from then on the server
 * may have the whole message. The bytes go as a stream only to know that.
 */
function send(conn: SMTPConnection, message: OutboundMessage, onHandedOver: () => void) {
  return new Promise<{ accepted: string[]; rejectedErrors?: SmtpError[]; response: string }>((resolve, reject) => {
    const stopWatching = untilEnd(conn, reject);
    const body = new PassThrough();
    body.once('end', onHandedOver);
    body.end(message.raw);
    conn.send({ from: message.mailFrom || false, to: message.rcptTo, size: message.raw.length }, body, (err, info) => {
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
  const { mx } = opts;
  const { deadline } = message;
  if (!mayStartSession(deadline, Date.now(), opts.minSessionMs)) {
    (opts.connection.connection as Socket | undefined)?.destroy();
    return message.rcptTo.map((rcpt) => outOfTime(rcpt, 'not-sent', mx));
  }
  const conn = new SMTPConnection(withinDeadline(opts.connection, deadline));
  // Errors after connect also reach the send callback; this keeps them from becoming unhandled events.
  conn.on('error', () => {});
  // When the deadline passes the session is closed wherever it is, and the attempt ends at once.
  const watch = watchDeadline(deadline, () => conn.close());
  let handedOver = false;
  const session = async (): Promise<RecipientResult[]> => {
    await connect(conn);
    if (opts.verifyTls) {
      const socket = (conn as unknown as { _socket: TLSSocket })._socket;
      const problem = conn.secure ? opts.verifyTls(socket) : 'local-tls: TLS was required but not negotiated';
      if (problem) return message.rcptTo.map((rcpt) => ({ rcpt, code: 0, reply: problem, mx }));
    }
    if (opts.auth) await login(conn, opts.auth);
    const info = await send(conn, message, () => { handedOver = true; });
    const accepted = new Set(info.accepted.map(normalise));
    const code = Number(/^\d{3}/.exec(info.response)?.[0] ?? 250);
    // A recipient found in neither list is not counted as delivered: it is retried.
    return perRecipient(message.rcptTo, info.rejectedErrors, (rcpt) =>
      accepted.has(normalise(rcpt))
        ? { rcpt, code, reply: oneLine(info.response), mx }
        : { rcpt, code: 0, reply: 'the server neither accepted nor refused this recipient', mx }, mx);
  };
  try {
    return await watch.race(session());
  } catch (e) {
    let err = e as SmtpError;
    const envelope = (conn as unknown as WithEnvelope)._envelope;
    if (watch.caused(err)) {
      // Refusals at RCPT TO stand; for the rest the deadline speaks, and says whether the data had gone.
      const phase = handedOver ? 'outcome-unknown' : 'not-sent';
      return perRecipient(message.rcptTo, envelope?.rejectedErrors, (rcpt) => outOfTime(rcpt, phase, mx), mx);
    }
    // A handshake that fails after STARTTLS surfaces as a socket error with OpenSSL's text; name it as ours.
    if ((conn as unknown as { upgrading?: boolean }).upgrading && err.code !== 'ETLS') {
      err = Object.assign(new Error(`TLS handshake after STARTTLS failed: ${err.message || String(err)}`), { code: 'ETLS' });
    }
    // Refusals recorded at RCPT TO stand; everyone else gets the error that ended the session.
    const rejected = err.rejectedErrors ?? envelope?.rejectedErrors;
    return perRecipient(message.rcptTo, rejected, (rcpt) => fromError(rcpt, err, mx), mx);
  } finally {
    watch.stop();
    // QUIT politely when the session is still up; close() ends it once the server answers or at once.
    if (conn.stage === 'connected' && !conn.destroyed) conn.quit();
    else conn.close();
  }
}
