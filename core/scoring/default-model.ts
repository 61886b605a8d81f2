// The shipped classifier, imported as data: esbuild bundles the JSON into the
// Lambda and Node loads it as a module locally, so core never reads a file.
// Parsed on first use (about the cost of one JSON.parse of the weights string).
import data from '../../models/content-model.json' with { type: 'json' };
import { parseModel, type ClassifierModel } from './classifier/model.js';

let cached: ClassifierModel | undefined;

export function defaultModel(): ClassifierModel {
  cached ??= parseModel(data);
  return cached;
}
