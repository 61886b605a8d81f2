// Content scoring entry point: parse once, run every content check, return
// named signals. Called identically by the score Lambda and the local worker.
// (First pass; the full scorer — classifier, rules, attachments, URLs — grows here.)
import type { Envelope, Identity, Signal } from '../model.js';
import type { UrlReputation, VirusScanner } from '../ports.js';

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
}

/** Facts other parts of the pipeline need (message log, campaign detection). */
export interface ContentFacts {
  messageId?: string;
  subject?: string;
  headerFrom?: string;
  /** Fingerprint of the normalised body: the same campaign gives the same value. */
  bodyFingerprint?: string;
  urls: string[];
  xAuthUser?: string;
}

export interface ContentResult {
  signals: Signal[];
  facts: ContentFacts;
}

export async function scoreContent(_raw: Buffer, _ctx: ContentContext, _deps: ContentDeps): Promise<ContentResult> {
  return { signals: [], facts: { urls: [] } };
}
