// The local spool. Two homes for a message body, chosen by size while it streams:
//
// - Small messages (the vast majority; up to `inlineLimit`, 256 KiB by
//   default) are held until the intake's group commit writes them into
//   SQLite in the same transaction as their log entry and score job. One WAL
//   fsync then makes a whole batch durable — bodies included — instead of an
//   fsync per file plus one per folder.
// - A message that grows past the limit is streamed to a file under 256
//   fan-out folders and fdatasynced; its folder is fsynced by the intake
//   before the commit. Memory stays bounded whatever the message size.
//
// Either way `put` + `Intake.accept` together are durable before SMTP says
// 250 (the ingress always calls both); `put` alone is durable only for files.
import { promises as fsp, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DomainError } from '../../core/errors.js';
import type { SpoolStore } from '../../core/ports.js';
import type { Db } from './sqlite.js';

const KEY_RE = /^[A-Za-z0-9._-]{8,128}$/;

export class FsSpool implements SpoolStore {
  private readonly dirtyDirs = new Set<string>();
  private readonly madeDirs = new Set<string>();
  /** Small bodies waiting for the intake's commit, as the chunks they arrived in (the commit copies them once, into its batch buffer). */
  private readonly pending = new Map<string, Uint8Array[]>();
  private readonly getBlob;
  private readonly hasBlob;
  private readonly delBlob;

  constructor(private readonly root: string, db: Db, private readonly inlineLimit = 256 * 1024) {
    mkdirSync(root, { recursive: true });
    this.getBlob = db.prepare('SELECT data FROM spool_blobs WHERE key = ?');
    this.hasBlob = db.prepare('SELECT 1 FROM spool_blobs WHERE key = ?').pluck();
    this.delBlob = db.prepare('DELETE FROM spool_blobs WHERE key = ?');
  }

  private checkKey(key: string): void {
    if (!KEY_RE.test(key)) throw new DomainError('VALIDATION', `invalid spool key ${JSON.stringify(key)}`);
  }

  private pathOf(key: string): { dir: string; file: string } {
    this.checkKey(key);
    const dir = join(this.root, key.slice(-2));
    return { dir, file: join(dir, `${key}.eml`) };
  }

  async put(key: string, body: AsyncIterable<Uint8Array>): Promise<{ size: number }> {
    this.checkKey(key); // the file path is only made for a message that outgrows the inline limit
    const head: Uint8Array[] = [];
    let size = 0;
    const it = body[Symbol.asyncIterator]();
    for (;;) {
      const next = await it.next();
      if (next.done) {
        this.pending.set(key, head);
        return { size };
      }
      head.push(next.value);
      size += next.value.length;
      if (size > this.inlineLimit) return this.toFile(this.pathOf(key), head, size, it);
    }
  }

  /** Streams the rest of a large message to its file, after what was already read. */
  private async toFile(path: { dir: string; file: string }, head: Uint8Array[], headSize: number, it: AsyncIterator<Uint8Array>): Promise<{ size: number }> {
    if (!this.madeDirs.has(path.dir)) {
      // A new folder's name lives in its parent: that is synced with the batch too, or a power cut could lose
      // the folder, and the files in it, after their 250.
      const created = await fsp.mkdir(path.dir, { recursive: true });
      if (created) this.dirtyDirs.add(dirname(created));
      this.madeDirs.add(path.dir);
    }
    const fh = await fsp.open(path.file, 'w', 0o600);
    let size = headSize;
    try {
      await fh.write(Buffer.concat(head, headSize));
      for (let next = await it.next(); !next.done; next = await it.next()) {
        size += next.value.length;
        await fh.write(next.value);
      }
      await fh.datasync();
    } catch (err) {
      await fh.close().catch(() => {});
      await fsp.rm(path.file, { force: true });
      throw err;
    }
    await fh.close();
    this.dirtyDirs.add(path.dir);
    return { size };
  }

  /** The chunks of a small message's body, for the intake to commit with its record (and forget here). */
  takePending(key: string): Uint8Array[] | undefined {
    const chunks = this.pending.get(key);
    this.pending.delete(key);
    return chunks;
  }

  /** fsyncs, in parallel, the folders that gained files since the last call (makes their names durable). */
  async syncDirs(): Promise<void> {
    const dirs = [...this.dirtyDirs];
    this.dirtyDirs.clear();
    await Promise.all(dirs.map(async (dir) => {
      const fh = await fsp.open(dir, 'r');
      try { await fh.sync(); } finally { await fh.close(); }
    }));
  }

  /**
   * Deletes the files of large messages whose commit was undone (the intake's
   * committer removed their rows after a failed sync) and fsyncs their
   * folders, so no orphan file comes back after a power cut.
   */
  async removeFiles(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const dirs = new Set<string>();
    await Promise.all(keys.map(async (key) => {
      const { dir, file } = this.pathOf(key);
      await fsp.rm(file, { force: true });
      dirs.add(dir);
    }));
    await Promise.all([...dirs].map(async (dir) => {
      const fh = await fsp.open(dir, 'r');
      try { await fh.sync(); } finally { await fh.close(); }
    }));
  }

  async get(key: string): Promise<Buffer> {
    const { file } = this.pathOf(key);
    const row = this.getBlob.get(key) as { data: Buffer } | undefined;
    if (row) return row.data;
    const waiting = this.pending.get(key);
    if (waiting) return Buffer.concat(waiting);
    try {
      return await fsp.readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DomainError('NOT_FOUND', `spooled message ${key} not found`);
      throw err;
    }
  }

  /**
   * The ingress deletes what it refused or failed to commit, on the event loop
   * that serves every session: a body still waiting for a commit was never
   * written anywhere, and the blob row is deleted only when there is one (a
   * read never waits for another connection's write lock, a DELETE would —
   * synchronously, up to the busy timeout, when that lock is what failed the commit).
   */
  async delete(key: string): Promise<void> {
    const { file } = this.pathOf(key);
    if (this.pending.delete(key)) return;
    if (this.hasBlob.get(key) !== undefined) this.delBlob.run(key);
    await fsp.rm(file, { force: true });
  }
}
