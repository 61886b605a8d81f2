// The legitimate population: tenants, their senders, and every message they
// send over the simulated weeks, with office-hour rhythms, weekends, trips,
// phones, weekly newsletters to thousands, steady transactional senders,
// shared web hosts behind IP users, a new sender ramping up and a sender
// returning after a quiet month.
import type { Identity, SmtpUser, Tenant } from '../../core/model.js';
import { DEFAULT_TENANT_SETTINGS } from '../../core/settings.js';
import type { ContentModel } from './content-scores.js';
import type { Rng } from './rng.js';
import { DAY, HOUR, MIN, type Actor, type SendEvent } from './world.js';

export interface SimConfig {
  start: number;
  days: number;
  /** Before this, every tenant runs monitor-only (onboarding: baselines are learned, nothing is enforced). */
  enforceAt: number;
  mailboxUsers: number;
}

export interface Population {
  tenants: Tenant[];
  users: Map<string, SmtpUser>;
  actors: Actor[];
  events: SendEvent[];
  domainPool: string[];
}

/** Local-time activity by hour of day for office mail (relative weights). */
const OFFICE_HOURS = [0, 0, 0, 0, 0, 0, 0.2, 0.5, 1.2, 2, 2, 1.8, 1, 1.5, 2, 1.8, 1.5, 1, 0.6, 0.4, 0.3, 0.2, 0.1, 0];
/** Web shops and contact forms: awake most of the day, quiet at night. */
const WEB_HOURS = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.2, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4, 1.2, 1, 0.6, 0.4];

export function buildPopulation(rng: Rng, cfg: SimConfig, contentModel: ContentModel): Population {
  scores = contentModel;
  const domainPool = Array.from({ length: 3000 }, (_, i) => (i < 8 ? ['gmail', 'outlook', 'yahoo', 'gmx', 'icloud', 'web', 'orange', 'libero'][i]! + '.example' : `d${i}.example`));
  const tenants: Tenant[] = [];
  const users = new Map<string, SmtpUser>();
  const actors: Actor[] = [];
  const events: SendEvent[] = [];
  const mkTenant = (name: string, extra: Partial<Tenant['settings']> = {}): Tenant => {
    const t: Tenant = { id: `t-${name}`, name, tokenHash: '', ipUserQuota: 4, createdAt: new Date(cfg.start).toISOString(), settings: { ...DEFAULT_TENANT_SETTINGS, ...extra } };
    tenants.push(t);
    return t;
  };
  const addUser = (t: Tenant, username: string, kind: 'mailbox' | 'domain') => {
    users.set(username, { tenantId: t.id, username, kind, passwordHash: '', passwordVersion: 1, createdAt: new Date(cfg.start).toISOString(), passwordChangedAt: new Date(cfg.start - 90 * DAY).toISOString() });
  };
  const ext = () => `${rng.id(7)}@${domainPool[rng.zipf(domainPool.length)]}`;
  const ispIp = () => `${rng.int(60, 99)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;

  // Businesses: mailbox users writing to colleagues and contacts in office hours.
  const businesses = 16;
  const perBusiness = Math.ceil(cfg.mailboxUsers / businesses);
  for (let b = 0; b < businesses; b++) {
    const t = mkTenant(`biz${b}`);
    const domain = `biz${b}.example`;
    const tz = rng.pick([-5, 0, 1, 2, 8]);
    const office = `${rng.int(100, 180)}.${rng.int(0, 255)}.${rng.int(0, 255)}`;
    const colleagues = Array.from({ length: perBusiness }, (_, i) => `user${i}@${domain}`);
    const partners = Array.from({ length: rng.int(5, 30) }, () => domainPool[rng.int(8, domainPool.length - 1)]!);
    for (let u = 0; u < perBusiness && actors.filter((a) => a.kind === 'mailbox').length < cfg.mailboxUsers; u++) {
      const address = colleagues[u]!;
      addUser(t, address, 'mailbox');
      const contacts = [
        ...colleagues.filter((c) => c !== address),
        ...Array.from({ length: rng.int(30, 200) }, () => (rng.chance(0.6) ? `${rng.id(6)}@${rng.pick(partners)}` : ext())),
      ];
      const a: Actor = {
        tenantId: t.id, identity: { kind: 'smtp-user', tenantId: t.id, username: address, userKind: 'mailbox' },
        sender: address, mailFrom: address, displayName: `User ${b}-${u}`, kind: 'mailbox', contacts,
        ips: [`${office}.${rng.int(2, 250)}`, ispIp(), `${rng.pick([31, 37, 46])}.${rng.int(0, 3)}.${rng.int(0, 255)}.${rng.int(1, 254)}`],
        tlsClient: rng.pick(['outlook-16', 'thunderbird-128', 'apple-mail-17', 'k9-8']),
      };
      actors.push(a);
      mailboxTraffic(rng, cfg, a, tz, events, ext);
    }
  }

  // Senders with a steady, high volume of transactional mail (order mail, receipts).
  const shops = mkTenant('shops');
  for (let s = 0; s < 4; s++) {
    const domain = `shop${s}.example`;
    addUser(shops, domain, 'domain');
    const a: Actor = {
      tenantId: shops.id, identity: { kind: 'smtp-user', tenantId: shops.id, username: domain, userKind: 'domain' },
      sender: domain, mailFrom: `orders@${domain}`, displayName: `Shop ${s}`, kind: 'transactional', contacts: [],
      ips: [`198.51.${100 + s}.10`], tlsClient: 'postfix-3.7',
    };
    actors.push(a);
    const perHour = s === 0 ? 60 : rng.int(8, 40); // shop0: steady 60/h around the clock
    transactionalTraffic(rng, cfg, a, perHour, s === 0 ? null : WEB_HOURS, events, ext, cfg.start, cfg.days);
  }

  // Weekly newsletters to thousands; half declared as bulk senders, half learned.
  const news = mkTenant('newsletters');
  const declared: { sender: string; hourlyVolume: number }[] = [];
  for (let n = 0; n < 8; n++) {
    const domain = `news${n}.example`;
    addUser(news, domain, 'domain');
    const listSize = n === 0 ? 20_000 : rng.int(2000, 12_000);
    if (n % 2 === 0) declared.push({ sender: domain, hourlyVolume: listSize });
    const a: Actor = {
      tenantId: news.id, identity: { kind: 'smtp-user', tenantId: news.id, username: domain, userKind: 'domain' },
      sender: domain, mailFrom: `bounce@${domain}`, displayName: `News ${n}`, kind: 'newsletter', contacts: Array.from({ length: listSize }, ext),
      ips: [`198.51.${120 + n}.20`], tlsClient: 'mailer-2',
    };
    actors.push(a);
    newsletterTraffic(rng, cfg, a, n, events, ext);
  }
  news.settings.bulkSenders = declared;

  // Shared web hosts behind IP users: many sites, one envelope sender each.
  for (let h = 0; h < 6; h++) {
    const t = mkTenant(`host${h}`);
    const cidr = `203.0.${h}.0/24`;
    const identity: Identity = { kind: 'ip-user', tenantId: t.id, ipUserId: `ipu-${h}`, cidr };
    for (let s = 0; s < 12; s++) {
      const site = `site${h}-${s}.example`;
      const a: Actor = {
        tenantId: t.id, identity, sender: `wordpress@${site}`, mailFrom: `wordpress@${site}`, displayName: `Site ${h}-${s}`,
        kind: 'ip-sender', contacts: [`owner@${site}`], ips: [`203.0.${h}.${10 + s}`], tlsClient: 'php-mailer',
      };
      actors.push(a);
      const start = s === 11 ? cfg.start + rng.int(15, 40) * DAY : cfg.start; // one site per host joins later
      transactionalTraffic(rng, cfg, a, rng.int(1, 3) / 3, WEB_HOURS, events, () => (rng.chance(0.5) ? a.contacts[0]! : ext()), start, cfg.days - (start - cfg.start) / DAY);
    }
  }

  // A new shop that starts after onboarding and ramps up 15 % a day.
  const fresh = mkTenant('fresh');
  addUser(fresh, 'newshop.example', 'domain');
  const ramp: Actor = {
    tenantId: fresh.id, identity: { kind: 'smtp-user', tenantId: fresh.id, username: 'newshop.example', userKind: 'domain' },
    sender: 'newshop.example', mailFrom: 'orders@newshop.example', displayName: 'New Shop', kind: 'ramping', contacts: [], ips: ['198.51.99.7'], tlsClient: 'postfix-3.7',
  };
  actors.push(ramp);
  const rampStart = cfg.enforceAt + 2 * DAY;
  for (let d = 0; rampStart + d * DAY < cfg.start + cfg.days * DAY; d++) {
    transactionalTraffic(rng, cfg, ramp, Math.min(150, 5 * Math.pow(1.15, d)) / 21.8, WEB_HOURS, events, ext, rampStart + d * DAY, 1);
  }

  // A consultant active during onboarding, silent for a month, back with a catch-up day.
  const back = mkTenant('returning');
  addUser(back, 'consultant@returning.example', 'mailbox');
  const ret: Actor = {
    tenantId: back.id, identity: { kind: 'smtp-user', tenantId: back.id, username: 'consultant@returning.example', userKind: 'mailbox' },
    sender: 'consultant@returning.example', mailFrom: 'consultant@returning.example', displayName: 'The Consultant', kind: 'returning',
    contacts: Array.from({ length: 80 }, ext), ips: [ispIp()], tlsClient: 'apple-mail-17',
  };
  actors.push(ret);
  const quietFrom = cfg.start + 10 * DAY, quietUntil = quietFrom + 31 * DAY;
  const before: SendEvent[] = [];
  mailboxTraffic(rng, cfg, ret, 1, before, ext);
  for (const e of before) {
    if (e.at < quietFrom) events.push(e);
    else if (e.at >= quietUntil) events.push(e, ...(e.at < quietUntil + DAY ? [{ ...e, at: e.at + 7 * MIN, firstAt: e.at + 7 * MIN, rcpts: [...e.rcpts] }] : []));
  }
  return { tenants, users, actors, events, domainPool };
}

let scores: ContentModel;

function hamScore(rng: Rng, mean = 0.6): number {
  return scores.ham(rng, mean);
}

function base(actor: Actor, at: number, ip: string, rng: Rng): Omit<SendEvent, 'rcpts' | 'invalid' | 'fingerprint' | 'urls' | 'contentScore'> {
  return { type: 'send', at, firstAt: at, actor, displayName: actor.displayName, ip, complaintRate: 0.0001, tries: 0, ...(rng.chance(0.005) ? { failedLogins: [ip, ip] } : {}) };
}

function mailboxTraffic(rng: Rng, cfg: SimConfig, a: Actor, tz: number, out: SendEvent[], ext: () => string): void {
  const daily = Math.max(2, Math.exp(rng.normal(Math.log(14), 0.6)));
  const trips = Array.from({ length: rng.int(0, 2) }, () => { const s = cfg.start + rng.int(0, cfg.days - 4) * DAY; return [s, s + rng.int(2, 4) * DAY] as const; });
  for (let d = 0; d < cfg.days; d++) {
    const dayStart = cfg.start + d * DAY;
    const weekday = new Date(dayStart).getUTCDay();
    const n = rng.poisson(daily * (weekday === 0 || weekday === 6 ? 0.1 : 1));
    const trip = trips.find(([s, e]) => dayStart >= s && dayStart < e);
    const hotel = `${rng.int(100, 220)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    for (let i = 0; i < n; i++) {
      const at = dayStart + localHour(rng, OFFICE_HOURS, tz) + rng.int(0, 3599) * 1000;
      const ip = trip ? hotel : rng.chance(0.7) ? a.ips[0]! : rng.chance(0.66) ? a.ips[1]! : a.ips[2]!;
      const r = rng.next();
      const count = r < 0.65 ? 1 : r < 0.8 ? 2 : r < 0.88 ? 3 : r < 0.98 ? rng.int(4, 8) : rng.int(10, 25);
      const rcpts = new Set<string>();
      for (let k = 0; k < count; k++) {
        if (rng.chance(0.08)) { const c = ext(); a.contacts.push(c); rcpts.add(c); } else rcpts.add(a.contacts[rng.zipf(a.contacts.length)]!);
      }
      const list = [...rcpts];
      out.push({ ...base(a, at, ip, rng), rcpts: list, invalid: new Set(list.filter(() => rng.chance(0.005))), fingerprint: rng.id(16), urls: rng.chance(0.3) ? [`https://${a.mailFrom.split('@')[1]}/x`] : [], contentScore: hamScore(rng) });
    }
  }
}

function transactionalTraffic(rng: Rng, cfg: SimConfig, a: Actor, perHour: number, hours: number[] | null, out: SendEvent[], rcpt: () => string, start: number, days: number): void {
  const templates = [rng.id(16), rng.id(16), rng.id(16)];
  const domain = a.mailFrom.split('@')[1];
  for (let h = 0; h < days * 24; h++) {
    const at0 = start + h * HOUR;
    const w = hours ? hours[new Date(at0).getUTCHours()]! : 1;
    const n = rng.poisson(perHour * w);
    for (let i = 0; i < n; i++) {
      const to = rcpt();
      out.push({
        ...base(a, at0 + rng.int(0, 3599) * 1000, a.ips[0]!, rng), rcpts: [to], invalid: new Set(rng.chance(0.005) ? [to] : []),
        fingerprint: rng.pick(templates), urls: [`https://${domain}/order`, `https://cdn.${domain}/logo.png`], contentScore: hamScore(rng, 0.8),
      });
    }
  }
}

function newsletterTraffic(rng: Rng, cfg: SimConfig, a: Actor, n: number, out: SendEvent[], ext: () => string): void {
  const weekday = 1 + (n % 5); // Monday..Friday
  const domain = a.mailFrom.split('@')[1];
  for (let d = 0; d < cfg.days; d++) {
    const dayStart = cfg.start + d * DAY;
    if (new Date(dayStart).getUTCDay() !== weekday) continue;
    for (let k = 0; k < a.contacts.length * 0.01; k++) a.contacts.push(ext()); // the list grows 1 % a week
    const issue = rng.id(16);
    const at0 = dayStart + (8 + (n % 3)) * HOUR;
    for (let b = 0, i = 0; b < a.contacts.length; b += 50, i++) {
      const rcpts = a.contacts.slice(b, b + 50);
      out.push({
        ...base(a, at0 + i * 7_500, a.ips[0]!, rng), rcpts, invalid: new Set(rcpts.filter(() => rng.chance(0.003))), complaintRate: 0.0003,
        fingerprint: issue, urls: [`https://${domain}/issue`, `https://${domain}/unsubscribe`], contentScore: hamScore(rng, 1.2),
      });
    }
  }
}

/** A time offset within the UTC day for a local hour drawn from the weights. */
function localHour(rng: Rng, weights: number[], tz: number): number {
  const total = weights.reduce((s, w) => s + w, 0);
  let r = rng.next() * total, h = 0;
  while (r > weights[h]!) { r -= weights[h]!; h++; }
  return (((h - tz) % 24) + 24) % 24 * HOUR;
}
