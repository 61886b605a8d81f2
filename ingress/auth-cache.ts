// Remembers recently verified logins so a client that opens a connection per
// message pays the slow password hash once per few minutes, not every time
// (as Dovecot's auth cache does). The key binds the username, the password
// and the stored hash, so a rotated password invalidates the entry at once;
// a per-process random key keeps the entries useless outside this process.
import { createHmac, randomBytes } from 'node:crypto';

export class VerifiedLoginCache {
  private readonly secret = randomBytes(32);
  private readonly entries = new Map<string, number>();
  constructor(private readonly ttlMs = 300_000, private readonly max = 50_000) {}

  private key(username: string, password: string, storedHash: string): string {
    return createHmac('sha256', this.secret).update(`${username}\0${password}\0${storedHash}`).digest('base64');
  }

  has(username: string, password: string, storedHash: string, now: number): boolean {
    const k = this.key(username, password, storedHash);
    const until = this.entries.get(k);
    if (until === undefined) return false;
    if (until < now) { this.entries.delete(k); return false; }
    return true;
  }

  add(username: string, password: string, storedHash: string, now: number): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(this.key(username, password, storedHash), now + this.ttlMs);
  }
}
