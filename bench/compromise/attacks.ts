// The nine attack styles, each a generator of spam sends against chosen
// victims. Content scores of spam come from the content model
// (content-scores.ts): by default real scores of held-out corpus spam, of
// which a share scores below the quarantine threshold and would pass on
// content alone.
import type { ContentModel } from './content-scores.js';
import type { Rng } from './rng.js';
import type { Population } from './population.js';
import { MIN, type Actor, type AttackTag, type PasswordChangeEvt, type SendEvent } from './world.js';

export interface AttackInstance {
  style: string;
  instance: number;
  start: number;
  /** Sender keys the attack uses (filled as sends are generated). */
  senders: Set<string>;
  /** Victim accounts whose own mail is excluded from the legitimate figures from `start` on. */
  victims: Set<string>;
  sends: SendEvent[];
  extra: PasswordChangeEvt[];
}

/** Synthetic spam content score distribution per style (`--content synthetic`): mean and spread. */
export const SPAM_SCORES: Record<string, [number, number]> = {
  'full-speed blast': [5.5, 2.5],
  'slow drip': [5.5, 2.5],
  'credential stuffing': [5.5, 2.5],
  'hacked contact form': [6, 2.5],
  'phishing, few recipients': [6.5, 2],
  'blended into normal traffic': [4, 2.5],
  'burst after password change': [5.5, 2.5],
  'snowshoe across accounts': [4.5, 2.5],
  'malware on the victim\'s own machine': [4.5, 2.5],
};

export const STYLES = Object.keys(SPAM_SCORES);

interface Ctx { rng: Rng; pop: Population; at: number; tag: AttackTag; inst: AttackInstance; scores: ContentModel }

const attackerIp = (rng: Rng) => `185.${rng.int(100, 250)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;

function spam(c: Ctx, actor: Actor, at: number, ip: string, rcpts: string[], fingerprint: string, urls: string[], more: Partial<SendEvent> = {}): SendEvent {
  c.inst.senders.add(actor.sender);
  return {
    type: 'send', at, firstAt: at, actor, rcpts, invalid: new Set(rcpts.filter(() => c.rng.chance(0.2))), fingerprint, urls,
    contentScore: c.scores.spam(c.rng, SPAM_SCORES[c.tag.style]!), displayName: actor.displayName, ip,
    attack: c.tag, complaintRate: 0.02, tries: 0, ...more,
  };
}

const fresh = (c: Ctx, n: number) => Array.from({ length: n }, () => `${c.rng.id(8)}@${c.pop.domainPool[c.rng.zipf(c.pop.domainPool.length)]}`);
const urlsFor = (c: Ctx) => [`https://${c.rng.id(8)}.example/offer`, `https://${c.rng.id(8)}.example/img`];

type Gen = (c: Ctx, victims: Actor[]) => void;

const GENERATORS: Record<string, { victims: number; kind: 'mailbox' | 'ip-sender'; gen: Gen }> = {
  'full-speed blast': { victims: 1, kind: 'mailbox', gen: (c, [v]) => {
    const ip = attackerIp(c.rng), fp = c.rng.id(16), urls = urlsFor(c), name = c.rng.chance(0.5) ? 'Account Service' : v!.displayName;
    for (let i = 0; i < 300; i++) c.inst.sends.push(spam(c, v!, c.at + i * 3000, ip, fresh(c, c.rng.int(1, 20)), fp, urls, { displayName: name }));
  } },
  'slow drip': { victims: 1, kind: 'mailbox', gen: (c, [v]) => {
    const ip = attackerIp(c.rng), fps = [c.rng.id(16), c.rng.id(16), c.rng.id(16)], urls = urlsFor(c);
    let t = c.at;
    for (let i = 0; i < 60; i++, t += c.rng.int(8, 15) * MIN) c.inst.sends.push(spam(c, v!, t, ip, fresh(c, c.rng.int(1, 3)), c.rng.pick(fps), urls));
  } },
  'credential stuffing': { victims: 1, kind: 'mailbox', gen: (c, [v]) => {
    const ips = Array.from({ length: 6 }, () => attackerIp(c.rng)), fp = c.rng.id(16), urls = urlsFor(c);
    const failed = Array.from({ length: 20 }, () => attackerIp(c.rng));
    for (let i = 0; i < 120; i++) {
      c.inst.sends.push(spam(c, v!, c.at + i * 20_000, ips[i % ips.length]!, fresh(c, c.rng.int(1, 5)), fp, urls, i === 0 ? { failedLogins: failed } : {}));
    }
  } },
  'hacked contact form': { victims: 1, kind: 'ip-sender', gen: (c, [v]) => {
    const fp = c.rng.id(16), urls = urlsFor(c);
    for (let i = 0; i < 200; i++) {
      const from = `${c.rng.id(6)}@${c.rng.chance(0.5) ? v!.mailFrom.split('@')[1] : c.pop.domainPool[c.rng.int(8, 2999)]}`;
      const actor: Actor = { ...v!, sender: from, mailFrom: from, displayName: c.rng.id(5), contacts: [] };
      c.inst.sends.push(spam(c, actor, c.at + i * 10_000, v!.ips[0]!, fresh(c, c.rng.int(1, 2)), fp, urls));
    }
  } },
  'phishing, few recipients': { victims: 1, kind: 'mailbox', gen: (c, [v]) => {
    const ip = attackerIp(c.rng), fp = c.rng.id(16), urls = urlsFor(c), replyTo = c.rng.chance(0.7) ? `support@${c.rng.id(7)}.example` : undefined;
    let t = c.at;
    for (let i = 0; i < 40; i++, t += c.rng.int(4, 8) * MIN) {
      const to = c.rng.chance(0.6) ? [v!.contacts[c.rng.zipf(v!.contacts.length)]!] : fresh(c, 1);
      c.inst.sends.push(spam(c, v!, t, ip, to, fp, urls, replyTo ? { replyTo } : {}));
    }
  } },
  'blended into normal traffic': { victims: 1, kind: 'mailbox', gen: (c, [v]) => {
    const ip = attackerIp(c.rng), fps = [c.rng.id(16), c.rng.id(16)], urls = urlsFor(c);
    let t = c.at;
    for (let i = 0; i < 80; i++, t += c.rng.int(2, 5) * MIN) c.inst.sends.push(spam(c, v!, t, ip, fresh(c, c.rng.int(1, 3)), c.rng.pick(fps), urls));
  } },
  'burst after password change': { victims: 1, kind: 'mailbox', gen: (c, [v]) => {
    c.inst.extra.push({ type: 'password-change', at: c.at - 5 * MIN, username: v!.sender });
    const ip = attackerIp(c.rng), fp = c.rng.id(16), urls = urlsFor(c);
    for (let i = 0; i < 200; i++) c.inst.sends.push(spam(c, v!, c.at + i * 5000, ip, fresh(c, c.rng.int(5, 10)), fp, urls));
  } },
  'snowshoe across accounts': { victims: 3, kind: 'mailbox', gen: (c, vs) => {
    const urls = urlsFor(c), fps = [c.rng.id(16), c.rng.id(16), c.rng.id(16)], ips = vs.map(() => attackerIp(c.rng));
    let t = c.at;
    for (let i = 0; i < 75; i++, t += c.rng.int(2, 4) * MIN) {
      const k = c.rng.int(0, vs.length - 1);
      c.inst.sends.push(spam(c, vs[k]!, t, ips[k]!, fresh(c, c.rng.int(2, 5)), c.rng.pick(fps), urls));
    }
  } },
  // No access evidence at all: the victim's own address, client and display name.
  'malware on the victim\'s own machine': { victims: 1, kind: 'mailbox', gen: (c, [v]) => {
    const fps = [c.rng.id(16), c.rng.id(16)], urls = urlsFor(c);
    let t = c.at;
    for (let i = 0; i < 80; i++, t += c.rng.int(2, 4) * MIN) c.inst.sends.push(spam(c, v!, t, v!.ips[0]!, fresh(c, c.rng.int(1, 3)), c.rng.pick(fps), urls, { ownClient: true }));
  } },
};

/** Plans `perStyle` instances of every style between `from` and `to`, each on victims no other instance uses. */
export function planAttacks(rng: Rng, pop: Population, perStyle: number, from: number, to: number, scores: ContentModel): AttackInstance[] {
  const used = new Set<string>();
  const out: AttackInstance[] = [];
  for (const style of STYLES) {
    const g = GENERATORS[style]!;
    for (let i = 0; i < perStyle; i++) {
      const at = from + Math.floor(rng.next() * (to - from));
      let victims: Actor[];
      if (g.kind === 'ip-sender') {
        victims = [rng.pick(pop.actors.filter((a) => a.kind === 'ip-sender'))]; // hosts may be hit more than once; the senders are new each time
      } else {
        const byTenant = new Map<string, Actor[]>();
        for (const a of pop.actors) if (a.kind === 'mailbox' && !used.has(a.sender)) byTenant.set(a.tenantId, [...(byTenant.get(a.tenantId) ?? []), a]);
        const tenants = [...byTenant.values()].filter((l) => l.length >= g.victims);
        const pool = rng.pick(tenants);
        victims = [];
        while (victims.length < g.victims) { const v = rng.pick(pool); if (!victims.includes(v)) victims.push(v); }
        for (const v of victims) used.add(v.sender);
      }
      const inst: AttackInstance = { style, instance: i, start: at, senders: new Set(), victims: new Set(victims.map((v) => v.sender)), sends: [], extra: [] };
      g.gen({ rng, pop, at, tag: { style, instance: i }, inst, scores }, victims);
      if (g.kind === 'ip-sender') inst.victims.clear();
      out.push(inst);
    }
  }
  return out;
}
