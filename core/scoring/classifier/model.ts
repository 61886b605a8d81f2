// The trained text classifier: a logistic model over feature strings. The
// model is plain data (models/content-model.json) so core never reads files;
// a token list in one string keeps the JSON small and cheap to type-check.

/**
 * How a log-odds becomes the 'classifier' signal's weight: clamp(logit + offset, min, max).
 * Chosen by cross-validation at training time so that the tenant thresholds
 * (quarantine 5, reject 10 by default) mean the same with every model.
 */
export interface Calibration {
  offset: number;
  min: number;
  max: number;
}

export const DEFAULT_CALIBRATION: Calibration = { offset: 5, min: -3, max: 12 };

export interface ClassifierModel {
  format: 'relayguard-logistic-1';
  /** How and on what it was trained (command, splits, date): shown in docs and logs. */
  trainedOn: string;
  bias: number;
  weights: Map<string, number>;
  calibration: Calibration;
}

/** The shipped form: `weights` is "feature\tweight\n..." sorted by feature. */
export interface SerializedModel {
  format: 'relayguard-logistic-1';
  trainedOn: string;
  bias: number;
  calibration: Calibration;
  weights: string;
}

export function serializeModel(m: ClassifierModel): SerializedModel {
  const lines = [...m.weights].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}\t${roundWeight(v)}`);
  return { format: m.format, trainedOn: m.trainedOn, bias: roundWeight(m.bias), calibration: m.calibration, weights: lines.join('\n') };
}

export function roundWeight(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}

export function parseModel(data: unknown): ClassifierModel {
  const d = data as Partial<SerializedModel> | null;
  if (!d || d.format !== 'relayguard-logistic-1' || typeof d.weights !== 'string' || typeof d.bias !== 'number') {
    throw new Error(`not a relayguard-logistic-1 model (format: ${String(d?.format)})`);
  }
  const weights = new Map<string, number>();
  for (const line of d.weights.split('\n')) {
    const tab = line.lastIndexOf('\t');
    if (tab > 0) weights.set(line.slice(0, tab), Number(line.slice(tab + 1)));
  }
  return { format: d.format, trainedOn: d.trainedOn ?? '', bias: d.bias, weights, calibration: { ...DEFAULT_CALIBRATION, ...(d.calibration ?? {}) } };
}

export interface Prediction {
  /** Log-odds of spam. */
  logit: number;
  probability: number;
  /** The features that moved the score most, strongest first. */
  top: { feature: string; weight: number }[];
}

export function predict(model: ClassifierModel, features: Iterable<string>, explain = 0): Prediction {
  let z = model.bias;
  const contributions: { feature: string; weight: number }[] = [];
  for (const f of features) {
    const w = model.weights.get(f);
    if (w === undefined) continue;
    z += w;
    if (explain) contributions.push({ feature: f, weight: w });
  }
  contributions.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  return { logit: z, probability: 1 / (1 + Math.exp(-z)), top: contributions.slice(0, explain) };
}

/** The weight of the 'classifier' signal for a prediction. */
export function calibratedWeight(model: ClassifierModel, logit: number): number {
  const c = model.calibration;
  return Math.round(Math.min(c.max, Math.max(c.min, logit + c.offset)) * 100) / 100;
}
