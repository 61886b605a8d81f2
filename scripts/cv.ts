// Blocked cross-validation on the allowed corpus splits: what `npm run train`
// calibrates with and what the classifier experiments measure by. The
// held-out splits are never read here.
import { extractFeatures } from '../core/scoring/classifier/features.js';
import { calibratedWeight, type Calibration, type ClassifierModel } from '../core/scoring/classifier/model.js';
import type { TrainingExample } from '../core/scoring/classifier/train.js';
import { parseMessage, type MessageFacts } from '../core/scoring/facts.js';
import { ruleSignals } from '../core/scoring/rules/table.js';
import { checkAttachments } from '../core/scoring/attachments/check.js';
import { stripRelayTrace } from '../core/scoring/trace.js';
import { DEFAULT_TENANT_SETTINGS } from '../core/settings.js';
import { decideVerdict } from '../core/verdict.js';
import type { Signal } from '../core/model.js';
import { CORPUS_CONTEXT, corpusDir, readMessages, TRAINING_SPLITS } from './scoring-corpus.js';

export const FOLDS = 5;
/** Cross-validated limits the calibration must keep, per allowed ham split (fraction of messages stopped). */
export const MAX_STOPPED: Readonly<Record<string, number>> = { 'easy-ham-1': 0.001, 'hard-ham-1': 0.04 };
export const CALIBRATION_BOUNDS = { min: -3, max: 12 };
/** A fixed decision time: the verdict's timestamp plays no part in training. */
const DECIDED_AT = new Date(0);

export interface Example extends TrainingExample {
  group: string;
  /** Kept for experiments that derive other features from the same parse. */
  facts: MessageFacts;
  /** The stripped raw message the facts were parsed from. */
  raw: Buffer;
  /** The rule and attachment signals: everything but the classifier. */
  ruleSignals: Signal[];
}

export function loadExamples(): Example[] {
  const out: Example[] = [];
  const groups = [...TRAINING_SPLITS.ham.map((g) => [g, false] as const), ...TRAINING_SPLITS.spam.map((g) => [g, true] as const)];
  for (const [group, spam] of groups) {
    for (const m of readMessages(corpusDir(group))) {
      const raw = stripRelayTrace(m.raw);
      const facts = parseMessage(raw);
      out.push({ features: extractFeatures(facts), spam, group, facts, raw, ruleSignals: [...checkAttachments(facts.attachments), ...ruleSignals(facts, CORPUS_CONTEXT)] });
    }
  }
  return out;
}

/**
 * Blocked folds: each split is cut into FOLDS contiguous runs of files. The
 * corpus is in time order and threads sit next to each other, so
 * interleaved folds would test on near-copies of training mail and promise
 * more than a later period delivers.
 */
export function blockedFolds(examples: { group: string }[], folds = FOLDS): number[] {
  const size = new Map<string, number>();
  for (const e of examples) size.set(e.group, (size.get(e.group) ?? 0) + 1);
  const seen = new Map<string, number>();
  return examples.map((e) => {
    const rank = seen.get(e.group) ?? 0;
    seen.set(e.group, rank + 1);
    return Math.floor((rank * folds) / size.get(e.group)!);
  });
}

/** Trains on the other folds and returns each message's log-odds from the model that did not see it. */
export function crossValidatedLogits<E extends { group: string }>(examples: E[], fit: (train: E[]) => (e: E) => number): number[] {
  const logits = new Array<number>(examples.length);
  const folds = blockedFolds(examples);
  for (let k = 0; k < FOLDS; k++) {
    const score = fit(examples.filter((_, i) => folds[i] !== k));
    examples.forEach((e, i) => { if (folds[i] === k) logits[i] = score(e); });
  }
  return logits;
}

/** Share of a group (a split name, or true/false for spam/ham) stopped at a calibration, as the gateway decides it. */
export function stoppedShare(examples: Pick<Example, 'group' | 'spam' | 'ruleSignals'>[], logits: number[], cal: Calibration, group: string | boolean): number {
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

/** A higher offset stops more spam and more ham: the highest that keeps every ham limit, in steps of 0.25. */
export function highestPassingOffset(examples: Pick<Example, 'group' | 'spam' | 'ruleSignals'>[], logits: number[], limits: Readonly<Record<string, number>> = MAX_STOPPED): Calibration | undefined {
  for (let offset = 12; offset >= -6; offset -= 0.25) {
    const cal = { offset, ...CALIBRATION_BOUNDS };
    if (Object.entries(limits).every(([g, max]) => stoppedShare(examples, logits, cal, g) <= max)) return cal;
  }
  return undefined;
}
