// The bench's baselines: a bare smtp-server that accepts anything (STARTTLS
// and AUTH included) and discards the data, or only journals it.
//
// - stock (default): the library as shipped, with its fixed 100 ms
//   early-talker wait before the greeting, one process.
// - `BARE_NO_GREETING_WAIT=1 BARE_PROCESSES=N`: the library's own ceiling for
//   the gateway's setup — no greeting wait (as Relayguard for trusted and
//   IP-user addresses) and N processes sharing the port (node:cluster,
//   SCHED_NONE, as INGRESS_PROCESSES). Still nothing durable, no policy.
// - add `BARE_DURABLE=1 BARE_JOURNAL_DIR=dir`: the durable floor — each
//   message is group-committed to a journal file before its 250
//   (bench/durable-journal.ts). What any gateway that keeps smtp-server and
//   says 250 only when the data is on disk can at best reach here.
// The port is chosen by the primary and printed as BARE_READY.
import cluster from 'node:cluster';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { generate } from 'selfsigned';
import { installSmtpServerPatches } from '../ingress/smtp-server-patches.js';
import { freePort } from '../test/helpers/free-port.js';
import { openDurableJournal } from './durable-journal.js';

const NO_WAIT = process.env.BARE_NO_GREETING_WAIT === '1';
const PROCESSES = Math.max(1, Number(process.env.BARE_PROCESSES ?? 1) || 1);
const JOURNAL_DIR = process.env.BARE_DURABLE === '1' ? process.env.BARE_JOURNAL_DIR : undefined;
if (process.env.BARE_DURABLE === '1' && !JOURNAL_DIR) throw new Error('BARE_DURABLE=1 needs BARE_JOURNAL_DIR');

async function serve(port: number): Promise<number> {
  const pems = await generate([{ name: 'commonName', value: 'bench.local' }], { keySize: 2048 } as never);
  if (NO_WAIT) installSmtpServerPatches();
  const journal = JOURNAL_DIR ? openDurableJournal(join(JOURNAL_DIR, `journal-${process.pid}`)) : undefined;
  const server = new SMTPServer({
    logger: false, disableReverseLookup: true, authOptional: true, key: pems.private, cert: pems.cert, size: 25 * 1024 * 1024,
    onAuth(_auth, _s, cb) { cb(null, { user: 'x' }); },
    onData(stream, _s, cb) {
      if (!journal) { stream.on('data', () => {}); stream.on('end', () => cb(null, 'Ok')); return; }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => journal(chunks, (err) => (err ? cb(err) : cb(null, 'Ok'))));
    },
    ...(NO_WAIT ? { greetingDelayMs: () => 0 } : {}),
  } as ConstructorParameters<typeof SMTPServer>[0]);
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port)));
}

const ready = (port: number) => process.stdout.write(JSON.stringify({ event: 'BARE_READY', port }) + '\n');

if (PROCESSES === 1) {
  ready(await serve(0));
} else if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const port = await freePort();
  let up = 0;
  for (let i = 0; i < PROCESSES; i++) {
    cluster.fork({ BARE_PORT: String(port) }).on('message', () => { if (++up === PROCESSES) ready(port); });
  }
  process.on('SIGTERM', () => { for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL'); process.exit(0); });
} else {
  await serve(Number(process.env.BARE_PORT));
  process.send!('up');
}
process.on('SIGINT', () => process.exit(0)); // a clean exit (writes --cpu-prof profiles)
