// Training of the logistic model: AdaGrad SGD with L2 on binary features,
// seeded shuffling so the same corpus always gives the same model. Several
// runs with different shuffles are averaged (bagging over orders): one SGD
// run's weights depend on its order enough to move the far tail, where the
// quarantine threshold sits, by several points; the average of linear models
// is again one linear model, so scoring costs the same.
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
  /** SGD runs (seeds seed, seed+1, ...) whose weights are averaged. */
  runs: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { epochs: 12, learningRate: 0.2, l2: 1e-5, minDocs: 3, prune: 0.002, seed: 1, hamWeight: 1, runs: 10 };

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
  const rows: Row[] = examples.map((e) => ({ ids: Int32Array.from([...e.features].map((f) => index.get(f) ?? -1).filter((i) => i >= 0)), y: e.spam ? 1 : 0, c: e.spam ? 1 : o.hamWeight }));
  const w = new Float64Array(index.size);
  let bias = 0;
  for (let run = 0; run < o.runs; run++) {
    const r = sgdRun(rows, index.size, o, o.seed + run);
    for (let i = 0; i < w.length; i++) w[i] += r.w[i]! / o.runs;
    bias += r.bias / o.runs;
  }
  const weights = new Map<string, number>();
  for (const [f, id] of index) if (Math.abs(w[id]!) >= o.prune) weights.set(f, w[id]!);
  return { format: 'relayguard-logistic-1', trainedOn, bias, weights, calibration: { ...DEFAULT_CALIBRATION } };
}

interface Row { ids: Int32Array; y: number; c: number }

/** One AdaGrad SGD run over the rows in an order shuffled by `seed`. */
function sgdRun(rows: Row[], size: number, o: TrainOptions, seed: number): { w: Float64Array; bias: number } {
  const w = new Float64Array(size);
  const g2 = new Float64Array(size).fill(1e-8);
  let bias = 0;
  let gBias = 1e-8;
  const rand = mulberry32(seed);
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
  return { w, bias };
}
