// Content scores for the simulated mail. By default they come from the real
// content scorer (core/scoring) run over the SpamAssassin corpus' held-out
// splits (spam-2, easy-ham-2), relay trace headers stripped as DESIGN.md
// asks: each attack message draws the score of a random real spam, each
// honest message the score of a random real ham — so the share of spam the
// scorer misses, and its false positives, are the scorer's own. The
// held-out splits are only measured here, never used to tune the scorer.
// `--content synthetic` uses seeded normal distributions per style instead.
import { readFileSync } from 'node:fs';
import { scoreContent } from '../../core/scoring/index.js';
import { stripRelayTrace } from '../../core/scoring/trace.js';
import { CORPUS_CONTEXT, HELD_OUT_SPLITS, listMessages, resolveFolder } from '../../scripts/scoring-corpus.js';
import type { Rng } from './rng.js';

export interface ContentModel {
  name: string;
  /** A score for an honest message; `mean` is the synthetic model's centre for this kind of sender. */
  ham(rng: Rng, mean: number): number;
  /** A score for a spam message of `style`, whose synthetic distribution is [mean, sd]. */
  spam(rng: Rng, meanSd: [number, number]): number;
  describe(): string;
}

export const syntheticContent: ContentModel = {
  name: 'synthetic',
  ham(rng, mean) {
    if (rng.chance(0.002)) return 5 + rng.next() * 3; // a rare false positive
    return Math.max(0, Math.round(rng.normal(mean, 0.8) * 10) / 10);
  },
  spam(rng, [m, sd]) { return Math.max(0, Math.round(rng.normal(m, sd) * 10) / 10); },
  describe() { return 'synthetic: ham ~ N(0.6–1.2, 0.8) with a 0.2 % false-positive tail; spam per style ~ N(4–6.5, 2–2.5)'; },
};

export async function corpusContent(threshold: number): Promise<ContentModel> {
  const score = async (groups: readonly string[]) => {
    const out: number[] = [];
    for (const g of groups) {
      for (const path of listMessages(resolveFolder(g))) {
        const r = await scoreContent(stripRelayTrace(readFileSync(path)), CORPUS_CONTEXT, {});
        out.push(Math.round(r.signals.reduce((s, x) => s + x.weight, 0) * 100) / 100);
      }
    }
    return out;
  };
  const spam = await score(HELD_OUT_SPLITS.spam);
  const ham = await score(HELD_OUT_SPLITS.ham);
  const below = (xs: number[]) => xs.filter((x) => x < threshold).length / xs.length;
  return {
    name: 'corpus',
    ham: (rng) => ham[Math.floor(rng.next() * ham.length)]!,
    spam: (rng) => spam[Math.floor(rng.next() * spam.length)]!,
    describe: () => `the real scorer on ${HELD_OUT_SPLITS.spam.join(', ')} (${spam.length} spam, ${(100 * below(spam)).toFixed(1)} % below ${threshold}) and ${HELD_OUT_SPLITS.ham.join(', ')} (${ham.length} ham, ${(100 * (1 - below(ham))).toFixed(2)} % at or above ${threshold})`,
  };
}
