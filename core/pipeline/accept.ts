// The log record of a message the ingress has accepted (before scoring).
import type { Envelope, Identity, MessageRecord } from '../model.js';
import type { HeaderFacts } from '../message/header-facts.js';

export interface AcceptedMessage {
  id: string;
  identity: Identity;
  envelope: Envelope;
  clientIp: string;
  sender: string;
  size: number;
  headers: HeaderFacts;
  now: Date;
  /** When delivery gives up on deferred recipients. */
  retrySeconds: number;
  /** The ingress found the session's own login password in the text (a leaked-credential probe). */
  passwordInMessage?: boolean;
  /** MAIL FROM carried SMTPUTF8 (RFC 6531). @default false */
  smtpUtf8?: boolean;
}

export function acceptedRecord(m: AcceptedMessage): MessageRecord {
  const at = m.now.toISOString();
  const record: MessageRecord = {
    id: m.id,
    tenantId: m.identity.tenantId,
    spoolKey: m.id,
    envelope: m.envelope,
    clientIp: m.clientIp,
    identity: m.identity,
    sender: m.sender,
    size: m.size,
    receivedAt: at,
    status: 'accepted',
    recipients: m.envelope.rcptTo.map((rcpt) => ({ rcpt, state: 'pending', attempts: 0 })),
    expiresAt: new Date(m.now.getTime() + m.retrySeconds * 1000).toISOString(),
    updatedAt: at,
  };
  if (m.headers.messageId) record.messageId = m.headers.messageId;
  if (m.headers.subject !== undefined) record.subject = m.headers.subject;
  if (m.headers.from) record.headerFrom = m.headers.from;
  if (m.smtpUtf8) record.smtpUtf8 = true;
  // Evidence only the ingress can see; weight 0 here, the sender policy weighs it (and locks).
  if (m.passwordInMessage) {
    record.ingressSignals = [{ name: 'password-in-message', weight: 0, detail: 'the message contains the password this session logged in with' }];
  }
  return record;
}
