// What a contract suite needs from an adapter set: the ports, a clock the
// test can move, a way to see score jobs (receiving is not a port), and a
// second handle on the same data to play "another worker / another Lambda".
import type { Clock, ScoreJob, StorePorts } from '../../core/ports.js';
import type { MessageRecord } from '../../core/model.js';

/** The ports (campaigns shared with handles from reopen()) plus what the suites need to look inside. */
export interface ContractStores extends StorePorts {
  /** Score jobs now visible on the queue (received and hidden). */
  receiveScoreJobs(): Promise<ScoreJob[]>;
  /** Another independent handle (own connection / own SDK clients) on the same data. */
  reopen(): Promise<ContractStores>;
  close(): Promise<void>;
}

export class TestClock implements Clock {
  constructor(private t = Date.UTC(2026, 5, 1, 12, 0, 0)) {}
  now(): Date { return new Date(this.t); }
  advance(seconds: number): void { this.t += seconds * 1000; }
}

/** Builds a fresh, empty adapter set sharing `clock`. */
export type StoresFactory = (clock: TestClock) => Promise<ContractStores>;

export function messageRecord(id: string, over: Partial<MessageRecord> = {}): MessageRecord {
  const at = over.receivedAt ?? new Date(Date.UTC(2026, 5, 1, 12, 0, 0)).toISOString();
  const sender = over.sender ?? 'alice@example.com';
  return {
    id, tenantId: 't1', spoolKey: id, envelope: { mailFrom: sender, rcptTo: ['bob@example.net'] }, clientIp: '192.0.2.10',
    identity: { kind: 'smtp-user', tenantId: 't1', username: sender, userKind: 'mailbox' }, sender, size: 10,
    receivedAt: at, status: 'accepted', recipients: [{ rcpt: 'bob@example.net', state: 'pending', attempts: 0 }], updatedAt: at,
    ...over,
  };
}

export async function* chunks(...parts: (string | Buffer)[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? Buffer.from(p) : p;
}
