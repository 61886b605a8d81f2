// "451 means not kept": when the WAL sync of a group-committed batch fails
// after its transaction committed, the batch's sessions get 451 and the
// committer deletes what the batch had written (log rows, queue jobs, inline
// bodies, large-body files), so the clients' retries are the only copies and
// each message is delivered exactly once. The failure is injected through the
// committer's test-only seam (RELAYGUARD_TEST_FAIL_WAL_SYNC): the named WAL
// syncs throw EIO as fdatasync would. Real gateway, real SMTP clients over
// loopback, a real receiving server as the smarthost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { createSmarthostTransport } from '../../adapters/transport/index.js';
import { loadConfig } from '../../local/config.js';
import { startGateway, type Gateway } from '../../local/gateway.js';
import { startReceiver, type Receiver } from '../helpers/receiving-smtp.js';
import { apiClient } from '../helpers/api-client.js';
import { queuedId } from '../helpers/gateway.js';

const OPERATOR = 'rgop_wal-sync-failure-operator-token-7';

/** The gateway on `dataDir`, delivering to `receiver`; `failWalSyncs` arms the committer's test-only fault seam. */
async function startOn(dataDir: string, receiver: Receiver, workers: 'on' | 'off', failWalSyncs?: string): Promise<Gateway> {
  const config = loadConfig({
    DATA_DIR: dataDir, SMTP_PORT: '0', SMTP_HOST: '127.0.0.1', API_PORT: '0', API_HOST: '127.0.0.1',
    SMTP_HOSTNAME: 'relay.test', OPERATOR_TOKEN: OPERATOR, WORKERS: workers,
  });
  // Read when the stores are opened (the intake's constructor): set for this start only.
  if (failWalSyncs) process.env.RELAYGUARD_TEST_FAIL_WAL_SYNC = failWalSyncs;
  try {
    return await startGateway(config, { transport: createSmarthostTransport({ host: '127.0.0.1', port: receiver.port, name: 'relay.test' }), log: () => {} });
  } finally {
    delete process.env.RELAYGUARD_TEST_FAIL_WAL_SYNC;
  }
}

/** A tenant with a mailbox login, monitor-only so that every accepted message is delivered whatever its verdict. */
async function mailbox(gw: Gateway): Promise<{ user: string; pass: string }> {
  const api = apiClient(`http://127.0.0.1:${gw.apiPort}`);
  const t = await api('POST', '/v1/tenants', OPERATOR, { name: 'shop.example' });
  assert.equal(t.status, 201, JSON.stringify(t.body));
  assert.equal((await api('POST', '/v1/domains', t.body.token, { domain: 'shop.example' })).status, 201);
  const u = await api('POST', '/v1/users', t.body.token, { username: 'orders@shop.example' });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  assert.equal((await api('PATCH', '/v1/settings', t.body.token, { monitorOnly: true })).status, 200);
  return { user: 'orders@shop.example', pass: u.body.password };
}

type Outcome = { subject: string; code: number; id?: string };

/** Sends one message on its own connection (STARTTLS, login) and returns the reply to its DATA. */
async function send(gw: Gateway, auth: { user: string; pass: string }, subject: string, text = `${subject}: your order has shipped.\n`): Promise<Outcome> {
  const client = nodemailer.createTransport({ host: '127.0.0.1', port: gw.smtpPort, secure: false, requireTLS: true, tls: { rejectUnauthorized: false }, auth } as never);
  try {
    const info = await client.sendMail({ from: auth.user, to: 'customer@partner.example', subject, text });
    return { subject, code: 250, id: queuedId(info.response) };
  } catch (err) {
    const code = (err as { responseCode?: number }).responseCode;
    if (code === undefined) throw err;
    return { subject, code };
  } finally {
    client.close();
  }
}

/** What the database holds, read on a connection of its own. */
function stored(dataDir: string): { messages: { id: string; subject: string }[]; scoreJobs: string[]; blobs: string[] } {
  const db = new Database(join(dataDir, 'relayguard.db'), { readonly: true });
  try {
    return {
      messages: db.prepare('SELECT id, subject FROM messages ORDER BY id').all() as { id: string; subject: string }[],
      scoreJobs: db.prepare("SELECT json_extract(payload, '$.messageId') AS id FROM jobs WHERE queue = 'score' ORDER BY 1").pluck().all() as string[],
      blobs: db.prepare('SELECT key FROM spool_blobs ORDER BY key').pluck().all() as string[],
    };
  } finally { db.close(); }
}

const spoolFiles = (dataDir: string): string[] =>
  readdirSync(join(dataDir, 'spool'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);

/** About 300 KiB: past the spool's 256 KiB inline limit, so the body goes to a file of its own. */
const LARGE_TEXT = ('Line of a long order confirmation. '.repeat(2) + '\n').repeat(4400);

const subjectOf = (raw: Buffer): string | undefined => /^Subject: (.*)$/m.exec(raw.toString('latin1'))?.[1]?.trim();

test('a batch whose WAL sync fails after the commit gets 451, leaves nothing behind, and its resend is delivered exactly once', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-walsync-'));
  const receiver = await startReceiver();
  // Sync 1: the first message. Sync 2 fails: the large message's batch (sync 3 is its removal). Sync 4 fails: the
  // first batch of the burst (sync 5 is its removal). Every later sync is real.
  let gw = await startOn(dataDir, receiver, 'off', '2,4');
  try {
    const auth = await mailbox(gw);
    const before = await send(gw, auth, 'wal-before');
    assert.equal(before.code, 250, 'the first batch is synced');

    const large = await send(gw, auth, 'wal-large', LARGE_TEXT);
    assert.equal(large.code, 451, 'a batch whose sync failed is not answered 250');
    assert.deepEqual(spoolFiles(dataDir), [], "the large message's file is gone with its batch");

    const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => send(gw, auth, `wal-burst-${i}`)));
    for (const o of burst) assert.ok(o.code === 250 || o.code === 451, `${o.subject}: ${o.code}`);
    assert.ok(burst.some((o) => o.code === 451), 'the burst met the second failing sync');
    const after = await send(gw, auth, 'wal-after');
    assert.equal(after.code, 250, 'the gateway goes on accepting after a batch was removed');

    // Only what got 250 is kept: log rows, score jobs and inline bodies alike.
    const accepted = [before, ...burst, after].filter((o) => o.code === 250);
    const acceptedIds = accepted.map((o) => o.id!).sort();
    const now = stored(dataDir);
    assert.deepEqual(now.messages.map((m) => m.id), acceptedIds, 'the message log holds exactly the messages answered 250');
    assert.deepEqual(now.messages.map((m) => m.subject).sort(), accepted.map((o) => o.subject).sort());
    assert.deepEqual(now.scoreJobs, acceptedIds, 'the score queue holds a job for each message answered 250 and no other');
    assert.deepEqual(now.blobs, acceptedIds, 'the spool holds the body of each message answered 250 and no other');

    // The clients retry what got 451; this time the syncs succeed.
    const refused = [large, ...burst.filter((o) => o.code === 451)];
    for (const o of refused) {
      const again = await send(gw, auth, o.subject, o === large ? LARGE_TEXT : undefined);
      assert.equal(again.code, 250, `the resend of ${o.subject} is accepted`);
    }
    assert.equal(spoolFiles(dataDir).length, 1, "the resent large message's file");

    // Delivery, by a gateway restarted on the same data with its workers on: every subject arrives exactly once.
    await gw.stop();
    gw = await startOn(dataDir, receiver, 'on');
    const subjects = [before, large, ...burst, after].map((o) => o.subject).sort();
    const delivered = () => receiver.received.map((r) => subjectOf(r.raw) ?? '?').sort();
    // A job leaves its queue only once its work is done (the worker acks after the handler), and a duplicate
    // would follow its first copy through the same queues: with every subject in and both queues empty, nothing
    // more can arrive.
    const queued = () => gw.stores.scoreQueue.depth() + gw.stores.deliverQueue.depth();
    for (const until = Date.now() + 40_000; Date.now() < until && (new Set(delivered()).size < subjects.length || queued() > 0);) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(queued(), 0, 'the score and deliver queues drained: no copy is still on its way');
    assert.deepEqual(delivered(), subjects, 'each message, the resent ones included, reached the receiver exactly once');
  } finally {
    await gw.stop();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('when the removal of a failed batch cannot be synced either, the gateway stops taking mail (451) and keeps nothing of it', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-walsync-'));
  const receiver = await startReceiver();
  // Sync 1 fails (the first batch), and so does sync 2 (its removal).
  const gw = await startOn(dataDir, receiver, 'off', '1,2');
  try {
    const auth = await mailbox(gw);
    assert.equal((await send(gw, auth, 'wal-unknown-state')).code, 451);
    // Sync 3 would succeed: only a stopped intake can refuse these.
    assert.equal((await send(gw, auth, 'wal-refused-1')).code, 451, 'no 250 once the storage is in an unknown state');
    assert.equal((await send(gw, auth, 'wal-refused-2')).code, 451);
    assert.deepEqual(stored(dataDir), { messages: [], scoreJobs: [], blobs: [] });
  } finally {
    await gw.stop();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
