// The text classifier: training is deterministic, a model survives
// save -> load with the same scores, and the shipped model loads.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractFeatures } from '../../core/scoring/classifier/features.js';
import { calibratedWeight, parseModel, predict, serializeModel } from '../../core/scoring/classifier/model.js';
import { trainLogistic, type TrainingExample } from '../../core/scoring/classifier/train.js';
import { defaultModel } from '../../core/scoring/default-model.js';
import { parseMessage } from '../../core/scoring/facts.js';
import { message } from './helpers/messages.js';

const SPAM = [
  'Make money fast! Click here to claim your free prize, limited offer, act now',
  'Cheap meds online, no prescription, order now and save 80%, click here',
  'You have won a free vacation! Claim your prize now, limited time offer',
  'Lose weight fast with our free trial, order now, money back guarantee',
];
const HAM = [
  'Hi Bob, the meeting moved to Tuesday; I attached the agenda and the minutes',
  'The build failed on the test server again, I think the patch broke the parser',
  'Thanks for the review. I updated the patch and pushed it to the branch',
  'Can we move lunch to Thursday? The kernel release is on Wednesday',
];

function examples(): TrainingExample[] {
  const mk = (text: string, spam: boolean, i: number): TrainingExample => ({
    features: extractFeatures(parseMessage(message({ subject: spam ? 'Free offer' : `Notes ${i}`, text }))),
    spam,
  });
  return [...SPAM.map((t, i) => mk(t, true, i)), ...HAM.map((t, i) => mk(t, false, i))];
}

describe('text classifier', () => {
  it('round-trips: train, save, load gives the same scores', () => {
    const model = trainLogistic(examples(), { minDocs: 1, prune: 0 });
    const loaded = parseModel(JSON.parse(JSON.stringify(serializeModel(model))));
    assert.equal(loaded.weights.size, model.weights.size);
    for (const text of ['claim your free prize now', 'the patch for the parser is ready']) {
      const f = extractFeatures(parseMessage(message({ text })));
      // Saved weights are rounded to 4 decimals: scores agree to well under a hundredth.
      assert.ok(Math.abs(predict(model, f).logit - predict(loaded, f).logit) < 0.01);
      assert.equal(calibratedWeight(model, predict(model, f).logit), calibratedWeight(loaded, predict(loaded, f).logit));
    }
  });

  it('learns which side is spam', () => {
    const model = trainLogistic(examples(), { minDocs: 1 });
    const spam = predict(model, extractFeatures(parseMessage(message({ subject: 'Free offer', text: 'claim your free prize, click here, order now' }))));
    const ham = predict(model, extractFeatures(parseMessage(message({ subject: 'Notes', text: 'the patch for the parser and the meeting agenda' }))));
    assert.ok(spam.logit > 0 && ham.logit < 0, `spam ${spam.logit}, ham ${ham.logit}`);
  });

  it('trains the same model twice from the same examples', () => {
    const a = JSON.stringify(serializeModel(trainLogistic(examples(), { minDocs: 1 })));
    const b = JSON.stringify(serializeModel(trainLogistic(examples(), { minDocs: 1 })));
    assert.equal(a, b);
  });

  it('averages the weights of several shuffled SGD runs into one linear model', () => {
    const single = [1, 2, 3].map((seed) => trainLogistic(examples(), { minDocs: 1, prune: 0, runs: 1, seed }));
    const bagged = trainLogistic(examples(), { minDocs: 1, prune: 0, runs: 3, seed: 1 });
    for (const [feature, w] of bagged.weights) {
      const mean = single.reduce((s, m) => s + (m.weights.get(feature) ?? 0), 0) / 3;
      assert.ok(Math.abs(w - mean) < 1e-9, `${feature}: ${w} vs ${mean}`);
    }
    assert.ok(Math.abs(bagged.bias - single.reduce((s, m) => s + m.bias, 0) / 3) < 1e-9);
  });

  it('refuses data that is not a model', () => {
    assert.throws(() => parseModel({ format: 'something-else' }), /not a relayguard-logistic-1 model/);
  });

  it('ships a trained model with thousands of features and a calibration', () => {
    const m = defaultModel();
    assert.ok(m.weights.size > 1000, `${m.weights.size} features`);
    assert.match(m.trainedOn, /spam-1/);
    assert.doesNotMatch(m.trainedOn, /spam-2|easy-ham-2/);
    assert.ok(m.calibration.min < 0 && m.calibration.max > 10);
  });

  it('explains a prediction with its strongest features', () => {
    const p = predict(defaultModel(), extractFeatures(parseMessage(message({ subject: 'FREE offer', text: 'Click here to remove yourself from our list. Order now! $$$' }))), 3);
    assert.equal(p.top.length, 3);
    assert.ok(Math.abs(p.top[0]!.weight) >= Math.abs(p.top[2]!.weight));
  });
});
