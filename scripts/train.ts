// `npm run train`: trains the content classifier on the allowed corpus splits
// (easy-ham-1, hard-ham-1, spam-1; relay trace stripped), picks the
// calibration by 5-fold cross-validation on those same splits, and writes
// models/content-model.json. The held-out splits are never read here.
// Deterministic: the same corpus and code give a byte-identical model.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extractFeatures } from '../core/scoring/classifier/features.js';
import { calibratedWeight, predict, serializeModel, type Calibration, type ClassifierModel } from '../core/scoring/classifier/model.js';
import { trainLogistic, type TrainingExample, type TrainOptions } from '../core/scoring/classifier/train.js';
import { parseMessage } from '../core/scoring/facts.js';
import { ruleSignals } from '../core/scoring/rules/table.js';
import { checkAttachments } from '../core/scoring/attachments/check.js';
import { stripRelayTrace } from '../core/scoring/trace.js';
import { DEFAULT_TENANT_SETTINGS } from '../core/settings.js';
import { decideVerdict } from '../core/verdict.js';
import type { Signal } from '../core/model.js';
import { CORPUS_CONTEXT, corpusDir, readMessages, TRAINING_GROUPS, TRAINING_SPLITS } from './scoring-corpus.js';

const FOLDS = 5;
/** Cross-validated limits the calibration must keep, per allowed ham split (fraction of messages stopped). */
const MAX_STOPPED = { 'easy-ham-1': 0.001, 'hard-ham-1': 0.04 } as const;
const CALIBRATION_BOUNDS = { min: -3, max: 12 };
/** A fixed decision time: the verdict's timestamp plays no part in training. */
const DECIDED_AT = new Date(0);
const OUT = fileURLToPath(new URL('../models/content-model.json', import.meta.url));

interface Example extends TrainingExample {
  group: string;
  /** The rule and attachment signals: everything but the classifier. */
  ruleSignals: Signal[];
}

function load(): Example[] {
  const out: Example[] = [];
  const groups = [...TRAINING_SPLITS.ham.map((g) => [g, false] as const), ...TRAINING_SPLITS.spam.map((g) => [g, true] as const)];
  for (const [group, spam] of groups) {
    for (const m of readMessages(corpusDir(group))) {
      const facts = parseMessage(stripRelayTrace(m.raw));
      out.push({ features: extractFeatures(facts), spam, group, ruleSignals: [...checkAttachments(facts.attachments), ...ruleSignals(facts, CORPUS_CONTEXT)] });
    }
  }
  return out;
}

/** `--opts '{"l2":1e-4}'` overrides training options (for cross-validated comparisons). */
const optsAt = process.argv.indexOf('--opts');
const OPTIONS = (optsAt >= 0 ? JSON.parse(process.argv[optsAt + 1] ?? '{}') : {}) as Partial<TrainOptions>;

function fit(examples: Example[], trainedOn = ''): ClassifierModel {
  return trainLogistic(examples, OPTIONS, trainedOn);
}

/**
 * Blocked folds: each split is cut into FOLDS contiguous runs of files. The
 * corpus is in time order and threads sit next to each other, so
 * interleaved folds would test on near-copies of training mail and promise
 * more than a later period delivers.
 */
function foldOf(examples: Example[]): number[] {
  const size = new Map<string, number>();
  for (const e of examples) size.set(e.group, (size.get(e.group) ?? 0) + 1);
  const seen = new Map<string, number>();
  return examples.map((e) => {
    const rank = seen.get(e.group) ?? 0;
    seen.set(e.group, rank + 1);
    return Math.floor((rank * FOLDS) / size.get(e.group)!);
  });
}

function crossValidatedLogits(examples: Example[]): number[] {
  const logits = new Array<number>(examples.length);
  const folds = foldOf(examples);
  for (let k = 0; k < FOLDS; k++) {
    const model = fit(examples.filter((_, i) => folds[i] !== k));
    examples.forEach((e, i) => { if (folds[i] === k) logits[i] = predict(model, e.features).logit; });
  }
  return logits;
}

function stoppedShare(examples: Example[], logits: number[], cal: Calibration, group: string | boolean): number {
  const probe: ClassifierModel = { format: 'relayguard-logistic-1', trainedOn: '', bias: 0, weights: new Map(), calibration: cal };
  let n = 0, stopped = 0;
  examples.forEach((e, i) => {
    if (typeof group === 'string' ? e.group !== group : e.spam !== group) return;
    n++;
    // "Stopped" as the gateway decides it: the same verdict function, default tenant settings.
    const signals = [...e.ruleSignals, { name: 'classifier', weight: calibratedWeight(probe, logits[i]!) }];
    if (decideVerdict(signals, DEFAULT_TENANT_SETTINGS, DECIDED_AT).verdict !== 'deliver') stopped++;
  });
  return n ? stopped / n : 0;
}

function main(): void {
  const t0 = performance.now();
  const examples = load();
  console.log(`loaded ${examples.length} messages from ${TRAINING_GROUPS.join(', ')} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const logits = crossValidatedLogits(examples);
  // A higher offset stops more spam and more ham: take the highest that keeps every ham limit.
  const best = highestPassingOffset(examples, logits) ?? { offset: 0, ...CALIBRATION_BOUNDS };
  console.log(`cross-validated (${FOLDS} folds) at quarantine ${DEFAULT_TENANT_SETTINGS.quarantineThreshold}, offset ${best.offset}:`);
  for (const g of TRAINING_GROUPS) {
    console.log(`  ${g}: ${(stoppedShare(examples, logits, best, g) * 100).toFixed(2)}% stopped`);
  }
  if (process.argv.includes('--cv-only')) {
    console.log('offset  ' + TRAINING_GROUPS.map((g) => g.padStart(11)).join(''));
    for (let offset = best.offset - 3; offset <= best.offset + 3; offset += 1) {
      const cal = { offset, ...CALIBRATION_BOUNDS };
      console.log(`${offset.toFixed(2).padStart(6)}  ` + TRAINING_GROUPS.map((g) => `${(stoppedShare(examples, logits, cal, g) * 100).toFixed(2)}%`.padStart(11)).join(''));
    }
    return;
  }
  const model = fit(examples, `npm run train: logistic, ${examples.length} messages of ${TRAINING_GROUPS.join(', ')} (relay trace stripped); calibration by ${FOLDS}-fold CV`);
  model.calibration = best;
  const json = JSON.stringify(serializeModel(model));
  writeFileSync(OUT, json + '\n');
  console.log(`wrote ${OUT}: ${model.weights.size} features, ${(json.length / 1024).toFixed(0)} KiB, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

function highestPassingOffset(examples: Example[], logits: number[]): Calibration | undefined {
  for (let offset = 12; offset >= -6; offset -= 0.25) {
    const cal = { offset, ...CALIBRATION_BOUNDS };
    if (Object.entries(MAX_STOPPED).every(([g, max]) => stoppedShare(examples, logits, cal, g) <= max)) return cal;
  }
  return undefined;
}

main();
