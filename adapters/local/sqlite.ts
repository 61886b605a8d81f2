// Opens the gateway's SQLite database and creates its schema. Records are
// stored as JSON documents with the columns needed for lookups and queries
// beside them, the same shape the DynamoDB single-table design uses.
import Database from 'better-sqlite3';

export type Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tenants (id TEXT PRIMARY KEY, token_hash TEXT UNIQUE NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS domains (domain TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS domains_tenant ON domains (tenant_id);
CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS users_tenant ON users (tenant_id);
CREATE TABLE IF NOT EXISTS ip_users (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ip_users_tenant ON ip_users (tenant_id);
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, sender TEXT NOT NULL, status TEXT NOT NULL,
  verdict TEXT, received_at TEXT NOT NULL, subject TEXT, recipients TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_tenant_time ON messages (tenant_id, received_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS messages_tenant_sender ON messages (tenant_id, sender, status);
CREATE INDEX IF NOT EXISTS messages_received ON messages (received_at);
CREATE TABLE IF NOT EXISTS senders (tenant_id TEXT NOT NULL, sender TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tenant_id, sender));
CREATE TABLE IF NOT EXISTS counters (
  tenant_id TEXT NOT NULL, sender TEXT NOT NULL, bucket TEXT NOT NULL, name TEXT NOT NULL,
  value REAL NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, sender, bucket, name));
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, payload TEXT NOT NULL,
  visible_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,
  leased INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (queue, visible_at);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS campaign_members (key TEXT NOT NULL, tenant_id TEXT NOT NULL, sender TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (key, tenant_id, sender));
CREATE TABLE IF NOT EXISTS spool_blobs (key TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS suppressions (tenant_id TEXT NOT NULL, address TEXT NOT NULL, created_at TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tenant_id, address));
CREATE INDEX IF NOT EXISTS suppressions_tenant_time ON suppressions (tenant_id, created_at DESC, address);
`;

/**
 * Every connection commits with synchronous=NORMAL: a WAL commit survives a
 * process crash at once, and the intake fsyncs the WAL itself (on its
 * committer thread) before SMTP says 250 — see intake-sqlite.ts.
 */
export function openDb(file: string): Db {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  useWal(db);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  return db;
}

/** How long a connection waits for another one's lock (SQLite's busy handler). */
const BUSY_TIMEOUT_MS = 5000;

const isBusy = (err: unknown) => err instanceof Error && /^SQLITE_BUSY/.test((err as { code?: string }).code ?? '');

/**
 * Puts the file in WAL mode. WAL is a property of the file, so once any
 * connection has switched it there is nothing to do. The switch itself needs
 * the file to itself, and SQLite answers SQLITE_BUSY at once there instead
 * of running the busy handler — several ingress processes opening a fresh
 * file together hit that — so a busy answer is retried within the same
 * budget as any other lock wait.
 */
function useWal(db: Db): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    try {
      if (db.pragma('journal_mode', { simple: true }) === 'wal') return;
      if (db.pragma('journal_mode = WAL', { simple: true }) === 'wal') return;
    } catch (err) {
      if (!isBusy(err)) throw err;
    }
    if (Date.now() > deadline) throw new Error(`${db.name}: could not switch to WAL mode within ${BUSY_TIMEOUT_MS} ms (another process holds the file)`);
    sleepSync(pause);
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Opening is synchronous (better-sqlite3), so the pause between tries is too; it happens only while another process switches the file. */
const sleepSync = (ms: number) => void Atomics.wait(sleeper, 0, 0, ms);

/**
 * A write transaction: BEGIN IMMEDIATE takes the write lock first, waiting on
 * the busy handler. A deferred transaction that reads and then writes fails
 * at once with SQLITE_BUSY when another connection (an ingress process, the
 * committer thread) commits in between, so every writer here uses this.
 */
export function writeTransaction<A extends unknown[], R>(db: Db, fn: (...args: A) => R): (...args: A) => R {
  return db.transaction(fn).immediate;
}

const cache = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement, prepared once per connection (preparing per call showed in ingress profiles). */
export function stmt(db: Db, sql: string): Database.Statement {
  let m = cache.get(db);
  if (!m) cache.set(db, (m = new Map()));
  let st = m.get(sql);
  if (!st) m.set(sql, (st = db.prepare(sql)));
  return st;
}
