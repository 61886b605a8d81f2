// `npm run train`: trains the content classifier on the allowed corpus splits
// (easy-ham-1, hard-ham-1, spam-1; relay trace stripped), picks the
// calibration by 5-fold cross-validation on those same splits, and writes
// models/content-model.json. The held-out splits are never read here.
// Deterministic: the same corpus and code give a byte-identical model.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { predict, serializeModel, type ClassifierModel } from '../core/scoring/classifier/model.js';
import { trainLogistic, type TrainOptions } from '../core/scoring/classifier/train.js';
import { DEFAULT_TENANT_SETTINGS } from '../core/settings.js';
import { CALIBRATION_BOUNDS, crossValidatedLogits, FOLDS, highestPassingOffset, loadExamples, stoppedShare, type Example } from './cv.js';
import { TRAINING_GROUPS } from './scoring-corpus.js';

const OUT = fileURLToPath(new URL('../models/content-model.json', import.meta.url));

/** `--opts '{"l2":1e-4}'` overrides training options (for cross-validated comparisons). */
const optsAt = process.argv.indexOf('--opts');
const OPTIONS = (optsAt >= 0 ? JSON.parse(process.argv[optsAt + 1] ?? '{}') : {}) as Partial<TrainOptions>;

function fit(examples: Example[], trainedOn = ''): ClassifierModel {
  return trainLogistic(examples, OPTIONS, trainedOn);
}

function main(): void {
  const t0 = performance.now();
  const examples = loadExamples();
  console.log(`loaded ${examples.length} messages from ${TRAINING_GROUPS.join(', ')} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const logits = crossValidatedLogits(examples, (train) => {
    const model = fit(train);
    return (e) => predict(model, e.features).logit;
  });
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

main();
