// `npm run eval -- --ham DIR... --spam DIR... [--json] [--keep-trace] [--verbose]`
// Scores folders of raw messages with the real scorer and the default tenant
// thresholds, and prints spam caught, ham wrongly stopped and the confusion
// per verdict. "Stopped" is any verdict other than deliver. A folder is a path
// or a corpus group name (spam-2); with no folders it scores the held-out
// splits easy-ham-2 and spam-2. Relay trace headers are stripped first
// unless --keep-trace is given (DESIGN.md: score mail as submitted).
import { scoreContent } from '../core/scoring/index.js';
import { stripRelayTrace } from '../core/scoring/trace.js';
import { DEFAULT_TENANT_SETTINGS } from '../core/settings.js';
import { decideVerdict } from '../core/verdict.js';
import type { Verdict } from '../core/model.js';
import { CORPUS_CONTEXT, HELD_OUT_SPLITS, listMessages, resolveFolder } from './scoring-corpus.js';
import { readFileSync } from 'node:fs';

interface Args { ham: string[]; spam: string[]; json: boolean; keepTrace: boolean; verbose: boolean }

function parseArgs(argv: string[]): Args {
  const args: Args = { ham: [], spam: [], json: false, keepTrace: false, verbose: false };
  let into: string[] | undefined;
  for (const a of argv) {
    if (a === '--ham') into = args.ham;
    else if (a === '--spam') into = args.spam;
    else if (a === '--json') args.json = true;
    else if (a === '--keep-trace') args.keepTrace = true;
    else if (a === '--verbose') args.verbose = true;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}; allowed: --ham DIR... --spam DIR... --json --keep-trace --verbose`);
    else if (into) into.push(a);
    else throw new Error(`folder ${a} given before --ham or --spam`);
  }
  if (args.ham.length === 0 && args.spam.length === 0) {
    args.ham.push(...HELD_OUT_SPLITS.ham);
    args.spam.push(...HELD_OUT_SPLITS.spam);
  }
  return args;
}

type Counts = Record<Verdict, number>;
const empty = (): Counts => ({ deliver: 0, quarantine: 0, reject: 0 });

async function scoreFolders(folders: string[], keepTrace: boolean, onStopped: (path: string, why: string) => void): Promise<Counts> {
  const counts = empty();
  const now = new Date();
  for (const folder of folders) {
    for (const path of listMessages(resolveFolder(folder))) {
      const raw = readFileSync(path);
      const { signals } = await scoreContent(keepTrace ? raw : stripRelayTrace(raw), CORPUS_CONTEXT, {});
      const v = decideVerdict(signals, DEFAULT_TENANT_SETTINGS, now);
      counts[v.verdict]++;
      if (v.verdict !== 'deliver') {
        onStopped(path, `${v.verdict} ${v.score}: ${signals.filter((s) => s.weight !== 0).map((s) => `${s.name}(${s.weight})`).join(' ')}`);
      }
    }
  }
  return counts;
}

const pct = (n: number, d: number) => (d ? ((n / d) * 100).toFixed(2) : '0.00');
const total = (c: Counts) => c.deliver + c.quarantine + c.reject;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const stoppedHam: string[] = [];
  const ham = await scoreFolders(args.ham, args.keepTrace, (p, why) => stoppedHam.push(`${p}\n    ${why}`));
  const spam = await scoreFolders(args.spam, args.keepTrace, () => undefined);
  const result = {
    spam: { total: total(spam), stopped: spam.quarantine + spam.reject },
    ham: { total: total(ham), stopped: ham.quarantine + ham.reject },
    byVerdict: { spam, ham },
  };
  if (args.json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`thresholds: quarantine ${DEFAULT_TENANT_SETTINGS.quarantineThreshold}, reject ${DEFAULT_TENANT_SETTINGS.rejectThreshold}; relay trace ${args.keepTrace ? 'kept' : 'stripped'}`);
  console.log(`spam (${args.spam.join(', ')}): ${result.spam.stopped}/${result.spam.total} stopped = ${pct(result.spam.stopped, result.spam.total)}% caught`);
  console.log(`ham  (${args.ham.join(', ')}): ${result.ham.stopped}/${result.ham.total} stopped = ${pct(result.ham.stopped, result.ham.total)}% wrongly stopped`);
  console.log('confusion    deliver  quarantine  reject');
  for (const [name, c] of [['spam', spam], ['ham', ham]] as const) {
    console.log(`${name.padEnd(10)} ${String(c.deliver).padStart(9)} ${String(c.quarantine).padStart(11)} ${String(c.reject).padStart(7)}`);
  }
  if (args.verbose && stoppedHam.length) console.log(`stopped ham:\n  ${stoppedHam.join('\n  ')}`);
}

main().catch((err: unknown) => {
  console.error((err as Error).message ?? err);
  process.exitCode = 1;
});
