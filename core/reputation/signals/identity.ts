// Identity: who the mail claims to come from. A From header that matches
// neither the envelope nor the login, a display name or Reply-To domain this
// established sender never used, and the leaked-credential probe (the
// message contains the sender's own SMTP password).
import type { Signal } from '../../model.js';
import { domainOf, isOwnedDomain } from '../../policy/sender-key.js';
import { parseMailbox } from '../../message/headers.js';
import { isEstablished, signal, type CheckInput } from './input.js';

export function identitySignals(i: CheckInput): Signal[] {
  const out: Signal[] = [];
  const from = parseMailbox(i.content.facts.headerFrom ?? i.message.headerFrom);
  if (from) {
    const fromDomain = domainOf(from.address);
    const allowed = new Set([domainOf(i.message.envelope.mailFrom)]);
    const id = i.message.identity;
    if (id.kind === 'smtp-user') allowed.add(id.userKind === 'domain' ? id.username.toLowerCase() : domainOf(id.username));
    if (fromDomain && !isOwnedDomain(fromDomain, [...allowed].filter(Boolean))) {
      out.push(signal('from-mismatch', `From ${from.address} matches neither <${i.message.envelope.mailFrom}> nor the login`));
    }
    const names = i.profile.known.displayNames;
    if (isEstablished(i.profile) && from.name && names.length > 0 && !names.includes(from.name)) {
      out.push(signal('new-display-name', `display name "${from.name}" never used before (known: ${names.slice(-3).join(', ')})`));
    }
  }
  const replyDomains = i.profile.known.replyToDomains;
  const replyTo = parseMailbox(i.content.facts.replyTo);
  const rd = replyTo ? domainOf(replyTo.address) : '';
  if (isEstablished(i.profile) && rd && replyDomains.length > 0 && !replyDomains.includes(rd)) {
    out.push(signal('new-reply-to-domain', `Reply-To domain ${rd} never used before`));
  }
  // The ingress's finding (core/pipeline/accept.ts ingressSignals), merged into the content signals by the score step.
  if (i.content.signals.some((s) => s.name === 'password-in-message')) {
    out.push(signal('password-in-message', 'the message body contains this account\'s SMTP password'));
  }
  return out;
}
