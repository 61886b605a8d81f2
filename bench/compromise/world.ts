// The simulated world: a settable clock, an event queue ordered by time,
// and the shapes of senders and their events.
import type { Identity } from '../../core/model.js';
import type { Clock } from '../../core/ports.js';

export class SimClock implements Clock {
  t = 0;
  now(): Date { return new Date(this.t); }
}

export interface Actor {
  tenantId: string;
  identity: Identity;
  /** The reputation key (what MessageRecord.sender will be). */
  sender: string;
  mailFrom: string;
  displayName: string;
  /** Usual client addresses (home, office, phone) — legit logins come from these. */
  ips: string[];
  tlsClient: string;
  kind: 'mailbox' | 'transactional' | 'newsletter' | 'ip-sender' | 'ramping' | 'returning';
  /** Contacts the sender usually writes to (mailbox users). */
  contacts: string[];
}

export interface AttackTag {
  style: string;
  instance: number;
}

export interface SendEvent {
  type: 'send';
  at: number;
  actor: Actor;
  rcpts: string[];
  /** Recipients the receiving side will refuse as unknown. */
  invalid: Set<string>;
  fingerprint: string;
  urls: string[];
  contentScore: number;
  displayName: string;
  replyTo?: string;
  /** Client address for this send (and its login). */
  ip: string;
  /** Failed logins that precede this send's successful one (credential stuffing). */
  failedLogins?: string[];
  attack?: AttackTag;
  /** The attack runs on the victim's machine: its login looks like the owner's (same address, same TLS client). */
  ownClient?: boolean;
  /** Complaint probability per delivered recipient. */
  complaintRate: number;
  tries: number;
  firstAt: number;
}

export interface FeedbackEvt {
  type: 'feedback';
  at: number;
  tenantId: string;
  sender: string;
  messageId: string;
  recipients: string[];
}

export interface PasswordChangeEvt {
  type: 'password-change';
  at: number;
  username: string;
}

export type SimEvent = SendEvent | FeedbackEvt | PasswordChangeEvt;

/** A binary min-heap on (at, seq): deterministic order for equal times. */
export class EventQueue {
  private heap: { e: SimEvent; seq: number }[] = [];
  private seq = 0;
  get size(): number { return this.heap.length; }

  push(e: SimEvent): void {
    const h = this.heap;
    h.push({ e, seq: this.seq++ });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): SimEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top.e;
  }
}

function less(a: { e: SimEvent; seq: number }, b: { e: SimEvent; seq: number }): boolean {
  return a.e.at < b.e.at || (a.e.at === b.e.at && a.seq < b.seq);
}

export const MIN = 60_000, HOUR = 3_600_000, DAY = 86_400_000;
