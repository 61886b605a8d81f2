// When the queue record cannot be committed (here: another process holds the
// SQLite write lock past the busy timeout), the message gets 451 and nothing
// of it is kept, and the gateway keeps serving every other session meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startTestGateway } from '../helpers/gateway.js';
import { REPO_ROOT } from '../helpers/gateway-process.js';
import { RawSmtp } from '../helpers/raw-smtp.js';

/** Another process that takes the database's write lock and holds it for `ms`. */
async function holdWriteLock(file: string, ms: number): Promise<ChildProcess> {
  const script = `
    import Database from 'better-sqlite3';
    const db = new Database(${JSON.stringify(file)});
    db.exec('BEGIN IMMEDIATE');
    console.log('locked');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${ms});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('locked')) resolve(); });
    child.once('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
  });
  return child;
}

test('a commit that fails on a busy database answers 451, keeps nothing and does not stall other sessions', { timeout: 60_000 }, async () => {
  const g = await startTestGateway({ WORKERS: 'off' });
  let locker: ChildProcess | undefined;
  try {
    const ten = await g.tenant('busy.example');
    assert.equal((await g.api('POST', '/v1/ip-users', ten.token, { cidr: '127.0.0.5/32' })).status, 201);
    await new Promise((r) => setTimeout(r, 2100)); // IP-user list refresh

    const other = await RawSmtp.connect(g.gw.smtpPort);
    const c = await RawSmtp.connect(g.gw.smtpPort, { localAddress: '127.0.0.5' });
    try {
      await other.reply(); await other.cmd('EHLO other.test');
      await c.reply(); await c.cmd('EHLO client.test');
      assert.equal((await c.cmd('MAIL FROM:<app@shop.example>')).code, 250);
      assert.equal((await c.cmd('RCPT TO:<customer@partner.example>')).code, 250);
      assert.equal((await c.cmd('DATA')).code, 354);

      // The holder keeps the lock well past SQLite's 5 s busy wait, then commits and exits. What follows checks
      // the order of events against that release, not durations.
      locker = await holdWriteLock(join(g.dataDir, 'relayguard.db'), 9000);
      const held = () => locker!.exitCode === null;
      c.write('Subject: order 7\r\n\r\nYour order has shipped.\r\n.\r\n');
      // Another session keeps being answered: no NOOP may wait for the lock to go.
      let replied = false;
      let answeredWhileHeld = 0;
      let answeredAfterRelease = 0;
      const probe = (async () => {
        while (!replied) {
          assert.equal((await other.cmd('NOOP')).code, 250);
          if (!replied) held() ? answeredWhileHeld++ : answeredAfterRelease++;
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      const r = await c.reply(20_000);
      const heldAtReply = held();
      replied = true;
      await probe;
      assert.equal(r.code, 451, r.text);
      assert.ok(heldAtReply, 'the 451 came while the other process still held the lock, not after it let go');
      assert.ok(answeredWhileHeld > 0, 'the other session was answered meanwhile');
      assert.equal(answeredAfterRelease, 0, 'no NOOP waited until the lock was released');

      await new Promise<void>((resolve) => (locker!.exitCode !== null ? resolve() : locker!.once('exit', () => resolve())));
      const db = new Database(join(g.dataDir, 'relayguard.db'), { readonly: true });
      try {
        assert.deepEqual(db.prepare('SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM spool_blobs) AS blobs, (SELECT count(*) FROM jobs) AS jobs').get(), { messages: 0, blobs: 0, jobs: 0 });
      } finally { db.close(); }

      // The lock is gone: the same session sends again and is accepted.
      await c.cmd('MAIL FROM:<app@shop.example>');
      await c.cmd('RCPT TO:<customer@partner.example>');
      await c.cmd('DATA');
      c.write('Subject: order 7\r\n\r\nYour order has shipped.\r\n.\r\n');
      assert.equal((await c.reply(10_000)).code, 250);
    } finally { c.close(); other.close(); }
  } finally {
    locker?.kill('SIGKILL');
    await g.stop();
  }
});
