// The atomic counters one message moves, through the SenderStore: per
// minute, hour and day, distinct recipient domains per hour, and recipients
// per identical body per day; plus the never-seen recipients, which
// known-recipients.ts notes (sliding expiry, compare-and-set). Distinct
// domains use the "first increment returns 1" trick, so two workers never
// count one domain twice nor lose one.
//
// A score job can run more than once for one message (a Lambda timeout, a
// crash after part of the work, an SQS redelivery, the local worker's retry).
// The rate counters then must not count the message again: under a burst of
// retries an honest sender would be pushed over its allowances. So the rate
// counters move in one `incrementOnce`, together with a per-message marker:
// the store writes the marker and the increments atomically, or — when the
// marker is already there — adds nothing and only reads. The distinct counts
// need no marker: a retry finds its recipient domains already counted this
// hour (n > 1) and its recipients already known, so neither is new twice.
// Coming before the marker, they can be missed (never doubled): when a run
// dies between them and the marker, or when two runs of one message overlap
// and the run that saw a domain or recipient first is not the one that counts.
import type { MessageRecord } from '../model.js';
import type { SenderStore } from '../ports.js';
import type { CounterIncrement } from './ports.js';
import { domainOf } from '../policy/sender-key.js';
import { THRESHOLDS } from './policy.js';
import { knownRecipientKey, noteRecipients } from './known-recipients.js';

export interface WindowCounts {
  minuteMessages: number;
  hourMessages: number;
  hourRecipients: number;
  hourDomains: number;
  /** Recipients sampled this hour, and how many of them the sender never wrote to. */
  hourSampled: number;
  hourNew: number;
  /** Never-seen recipients among this message's sample. */
  messageNew: number;
  /** Delivery outcomes this hour (recordDeliveryOutcome): refused as unknown, and attempted. */
  hourInvalid: number;
  hourAttempted: number;
  dayRecipients: number;
  /** Recipients this normalised body reached from this sender today. */
  fanoutDay: number;
  /** Never-seen envelope senders behind this IP user this hour (IP users only). */
  ipUserNewSenders: number;
}

const H = 3600;
export const TTL = {
  minute: 2 * H, hourDomain: 2 * H, hour: 3 * 24 * H, day: 40 * 24 * H, fanout: 2 * 24 * H,
  /** A message's or an event's "counted" marker: as long as the longest window it guards (the day counters). */
  counted: 40 * 24 * H,
} as const;

export const bucket = {
  minute: (now: Date) => `m:${now.toISOString().slice(0, 16)}`,
  hour: (now: Date) => `h:${now.toISOString().slice(0, 13)}`,
  day: (now: Date) => `d:${now.toISOString().slice(0, 10)}`,
  hourDomain: (now: Date, domain: string) => `hd:${now.toISOString().slice(0, 13)}:${domain}`,
  known: knownRecipientKey,
  fanout: (now: Date, fp: string) => `fp:${now.toISOString().slice(0, 10)}:${fp}`,
  /** The marker that says a message's rate counters were moved (not time-bucketed: a retry comes at another time). */
  counted: (messageId: string) => `msg:${messageId}`,
  /** The marker of one provider feedback event (an SES bounce or complaint), by the id its redeliveries share. */
  feedback: (eventId: string) => `fb:${eventId}`,
  /** The marker of one delivery attempt's replies: each attempt's are new evidence, the same attempt's again are not. */
  deliveryAttempt: (messageId: string, attempt: number) => `dl:${messageId}:${attempt}`,
} as const;

/** The pseudo-sender under which an IP user's aggregate counters live. */
export function ipUserKey(ipUserId: string): string {
  return `ipuser:${ipUserId}`;
}

export async function countMessage(
  store: SenderStore, message: MessageRecord, fingerprint: string | undefined, isNewSender: boolean, now: Date,
): Promise<WindowCounts> {
  const t = message.tenantId, s = message.sender;
  const rcpts = message.envelope.rcptTo;
  const domains = [...new Set(rcpts.map(domainOf).filter(Boolean))].slice(0, THRESHOLDS.domainSample);
  const sample = rcpts.slice(0, THRESHOLDS.recipientSample);
  const [domainHits, knownHits] = await Promise.all([
    Promise.all(domains.map((d) => store.increment(t, s, bucket.hourDomain(now, d), { n: 1 }, TTL.hourDomain))),
    noteRecipients(store, t, s, sample, now),
  ]);
  const newDomains = domainHits.filter((c) => c.n === 1).length;
  const newRcpts = knownHits.filter(Boolean).length;
  const ipUser = message.identity.kind === 'ip-user' ? ipUserKey(message.identity.ipUserId) : undefined;
  // Each increment by name; the store answers in the order given, so the names come back with the values.
  const named: Record<string, CounterIncrement | undefined> = {
    minute: { sender: s, bucket: bucket.minute(now), deltas: { messages: 1, recipients: rcpts.length }, ttlSeconds: TTL.minute },
    // Counters are returned only when named: delivery outcomes are read with a delta of 0.
    hour: { sender: s, bucket: bucket.hour(now), deltas: { messages: 1, recipients: rcpts.length, domains: newDomains, sampled: sample.length, newRcpts, invalid: 0, attempted: 0 }, ttlSeconds: TTL.hour },
    day: { sender: s, bucket: bucket.day(now), deltas: { messages: 1, recipients: rcpts.length }, ttlSeconds: TTL.day },
    fanout: fingerprint ? { sender: s, bucket: bucket.fanout(now, fingerprint), deltas: { recipients: rcpts.length }, ttlSeconds: TTL.fanout } : undefined,
    ipUser: ipUser ? { sender: ipUser, bucket: bucket.hour(now), deltas: { newSenders: isNewSender ? 1 : 0, messages: 1 }, ttlSeconds: TTL.hour } : undefined,
  };
  const entries = Object.entries(named).filter((e): e is [string, CounterIncrement] => e[1] !== undefined);
  const { values } = await store.incrementOnce(t, { sender: s, bucket: bucket.counted(message.id) }, entries.map(([, inc]) => inc), TTL.counted);
  const got = Object.fromEntries(entries.map(([name], i) => [name, values[i]!])) as Record<string, Record<string, number> | undefined>;
  const minute = got.minute!, hour = got.hour!, day = got.day!;
  const fanout = got.fanout ?? {};
  const ipUserCounts = got.ipUser ?? {};
  return {
    minuteMessages: minute.messages ?? 0,
    hourMessages: hour.messages ?? 0,
    hourRecipients: hour.recipients ?? 0,
    hourDomains: hour.domains ?? 0,
    hourSampled: hour.sampled ?? 0,
    hourNew: hour.newRcpts ?? 0,
    messageNew: newRcpts,
    hourInvalid: hour.invalid ?? 0,
    hourAttempted: hour.attempted ?? 0,
    dayRecipients: day.recipients ?? 0,
    fanoutDay: fanout.recipients ?? 0,
    ipUserNewSenders: ipUserCounts.newSenders ?? 0,
  };
}
