// The spool folder: one file per message under 256 fan-out folders. `put`
// streams the body to disk and fdatasyncs it; the folder entries are synced
// in groups by `syncDirs` (the intake calls it before its commit), so a
// batch of messages costs one directory fsync per folder, not per message.
import { promises as fsp, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../core/errors.js';
import type { SpoolStore } from '../../core/ports.js';

const KEY_RE = /^[A-Za-z0-9._-]{8,128}$/;

export class FsSpool implements SpoolStore {
  private readonly dirtyDirs = new Set<string>();
  private readonly madeDirs = new Set<string>();

  constructor(private readonly root: string, private readonly maxBytes = Number.POSITIVE_INFINITY) {
    mkdirSync(root, { recursive: true });
  }

  private pathOf(key: string): { dir: string; file: string } {
    if (!KEY_RE.test(key)) throw new DomainError('VALIDATION', `invalid spool key ${JSON.stringify(key)}`);
    const dir = join(this.root, key.slice(-2));
    return { dir, file: join(dir, `${key}.eml`) };
  }

  async put(key: string, body: AsyncIterable<Uint8Array>): Promise<{ size: number }> {
    const { dir, file } = this.pathOf(key);
    if (!this.madeDirs.has(dir)) {
      await fsp.mkdir(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    const fh = await fsp.open(file, 'w', 0o600);
    let size = 0;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > this.maxBytes) throw new DomainError('MESSAGE_TOO_BIG', `message exceeds ${this.maxBytes} bytes`);
        await fh.write(chunk);
      }
      await fh.datasync();
    } catch (err) {
      await fh.close().catch(() => {});
      await fsp.rm(file, { force: true });
      throw err;
    }
    await fh.close();
    this.dirtyDirs.add(dir);
    return { size };
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

  async get(key: string): Promise<Buffer> {
    try {
      return await fsp.readFile(this.pathOf(key).file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DomainError('NOT_FOUND', `spooled message ${key} not found`);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.pathOf(key).file, { force: true });
  }
}
