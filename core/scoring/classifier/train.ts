// Training of the logistic model: AdaGrad SGD with L2 on binary features,
// seeded shuffling so the same corpus always gives the same model.
import { DEFAULT_CALIBRATION, type ClassifierModel } from './model.js';

export interface TrainingExample {
  features: Set<string>;
  spam: boolean;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** Features seen in fewer documents are dropped (noise, and model size). */
  minDocs: number;
  /** Weights smaller than this are left out of the model. */
  prune: number;
  seed: number;
  /** Extra weight on ham examples: a wrongly stopped ham costs more than a missed spam. */
  hamWeight: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { epochs: 12, learningRate: 0.2, l2: 1e-5, minDocs: 3, prune: 0.002, seed: 1, hamWeight: 1 };

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function trainLogistic(examples: TrainingExample[], opts: Partial<TrainOptions> = {}, trainedOn = ''): ClassifierModel {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...opts };
  const docFreq = new Map<string, number>();
  for (const e of examples) for (const f of e.features) docFreq.set(f, (docFreq.get(f) ?? 0) + 1);
  const index = new Map<string, number>();
  for (const [f, n] of docFreq) if (n >= o.minDocs) index.set(f, index.size);
  const rows = examples.map((e) => ({ ids: Int32Array.from([...e.features].map((f) => index.get(f) ?? -1).filter((i) => i >= 0)), y: e.spam ? 1 : 0, c: e.spam ? 1 : o.hamWeight }));
  const w = new Float64Array(index.size);
  const g2 = new Float64Array(index.size).fill(1e-8);
  let bias = 0;
  let gBias = 1e-8;
  const rand = mulberry32(o.seed);
  const order = rows.map((_, i) => i);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const r of order) {
      const row = rows[r]!;
      let z = bias;
      for (const id of row.ids) z += w[id]!;
      const p = 1 / (1 + Math.exp(-z));
      const g = (p - row.y) * row.c;
      gBias += g * g;
      bias -= (o.learningRate / Math.sqrt(gBias)) * g;
      for (const id of row.ids) {
        const gi = g + o.l2 * w[id]!;
        g2[id] += gi * gi;
        w[id] -= (o.learningRate / Math.sqrt(g2[id]!)) * gi;
      }
    }
  }
  const weights = new Map<string, number>();
  for (const [f, id] of index) if (Math.abs(w[id]!) >= o.prune) weights.set(f, w[id]!);
  return { format: 'relayguard-logistic-1', trainedOn, bias, weights, calibration: { ...DEFAULT_CALIBRATION } };
}

