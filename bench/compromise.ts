// npm run bench:compromise [-- --seed N --per-style N --mailbox-users N --days N --no-campaigns --content corpus|synthetic]
// Seeded, reproducible simulation of the compromised-sender policy: weeks of
// a legitimate population with attacks of nine styles mixed in, driven
// through the same core entry points the SMTP ingress and the workers call,
// with a simulated clock. Prints the tables recorded in docs/compromise.md.
import { parseArgs } from 'node:util';
import { DEFAULT_TENANT_SETTINGS } from '../core/settings.js';
import { planAttacks } from './compromise/attacks.js';
import { corpusContent, syntheticContent } from './compromise/content-scores.js';
import { buildPopulation, type SimConfig } from './compromise/population.js';
import { buildReport, formatReport } from './compromise/report.js';
import { Rng } from './compromise/rng.js';
import { runSimulation } from './compromise/runner.js';
import { DAY } from './compromise/world.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '20261128' },
    'per-style': { type: 'string', default: '10' },
    'mailbox-users': { type: 'string', default: '160' },
    days: { type: 'string', default: '45' },
    'no-campaigns': { type: 'boolean', default: false },
    content: { type: 'string', default: 'corpus' },
  },
});
const seed = Number(values.seed);
const start = Date.UTC(2026, 2, 2); // a Monday
const days = Number(values.days);
const cfg: SimConfig = { start, days, enforceAt: start + 14 * DAY, mailboxUsers: Number(values['mailbox-users']) };
const rng = new Rng(seed);
const t0 = performance.now();
if (values.content !== 'corpus' && values.content !== 'synthetic') throw new Error(`--content must be corpus or synthetic, got ${values.content}`);
const contentModel = values.content === 'corpus' ? await corpusContent(DEFAULT_TENANT_SETTINGS.quarantineThreshold) : syntheticContent;
const pop = buildPopulation(rng.fork(1), cfg, contentModel);
const attacks = planAttacks(rng.fork(2), pop, Number(values['per-style']), cfg.enforceAt + 2 * DAY, start + (days - 1) * DAY, contentModel);
const run = await runSimulation(rng.fork(3), cfg, pop, attacks, { campaigns: !values['no-campaigns'] });
const report = buildReport(cfg, pop, attacks, run);
const seconds = (performance.now() - t0) / 1000;
console.log(`compromise simulation: seed ${seed}, ${days} days (14 monitor-only onboarding, then enforced), ${pop.actors.length} legitimate senders in ${pop.tenants.length} tenants, ${attacks.length} attacks${values['no-campaigns'] ? ', without the campaign index' : ''}`);
console.log(`content scores: ${contentModel.describe()}`);
console.log(`${run.processed} events in ${seconds.toFixed(1)} s (${Math.round(run.processed / seconds)} events/s), ${run.counters} live counter buckets at the end\n`);
console.log(formatReport(report));
