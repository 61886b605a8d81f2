// A child process for test/local/sqlite-open.test.ts. Argument: a JSON job
// { dir, rounds, startAt, gapMs, i }. For each round it waits until that
// round's moment (startAt + round × gapMs, the same for every opener), opens
// the round's fresh database file with the gateway's openDb, writes a row and
// prints one JSON line with the journal mode or the error.
import { join } from 'node:path';
import { openDb } from '../../adapters/local/sqlite.js';

const job = JSON.parse(process.argv[2]!) as { dir: string; rounds: number; startAt: number; gapMs: number; i: number };
for (let round = 0; round < job.rounds; round++) {
  const at = job.startAt + round * job.gapMs;
  while (Date.now() < at) { /* spin: a timer would add milliseconds of skew between the openers */ }
  try {
    const db = openDb(join(job.dir, `gateway-${round}.sqlite`));
    const mode = db.pragma('journal_mode', { simple: true });
    db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)').run(`p${job.i}`, 'x');
    db.close();
    console.log(JSON.stringify({ round, mode }));
  } catch (err) {
    console.log(JSON.stringify({ round, error: (err as Error).message }));
  }
}
