// Content scoring entry point: parse once, run every content check, return
// named signals. Called identically by the score Lambda and the local worker.
// A check that cannot answer (virus scanner down) makes the whole call fail
// with a TEMPORARY error so the message is retried, never passed as clean.
import { DomainError } from '../errors.js';
import type { Envelope, Identity, Signal } from '../model.js';
import type { UrlReputation, VirusScanner } from '../ports.js';
import { ATTACHMENT_WEIGHTS, checkAttachments, containsEicar, type AttachmentFact } from './attachments/check.js';
import { extractFeatures } from './classifier/features.js';
import { calibratedWeight, predict, type ClassifierModel } from './classifier/model.js';
import { defaultModel } from './default-model.js';
import { bodyFingerprint, parseMessage, type MessageFacts } from './facts.js';
import { ruleSignals } from './rules/table.js';
import { checkUrlReputation } from './url-reputation.js';

export interface ContentContext {
  tenantId: string;
  envelope: Envelope;
  identity: Identity;
  /** Domains the tenant owns: the From header should be one of them. */
  ownedDomains: string[];
}

export interface ContentDeps {
  virusScanner?: VirusScanner;
  urlReputation?: UrlReputation;
  /** The trained classifier. @default the shipped model (models/content-model.json) */
  model?: ClassifierModel;
  /** How long URL reputation may take before it is skipped with 'url-check-unavailable'. @default 1500 ms */
  urlCheckTimeoutMs?: number;
}

/** Facts other parts of the pipeline need (message log, campaign detection). */
export interface ContentFacts {
  messageId?: string;
  subject?: string;
  headerFrom?: string;
  /** The Reply-To mailbox, same form as headerFrom. */
  replyTo?: string;
  /** Fingerprint of the normalised body: the same campaign gives the same value. */
  bodyFingerprint?: string;
  urls: string[];
  xAuthUser?: string;
  /** Attachments as seen by content (not by name): for the message log. */
  attachments?: Omit<AttachmentFact, 'content'>[];
}

export interface ContentResult {
  signals: Signal[];
  facts: ContentFacts;
}

/** Weight of a virus found by the scanner (also decisive in core/verdict.ts). */
export const VIRUS_WEIGHT = 10;

export async function scoreContent(raw: Buffer, ctx: ContentContext, deps: ContentDeps): Promise<ContentResult> {
  // Start the scan first: it runs in another process while we parse here.
  const scan = deps.virusScanner?.scan(raw).catch((err: unknown) => {
    throw new DomainError('TEMPORARY', `virus scanner unavailable: ${(err as Error).message ?? String(err)}`);
  });
  scan?.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
  const facts = parseMessage(raw);
  const signals = contentSignals(facts, ctx, deps.model ?? defaultModel());
  const hosts = [...new Set(facts.urls.map((u) => u.host))];
  if (deps.urlReputation && hosts.length > 0) {
    signals.push(...(await checkUrlReputation(deps.urlReputation, hosts, deps.urlCheckTimeoutMs ?? 1500)));
  }
  if (scan) {
    const result = await scan;
    if (result.infected) signals.push({ name: 'virus', weight: VIRUS_WEIGHT, detail: result.name ?? 'infected' });
  }
  return { signals, facts: contentFacts(facts) };
}

/** Every check that needs no I/O: rules, attachments, classifier. Exported for eval and bench. */
export function contentSignals(facts: MessageFacts, ctx: ContentContext, model: ClassifierModel): Signal[] {
  const signals = [...ruleSignals(facts, ctx), ...checkAttachments(facts.attachments)];
  // EICAR in a text part (not an attachment) counts too: "anywhere".
  if (!signals.some((s) => s.name === 'attachment-eicar') && containsEicar(Buffer.from(facts.text + facts.htmlText, 'latin1'))) {
    signals.push({ name: 'attachment-eicar', weight: ATTACHMENT_WEIGHTS['attachment-eicar'], detail: 'EICAR test string in the message text' });
  }
  const prediction = predict(model, extractFeatures(facts), 5);
  signals.push({
    name: 'classifier',
    weight: calibratedWeight(model, prediction.logit),
    detail: `spam probability ${prediction.probability.toFixed(3)}; strongest: ${prediction.top.map((t) => `${t.feature} ${t.weight > 0 ? '+' : ''}${t.weight.toFixed(2)}`).join(', ')}`,
  });
  return signals;
}

function mailboxText(m: { name: string; address: string }): string {
  const name = m.name.replace(/["<>]/g, '').trim();
  return name ? `"${name}" <${m.address}>` : m.address;
}

function contentFacts(f: MessageFacts): ContentFacts {
  return {
    ...(f.messageId ? { messageId: f.messageId } : {}),
    ...(f.hasSubject ? { subject: f.subject } : {}),
    // "Name <address>": the reputation policy watches display names and Reply-To domains change.
    ...(f.from?.address ? { headerFrom: mailboxText(f.from) } : {}),
    ...(f.replyTo?.address ? { replyTo: mailboxText(f.replyTo) } : {}),
    bodyFingerprint: bodyFingerprint(f),
    urls: [...new Set(f.urls.map((u) => u.url))].slice(0, 100),
    ...(f.xAuthUser ? { xAuthUser: f.xAuthUser } : {}),
    attachments: f.attachments.map((a) => ({
      ...(a.filename !== undefined ? { filename: a.filename } : {}),
      declaredType: a.declaredType, sniffedType: a.sniffedType, size: a.size, sha256: a.sha256,
    })),
  };
}
