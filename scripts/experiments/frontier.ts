// An experiment on the allowed splits only: how much spam-1 blocked
// cross-validation stops at each limit on wrongly stopped ham, for the
// shipped features and, with `--sa-rules`, with SpamAssassin's rule set as
// extra evidence (needs Debian's `spamassassin` package). It shows where the
// newsletter limit (hard-ham-1) binds. Nothing is written; the held-out
// splits are never read.
//
//   npx tsx scripts/experiments/frontier.ts [--sa-rules [DIR]]
import { predict } from '../../core/scoring/classifier/model.js';
import { trainLogistic } from '../../core/scoring/classifier/train.js';
import { crossValidatedLogits, highestPassingOffset, loadExamples, stoppedShare, type Example } from '../cv.js';
import { evaluate, loadRules, saInput, SA_RULES_DIR } from './sa-rules.js';

const GROUPS = ['easy-ham-1', 'hard-ham-1', 'spam-1'];
/** The calibrations compared: the shipped rule (easy ≤ 0.1 %, hard ≤ 4 %), other newsletter limits, and none. */
const LIMITS: [string, Record<string, number>][] = [
  ['easy 0.1%, hard 2%', { 'easy-ham-1': 0.001, 'hard-ham-1': 0.02 }],
  ['easy 0.1%, hard 4% (shipped)', { 'easy-ham-1': 0.001, 'hard-ham-1': 0.04 }],
  ['easy 0.1%, hard 6%', { 'easy-ham-1': 0.001, 'hard-ham-1': 0.06 }],
  ['easy 0.1%, hard 8%', { 'easy-ham-1': 0.001, 'hard-ham-1': 0.08 }],
  ['easy 0.1%, hard 12%', { 'easy-ham-1': 0.001, 'hard-ham-1': 0.12 }],
  ['easy 0.1%, no newsletter limit', { 'easy-ham-1': 0.001 }],
  ['easy 0.2%, no newsletter limit', { 'easy-ham-1': 0.002 }],
];

function logisticOn(select: (e: Example) => Set<string>): (train: Example[]) => (e: Example) => number {
  return (train) => {
    const model = trainLogistic(train.map((e) => ({ features: select(e), spam: e.spam })));
    return (e) => predict(model, select(e)).logit;
  };
}

function table(name: string, examples: Example[], logits: number[]): void {
  console.log(`\n${name}`);
  console.log(`  ${'limits'.padEnd(32)} offset ` + GROUPS.map((g) => g.padStart(11)).join(''));
  for (const [label, limits] of LIMITS) {
    const cal = highestPassingOffset(examples, logits, limits);
    if (!cal) { console.log(`  ${label.padEnd(32)}  none`); continue; }
    console.log(`  ${label.padEnd(32)} ${cal.offset.toFixed(2).padStart(6)} ` + GROUPS.map((g) => `${(stoppedShare(examples, logits, cal, g) * 100).toFixed(2)}%`.padStart(11)).join(''));
  }
}

function main(): void {
  const examples = loadExamples();
  const shipped = crossValidatedLogits(examples, logisticOn((e) => e.features));
  table('shipped features', examples, shipped);
  const saAt = process.argv.indexOf('--sa-rules');
  if (saAt < 0) return;
  const dir = process.argv[saAt + 1] && !process.argv[saAt + 1]!.startsWith('-') ? process.argv[saAt + 1]! : SA_RULES_DIR;
  const t0 = performance.now();
  const { rules, skipped } = loadRules(dir);
  const hits = new Map<Example, Set<string>>();
  for (const e of examples) hits.set(e, new Set([...evaluate(rules, saInput(e.raw, e.facts))].map((h) => 'sa:' + h)));
  const ms = (performance.now() - t0) / examples.length;
  console.log(`\nSpamAssassin rules from ${dir}: ${rules.length} translated, ${skipped} skipped (eval: or not expressible in JS); ${ms.toFixed(1)} ms per message, untuned`);
  const saOnly = crossValidatedLogits(examples, logisticOn((e) => hits.get(e)!));
  table('SpamAssassin rule hits alone (weights learned here, not SA scores)', examples, saOnly);
  const both = crossValidatedLogits(examples, logisticOn((e) => new Set([...e.features, ...hits.get(e)!])));
  table('shipped features + rule hits, one model', examples, both);
  table('shipped model log-odds + rule-hit model log-odds', examples, shipped.map((z, i) => z + saOnly[i]!));
}

main();
