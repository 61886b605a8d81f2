// The SES transport with an attempt deadline: against the SES emulator when
// SES answers, and against a loopback HTTP server pointed to as the SES
// endpoint when it does not (it takes the request and answers late, or
// never). Durations are not asserted: a generous bound only stops a hang
// (without a deadline the SDK waits for a reply as long as the socket stays
// open); the outcome, and which sends reached the server, are.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createSesClient, SesTransport, SES_MAX_RECIPIENTS } from '../../adapters/aws/ses-transport.js';
import { OUT_OF_TIME_REPLY } from '../../core/delivery/attempt-deadline.js';
import { classifyReply } from '../../core/delivery/bounce-rules.js';
import type { RecipientResult } from '../../core/ports.js';
import { DUMMY_CREDENTIALS, startSesLocal } from './emulators.js';
import { settleWithin } from '../helpers/settle-within.js';

/** Far past the test deadlines, far short of a socket that never ends. */
const HANG_BOUND_MS = 15_000;
/** Small enough for the short test deadlines to start a send at all. */
const MIN_SESSION_MS = 200;

const raw = Buffer.from('From: alice@example.com\r\nTo: list@example.net\r\nSubject: deadline\r\n\r\nhello\r\n');
const recipients = (n: number) => Array.from({ length: n }, (_, i) => `r${i}@example.net`);

function sesClient(endpoint: string) {
  return createSesClient({ region: 'us-east-1', credentials: DUMMY_CREDENTIALS, endpoints: { ses: endpoint } });
}

/** Sends, failing the test instead of hanging if the send outlives HANG_BOUND_MS. */
function sendBounded(send: () => Promise<RecipientResult[]>): Promise<RecipientResult[]> {
  return settleWithin(send(), HANG_BOUND_MS, 'the send did not end');
}

function assertOutOfTime(results: RecipientResult[], phase: keyof typeof OUT_OF_TIME_REPLY): void {
  for (const r of results) {
    assert.equal(r.code, 451, r.reply);
    assert.equal(r.reply, OUT_OF_TIME_REPLY[phase]);
    assert.equal(r.mx, 'ses');
    assert.deepEqual(classifyReply(r.code, r.reply), { outcome: 'deferred', category: 'timeout' });
  }
}

interface LoopbackSes {
  endpoint: string;
  /** SendEmail requests that arrived, in order. */
  requests: number;
  close(): Promise<void>;
}

/**
 * An HTTP server standing in for SES that takes every request and keeps it
 * open: it answers SendEmail as SES does only once `answerWhen` says so
 * (checked every 20 ms), or never when it is absent.
 */
async function loopbackSes(answerWhen?: () => boolean): Promise<LoopbackSes> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const ses: LoopbackSes = { endpoint: '', requests: 0, close: async () => {} };
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    ses.requests++;
    const n = ses.requests;
    req.resume();
    if (!answerWhen) return;
    const poll = setInterval(() => {
      if (!answerWhen()) return;
      clearInterval(poll);
      timers.delete(poll);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ MessageId: `loopback-${n}` }));
    }, 20);
    timers.add(poll);
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ses.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ses.close = () => new Promise<void>((resolve) => {
    for (const t of timers) clearInterval(t);
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  return ses;
}

describe('the SES transport with a deadline', { timeout: 60_000 }, () => {
  test('makes no SendEmail with less than the minimum time left, every recipient deferred as not sent', async () => {
    const ses = await startSesLocal();
    const client = sesClient(ses.endpoint);
    try {
      // The emulator's store lives as long as the process: count what this test adds to it.
      const before = (await ses.sent()).length;
      // The default minimum (MIN_SESSION_MS, 5 s) is more than the second left.
      const results = await sendBounded(() => new SesTransport(client).send({ mailFrom: 'alice@example.com', rcptTo: recipients(3), raw, deadline: Date.now() + 1_000 }));
      assert.deepEqual(results.map((r) => r.rcpt), recipients(3));
      assertOutOfTime(results, 'not-sent');
      assert.equal((await ses.sent()).length, before, 'SES was not asked to send anything');
    } finally { client.destroy(); await ses.stop(); }
  });

  test('sends as before when the deadline leaves time: 100 recipients in two sends, every one accepted', async () => {
    const ses = await startSesLocal();
    const client = sesClient(ses.endpoint);
    try {
      const before = (await ses.sent()).length;
      const results = await sendBounded(() => new SesTransport(client).send({ mailFrom: 'alice@example.com', rcptTo: recipients(100), raw, deadline: Date.now() + 10_000 }));
      assert.ok(results.every((r) => r.code === 250 && /accepted by SES/.test(r.reply)), 'every recipient accepted');
      assert.equal((await ses.sent()).length - before, 2);
    } finally { client.destroy(); await ses.stop(); }
  });

  test('sends as without a deadline when the deadline is further than a timer reaches (Infinity included)', async () => {
    const ses = await loopbackSes(() => true);
    const client = sesClient(ses.endpoint);
    try {
      // Node fires a timer longer than 2^31 - 1 ms after 1 ms, and AbortSignal.timeout(Infinity) throws.
      for (const deadline of [Infinity, Date.now() + 2 ** 31]) {
        const results = await sendBounded(() => new SesTransport(client).send({ mailFrom: 'alice@example.com', rcptTo: recipients(1), raw, deadline }));
        assert.equal(results[0]?.code, 250, results[0]?.reply);
      }
      assert.equal(ses.requests, 2);
    } finally { client.destroy(); await ses.close(); }
  });

  test('aborts a SendEmail that SES takes and never answers at the deadline, outcome unknown, and starts no further batch', async () => {
    const ses = await loopbackSes();
    const client = sesClient(ses.endpoint);
    try {
      const transport = new SesTransport(client, { minSessionMs: MIN_SESSION_MS });
      const results = await sendBounded(() => transport.send({ mailFrom: 'alice@example.com', rcptTo: recipients(100), raw, deadline: Date.now() + 1_500 }));
      assert.deepEqual(results.map((r) => r.rcpt), recipients(100));
      assertOutOfTime(results.slice(0, SES_MAX_RECIPIENTS), 'outcome-unknown');
      assertOutOfTime(results.slice(SES_MAX_RECIPIENTS), 'not-sent');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(ses.requests, 1, 'the first batch reached SES once (no retry after the abort); the second never did');
    } finally { client.destroy(); await ses.close(); }
  });

  test('defers a later batch as not sent when the earlier one, answered, left less than the minimum', async () => {
    const minSessionMs = 1_000;
    const deadline = Date.now() + 2_500;
    // SES answers the first batch only once less than the minimum is left before the deadline.
    const ses = await loopbackSes(() => Date.now() > deadline - minSessionMs + 100);
    const client = sesClient(ses.endpoint);
    try {
      const transport = new SesTransport(client, { minSessionMs });
      const results = await sendBounded(() => transport.send({ mailFrom: 'alice@example.com', rcptTo: recipients(100), raw, deadline }));
      const first = results.slice(0, SES_MAX_RECIPIENTS);
      assert.ok(first.every((r) => r.code === 250 && r.reply === '250 2.0.0 accepted by SES as loopback-1'), first[0]?.reply);
      assertOutOfTime(results.slice(SES_MAX_RECIPIENTS), 'not-sent');
      assert.equal(ses.requests, 1, 'the second batch was not sent');
    } finally { client.destroy(); await ses.close(); }
  });
});
