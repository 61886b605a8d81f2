// `npm run bench:score`: content scoring throughput on one core over the
// allowed corpus splits (easy-ham-1, hard-ham-1, spam-1, relay trace
// stripped), printed next to baselines measured in the same run:
//   - mailparser simpleParser alone (the full parser the message log uses)
//   - our lean MIME walk alone (parseMessage)
//   - scoreContent: parse + rules + attachments + classifier (no clamd, no DNS)
// and the peak memory of the process. One process, one thread: per core.
import { simpleParser } from 'mailparser';
import { parseMessage } from '../core/scoring/facts.js';
import { scoreContent } from '../core/scoring/index.js';
import { defaultModel } from '../core/scoring/default-model.js';
import { stripRelayTrace } from '../core/scoring/trace.js';
import { CORPUS_CONTEXT, corpusDir, readMessages, TRAINING_GROUPS } from '../scripts/scoring-corpus.js';

const PASSES = Number(process.env.BENCH_PASSES ?? 3);

/**
 * Rate per core = messages / CPU seconds of this process (user + system), so
 * other work on a shared machine does not count against us; wall time is
 * printed beside it. Rounds alternate between the measured functions, so a
 * burst of load hits all of them alike.
 */
async function measureAll(cases: [string, (raw: Buffer) => unknown][], messages: Buffer[]): Promise<number[]> {
  for (const [, fn] of cases) for (const m of messages.slice(0, 200)) await fn(m); // warm-up: JIT and caches
  const cpu = cases.map(() => 0);
  const wall = cases.map(() => 0);
  for (let pass = 0; pass < PASSES; pass++) {
    for (const [i, [, fn]] of cases.entries()) {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      for (const m of messages) await fn(m);
      const c = process.cpuUsage(c0);
      cpu[i] += (c.user + c.system) / 1e6;
      wall[i] += (performance.now() - w0) / 1000;
    }
  }
  const n = messages.length * PASSES;
  return cases.map(([name], i) => {
    const rate = n / cpu[i]!;
    console.log(`${name.padEnd(38)} ${rate.toFixed(0).padStart(7)} msg/s per core   ${((cpu[i]! * 1000) / n).toFixed(3)} ms CPU/msg   (wall ${(n / wall[i]!).toFixed(0)} msg/s)`);
    return rate;
  });
}

async function main(): Promise<void> {
  const groups = TRAINING_GROUPS;
  const messages = groups.flatMap((g) => readMessages(corpusDir(g)).map((m) => stripRelayTrace(m.raw)));
  const bytes = messages.reduce((s, m) => s + m.length, 0);
  const t0 = performance.now();
  defaultModel();
  const loadMs = performance.now() - t0;
  console.log(`corpus: ${messages.length} messages (${groups.join(', ')}), ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${PASSES} passes each; model parsed in ${loadMs.toFixed(0)} ms`);
  const [baseline, lean, score] = await measureAll([
    ['baseline: mailparser simpleParser', (raw) => simpleParser(raw)],
    ['baseline: lean parse (parseMessage)', (raw) => parseMessage(raw)],
    ['scoreContent (full content score)', (raw) => scoreContent(raw, CORPUS_CONTEXT, {})],
  ], messages) as [number, number, number];
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`scoreContent is ${(score / baseline).toFixed(1)}x simpleParser and ${((score / lean) * 100).toFixed(0)}% of the lean parse alone`);
  console.log(`peak memory (max RSS, whole process incl. corpus in memory): ${rss.toFixed(0)} MiB`);
  console.log(`target: >= 650 msg/s per core -> ${score >= 650 ? 'met' : 'NOT met'} (${score.toFixed(0)} msg/s)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
