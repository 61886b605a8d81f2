// The message log in SQLite: the record as JSON plus the columns the API filters on.
import { stmt, type Db } from './sqlite.js';
import type { MessageQuery, MessageStore } from '../../core/ports.js';
import { foreignCursor, isMessagePosition, pageSize } from '../../core/paging.js';
import type { MessageRecord } from '../../core/model.js';

const PENDING = ['accepted', 'queued', 'delivering'];

/** A log record as its SQLite row: the JSON document plus the columns the API filters on. Flat, so it crosses to a worker thread cheaply. */
export interface MessageRow {
  id: string; tenantId: string; sender: string; status: string; verdict: string | null;
  receivedAt: string; subject: string | null; recipients: string; data: string;
}

export function messageRow(r: MessageRecord): MessageRow {
  return {
    id: r.id, tenantId: r.tenantId, sender: r.sender, status: r.status, verdict: r.verdict?.verdict ?? null,
    receivedAt: r.receivedAt, subject: r.subject ?? null, recipients: '\n' + r.envelope.rcptTo.join('\n').toLowerCase() + '\n',
    data: JSON.stringify(r),
  };
}

export class SqliteMessageStore implements MessageStore {
  private readonly upsert;
  private readonly replaceIf;
  constructor(private readonly db: Db) {
    this.upsert = db.prepare(`INSERT INTO messages (id, tenant_id, sender, status, verdict, received_at, subject, recipients, data)
      VALUES (@id, @tenantId, @sender, @status, @verdict, @receivedAt, @subject, @recipients, @data)
      ON CONFLICT (id) DO UPDATE SET sender = excluded.sender, status = excluded.status, verdict = excluded.verdict,
        subject = excluded.subject, recipients = excluded.recipients, data = excluded.data`);
    // One statement, so the check and the write are one step for every connection on the file.
    this.replaceIf = db.prepare(`UPDATE messages SET sender = @sender, status = @status, verdict = @verdict,
        subject = @subject, recipients = @recipients, data = @data
      WHERE id = @id AND status = @expectedStatus AND json_extract(data, '$.updatedAt') = @expectedUpdatedAt`);
  }

  /** Writes a row made by `messageRow`, inside the caller's transaction (the intake's committer thread gets rows, not records). */
  putRowSync(row: MessageRow): void {
    this.upsert.run(row);
  }

  async put(r: MessageRecord): Promise<void> {
    this.putRowSync(messageRow(r));
  }

  async putIfUnchanged(r: MessageRecord, expected: Pick<MessageRecord, 'status' | 'updatedAt'>): Promise<boolean> {
    return this.replaceIf.run({ ...messageRow(r), expectedStatus: expected.status, expectedUpdatedAt: expected.updatedAt }).changes === 1;
  }

  async get(id: string): Promise<MessageRecord | undefined> {
    const row = stmt(this.db, 'SELECT data FROM messages WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as MessageRecord) : undefined;
  }

  async list(tenantId: string, q: MessageQuery): Promise<{ items: MessageRecord[]; cursor?: string }> {
    const where = ['tenant_id = @tenantId'];
    const params: Record<string, unknown> = { tenantId };
    if (q.sender) { where.push('sender = @sender'); params.sender = q.sender.toLowerCase(); }
    if (q.verdict) { where.push('verdict = @verdict'); params.verdict = q.verdict; }
    if (q.status) { where.push('status = @status'); params.status = q.status; }
    if (q.recipient) { where.push("instr(recipients, @rcpt) > 0"); params.rcpt = '\n' + q.recipient.toLowerCase() + '\n'; }
    if (q.subject) { where.push("subject LIKE @subject ESCAPE '\\'"); params.subject = '%' + q.subject.replace(/[\\%_]/g, (c) => '\\' + c) + '%'; }
    if (q.since) { where.push('received_at >= @since'); params.since = q.since; }
    if (q.until) { where.push('received_at < @until'); params.until = q.until; }
    if (q.cursor) {
      const [at, id, ...rest] = Buffer.from(q.cursor, 'base64url').toString().split('|');
      if (rest.length || !isMessagePosition(at, id)) throw foreignCursor();
      where.push('(received_at < @cAt OR (received_at = @cAt AND id < @cId))');
      params.cAt = at; params.cId = id;
    }
    const limit = pageSize(q.limit);
    const rows = this.db
      .prepare(`SELECT data FROM messages WHERE ${where.join(' AND ')} ORDER BY received_at DESC, id DESC LIMIT ${limit + 1}`)
      .all(params) as { data: string }[];
    const items = rows.slice(0, limit).map((r) => JSON.parse(r.data) as MessageRecord);
    const last = items[items.length - 1];
    const cursor = rows.length > limit && last ? Buffer.from(`${last.receivedAt}|${last.id}`).toString('base64url') : undefined;
    return cursor ? { items, cursor } : { items };
  }

  async listReceivedBefore(before: string, limit: number): Promise<MessageRecord[]> {
    const rows = stmt(this.db, 'SELECT data FROM messages WHERE received_at < ? ORDER BY received_at LIMIT ?').all(before, limit) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as MessageRecord);
  }

  async remove(id: string): Promise<void> {
    stmt(this.db, 'DELETE FROM messages WHERE id = ?').run(id);
  }

  async listPendingBySender(tenantId: string, sender: string): Promise<MessageRecord[]> {
    const rows = this.db
      .prepare(`SELECT data FROM messages WHERE tenant_id = ? AND sender = ? AND status IN (${PENDING.map(() => '?').join(',')})`)
      .all(tenantId, sender, ...PENDING) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as MessageRecord);
  }
}
