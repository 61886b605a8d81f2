// The tenants' suppression lists in SQLite: the entry as JSON beside the
// columns the list is keyed, ordered and searched by. Newest first, with a
// keyset cursor on (created_at, address) so pages stay stable while entries
// are added.
import { writeTransaction, type Db } from './sqlite.js';
import type { SuppressionQuery, SuppressionStore } from '../../core/ports.js';
import { foreignCursor, pageSize } from '../../core/paging.js';
import type { SuppressionEntry } from '../../core/model.js';
import { DomainError } from '../../core/errors.js';

export class SqliteSuppressionStore implements SuppressionStore {
  private readonly getStmt;
  private readonly putStmt;
  private readonly deleteStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare('SELECT data FROM suppressions WHERE tenant_id = ? AND address = ?');
    // The first entry for an address stands: a second one is not written.
    this.putStmt = db.prepare(`INSERT INTO suppressions (tenant_id, address, created_at, data) VALUES (@tenantId, @address, @createdAt, @data)
      ON CONFLICT (tenant_id, address) DO NOTHING`);
    this.deleteStmt = db.prepare('DELETE FROM suppressions WHERE tenant_id = ? AND address = ?');
  }

  async get(tenantId: string, address: string): Promise<SuppressionEntry | undefined> {
    const row = this.getStmt.get(tenantId, address) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as SuppressionEntry) : undefined;
  }

  async put(entry: SuppressionEntry): Promise<{ entry: SuppressionEntry; added: boolean }> {
    // Insert and, when the address was taken, read the entry that stands, in one write transaction.
    return writeTransaction(this.db, () => {
      const row = { tenantId: entry.tenantId, address: entry.address, createdAt: entry.createdAt, data: JSON.stringify(entry) };
      if (this.putStmt.run(row).changes > 0) return { entry, added: true };
      const existing = this.getStmt.get(entry.tenantId, entry.address) as { data: string };
      return { entry: JSON.parse(existing.data) as SuppressionEntry, added: false };
    })();
  }

  async delete(tenantId: string, address: string): Promise<boolean> {
    return this.deleteStmt.run(tenantId, address).changes > 0;
  }

  async list(tenantId: string, q: SuppressionQuery): Promise<{ items: SuppressionEntry[]; cursor?: string }> {
    const where = ['tenant_id = @tenantId'];
    const params: Record<string, unknown> = { tenantId };
    // instr, not LIKE: a search for "a_b%" means those characters, with nothing to escape.
    if (q.query) { where.push('instr(address, @q) > 0'); params.q = q.query.toLowerCase(); }
    if (q.cursor) {
      const cur = decodeCursor(q.cursor);
      if (!cur) throw foreignCursor();
      where.push('(created_at < @cAt OR (created_at = @cAt AND address > @cAddr))');
      params.cAt = cur.at; params.cAddr = cur.address;
    }
    const limit = pageSize(q.limit);
    const rows = this.db
      .prepare(`SELECT data FROM suppressions WHERE ${where.join(' AND ')} ORDER BY created_at DESC, address ASC LIMIT ${limit + 1}`)
      .all(params) as { data: string }[];
    const items = rows.slice(0, limit).map((r) => JSON.parse(r.data) as SuppressionEntry);
    const last = items[items.length - 1];
    return rows.length > limit && last ? { items, cursor: encodeCursor(last.createdAt, last.address) } : { items };
  }
}

function encodeCursor(at: string, address: string): string {
  return Buffer.from(JSON.stringify([at, address])).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; address: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string') return { at: v[0], address: v[1] };
  } catch {
    // fall through
  }
  return undefined;
}
