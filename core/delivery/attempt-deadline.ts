// How long one delivery attempt may take, and what it means when time runs
// out. The deliver Lambda is killed at its timeout: a session cut that way is
// never recorded and comes back from SQS, and when the receiver had already
// taken the data the mail goes out twice. So the Lambda gives every attempt a
// deadline inside its own time (OutboundMessage.deadline in core/ports.ts);
// the transports (adapters/transport) cut their socket timeouts to it and end
// the session when it passes. The local worker gives none: its lease is sized
// to the longest attempt instead.
import type { RecipientResult, Transport } from '../ports.js';

/**
 * Kept back from a Lambda's remaining time when its attempt deadline is set:
 * after the attempt the deliver step still writes the hard bounces, a DSN
 * (S3, DynamoDB, SQS), the retry job, the message record and the sender's
 * reputation, and may post a lock's webhook (3 tries of at most 3 s), and
 * Powertools records the job as done. Each write is tens of milliseconds; the
 * webhook can take 9 s. 15 s covers both, so the record of an attempt is
 * written before the Lambda's timeout, not lost to it.
 */
export const RESULTS_MARGIN_MS = 15_000;

/**
 * Kept back from a Lambda's remaining time by the deadline of the abuse
 * reports of a lock decided on the attempt's replies. They are the last thing
 * the deliver step does (after the results, the holds and the webhook), so
 * their deadline is the invocation's end less only what follows them:
 * Powertools records the job as done (one DynamoDB write) and the batch
 * response is returned. Tens of milliseconds; 2 s leaves room for a slow one.
 */
export const CLOSING_MARGIN_MS = 2_000;

/**
 * A new session (the next MX host, a smarthost connection, an SES SendEmail
 * for the next batch of recipients) is not started with less time than this
 * left: connecting, TLS, the envelope and the data rarely fit in less, and a
 * session cut after the data was sent leaves the outcome unknown. Its
 * recipients wait for the next attempt instead.
 */
export const MIN_SESSION_MS = 5_000;

/** The deadline of an attempt that starts `nowMs`, with `remainingMs` left before the runtime stops it. */
export function attemptDeadline(nowMs: number, remainingMs: number, marginMs: number = RESULTS_MARGIN_MS): number {
  return nowMs + Math.max(0, remainingMs - marginMs);
}

/**
 * The deadline of the abuse reports sent after an attempt that starts
 * `nowMs` with `remainingMs` left: the invocation's end less CLOSING_MARGIN_MS.
 * Not the attempt's own deadline: the reports come after the attempt, inside
 * RESULTS_MARGIN_MS, so an attempt that used its time would leave them none.
 */
export function reportDeadline(nowMs: number, remainingMs: number): number {
  return attemptDeadline(nowMs, remainingMs, CLOSING_MARGIN_MS);
}

/** `transport` with every send bounded by `deadline`, or by the message's own when that is earlier. */
export function withDeadline(transport: Transport, deadline: number): Transport {
  return { send: (message) => transport.send({ ...message, deadline: Math.min(message.deadline ?? Infinity, deadline) }) };
}

/** Milliseconds left before `deadline`; Infinity when there is none. */
export function timeLeft(deadline: number | undefined, nowMs: number): number {
  return deadline === undefined ? Infinity : deadline - nowMs;
}

/** Whether there is still time to start a new session. */
export function mayStartSession(deadline: number | undefined, nowMs: number, minSessionMs: number = MIN_SESSION_MS): boolean {
  return timeLeft(deadline, nowMs) >= Math.max(minSessionMs, 1);
}

/**
 * Where a session was when its time ran out:
 * - `not-sent`: the message's last byte (and so its final dot) had not been
 *   handed to the connection; the receiver cannot have accepted it;
 * - `outcome-unknown`: the whole message was sent and its reply had not come;
 *   the receiver may have accepted it.
 */
export type OutOfTimePhase = 'not-sent' | 'outcome-unknown';

/**
 * Both are deferrals, retried like any 4xx. An unknown outcome is retried as
 * well, as every MTA does: a possible duplicate rather than a possible loss.
 * With a deadline that now only happens when the receiver stalls past it.
 */
export const OUT_OF_TIME_REPLY: Readonly<Record<OutOfTimePhase, string>> = {
  'not-sent': '451 4.4.7 local: the delivery attempt ran out of time before the message was sent',
  'outcome-unknown': '451 4.4.7 local: the delivery attempt ran out of time after the message was sent and before the server replied; '
    + 'the outcome is unknown, so it is sent again and may arrive twice',
};

/** The result of a recipient whose attempt ran out of time. */
export function outOfTime(rcpt: string, phase: OutOfTimePhase, mx?: string): RecipientResult {
  return { rcpt, code: 451, reply: OUT_OF_TIME_REPLY[phase], ...(mx ? { mx } : {}) };
}
