// In-memory MessageStore for tests and the simulation: whole-record replace
// and its compare-and-set on status and updatedAt, newest-first listing with
// an offset cursor, and the pending-by-sender query the lock step uses to
// hold what is still in the pipeline.
import type { MessageRecord, MessageStatus } from '../../core/model.js';
import type { MessageQuery, MessageStore } from '../../core/ports.js';
import { foreignCursor, pageSize } from '../../core/paging.js';

/** Statuses that mean "not yet out of the gateway" (as adapters/local/message-store.ts). */
const PENDING: ReadonlySet<MessageStatus> = new Set(['accepted', 'queued', 'delivering']);

export class MemoryMessageStore implements MessageStore {
  private readonly byId = new Map<string, MessageRecord>();

  async get(id: string): Promise<MessageRecord | undefined> {
    const r = this.byId.get(id);
    return r ? structuredClone(r) : undefined;
  }

  async put(record: MessageRecord): Promise<void> {
    this.byId.set(record.id, structuredClone(record));
  }

  async putIfUnchanged(record: MessageRecord, expected: Pick<MessageRecord, 'status' | 'updatedAt'>): Promise<boolean> {
    // Compare and write with no await in between: nothing else runs on this heap meanwhile.
    const current = this.byId.get(record.id);
    if (!current || current.status !== expected.status || current.updatedAt !== expected.updatedAt) return false;
    this.byId.set(record.id, structuredClone(record));
    return true;
  }

  async list(tenantId: string, query: MessageQuery): Promise<{ items: MessageRecord[]; cursor?: string }> {
    const all = [...this.byId.values()]
      .filter((r) => r.tenantId === tenantId && matches(r, query))
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.id.localeCompare(a.id));
    const start = query.cursor ? Number(query.cursor) : 0;
    if (!Number.isSafeInteger(start) || start < 0) throw foreignCursor();
    const limit = pageSize(query.limit);
    const items = all.slice(start, start + limit).map((r) => structuredClone(r));
    return start + limit < all.length ? { items, cursor: String(start + limit) } : { items };
  }

  async listPendingBySender(tenantId: string, sender: string): Promise<MessageRecord[]> {
    // The same statuses as the SQLite and DynamoDB stores; a message with a
    // deferred recipient is still 'delivering' (core/delivery/recipients.ts).
    return [...this.byId.values()]
      .filter((r) => r.tenantId === tenantId && r.sender === sender && PENDING.has(r.status))
      .map((r) => structuredClone(r));
  }
}

/** The same filters as the SQLite and DynamoDB stores (the store contract checks them): sender and recipient in any case, `until` exclusive. */
function matches(r: MessageRecord, q: MessageQuery): boolean {
  if (q.sender && r.sender !== q.sender.toLowerCase()) return false;
  if (q.status && r.status !== q.status) return false;
  if (q.verdict && r.verdict?.verdict !== q.verdict) return false;
  if (q.recipient && !r.envelope.rcptTo.some((a) => a.toLowerCase() === q.recipient!.toLowerCase())) return false;
  if (q.subject && !(r.subject ?? '').toLowerCase().includes(q.subject.toLowerCase())) return false;
  if (q.since && r.receivedAt < q.since) return false;
  if (q.until && r.receivedAt >= q.until) return false;
  return true;
}
