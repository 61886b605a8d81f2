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
import { CORPUS_CONTEXT, corpusDir, readMessages, TRAINING_SPLITS } from '../scripts/scoring-corpus.js';

const PASSES = Number(process.env.BENCH_PASSES ?? 3);

async function measure(name: string, messages: Buffer[], fn: (raw: Buffer) => unknown): Promise<number> {
  for (const m of messages.slice(0, 200)) await fn(m); // warm-up: JIT and caches
  const started = performance.now();
  for (let pass = 0; pass < PASSES; pass++) for (const m of messages) await fn(m);
  const seconds = (performance.now() - started) / 1000;
  const rate = (messages.length * PASSES) / seconds;
  console.log(`${name.padEnd(38)} ${rate.toFixed(0).padStart(7)} msg/s   ${((seconds * 1000) / (messages.length * PASSES)).toFixed(3)} ms/msg`);
  return rate;
}

async function main(): Promise<void> {
  const groups = [...TRAINING_SPLITS.ham, ...TRAINING_SPLITS.spam];
  const messages = groups.flatMap((g) => readMessages(corpusDir(g)).map((m) => stripRelayTrace(m.raw)));
  const bytes = messages.reduce((s, m) => s + m.length, 0);
  const t0 = performance.now();
  defaultModel();
  const loadMs = performance.now() - t0;
  console.log(`corpus: ${messages.length} messages (${groups.join(', ')}), ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${PASSES} passes each; model parsed in ${loadMs.toFixed(0)} ms`);
  const baseline = await measure('baseline: mailparser simpleParser', messages, (raw) => simpleParser(raw));
  const lean = await measure('baseline: lean parse (parseMessage)', messages, (raw) => parseMessage(raw));
  const score = await measure('scoreContent (full content score)', messages, (raw) => scoreContent(raw, CORPUS_CONTEXT, {}));
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`scoreContent is ${(score / baseline).toFixed(1)}x simpleParser and ${((score / lean) * 100).toFixed(0)}% of the lean parse alone`);
  console.log(`peak memory (max RSS, whole process incl. corpus in memory): ${rss.toFixed(0)} MiB`);
  console.log(`target: >= 650 msg/s per core -> ${score >= 650 ? 'met' : 'NOT met'} (${score.toFixed(0)} msg/s)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
