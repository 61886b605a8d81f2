// SES event publishing (configuration set → SNS) to DeliveryFeedback. The
// message is matched by the `relayguard-message` tag the SES transport puts
// on every send; events without it (mail not sent by Relayguard) are ignored.
// SNS delivers at least once: the event's id (a bounce's or complaint's
// `feedbackId`) lets core count a redelivered event once.
import { createHash } from 'node:crypto';
import type { DeliveryFeedback } from '../../core/pipeline/feedback.js';
import { MESSAGE_TAG } from './ses-transport.js';

interface SesEvent {
  eventType?: string;
  notificationType?: string;
  mail?: { messageId?: string; tags?: Record<string, string[]>; destination?: string[]; timestamp?: string };
  bounce?: { feedbackId?: string; bounceType?: string; bouncedRecipients?: { emailAddress: string; status?: string; diagnosticCode?: string }[]; reportingMTA?: string; timestamp?: string };
  complaint?: { feedbackId?: string; complainedRecipients?: { emailAddress: string }[]; complaintFeedbackType?: string; timestamp?: string };
  delivery?: { recipients?: string[]; smtpResponse?: string; reportingMTA?: string; timestamp?: string };
  reject?: { reason?: string };
}

/** Parses one SNS message body; undefined for events that are not ours or not of a kind we track. */
export function feedbackFromSesEvent(body: string): DeliveryFeedback | undefined {
  let ev: SesEvent;
  try { ev = JSON.parse(body) as SesEvent; } catch { return undefined; }
  const messageId = ev.mail?.tags?.[MESSAGE_TAG]?.[0];
  if (!messageId) return undefined;
  const type = (ev.eventType ?? ev.notificationType ?? '').toLowerCase();
  const at = ev.mail?.timestamp ?? new Date().toISOString();
  // Deliveries and rejects carry no feedback id (and bring no evidence); a redelivery repeats the body byte for byte.
  const eventId = (type === 'bounce' ? ev.bounce?.feedbackId : type === 'complaint' ? ev.complaint?.feedbackId : undefined)
    ?? `sha256:${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
  switch (type) {
    case 'bounce':
      return {
        messageId, eventId, kind: 'bounce', permanent: ev.bounce?.bounceType === 'Permanent', at: ev.bounce?.timestamp ?? at,
        ...(ev.bounce?.reportingMTA ? { reportedBy: ev.bounce.reportingMTA } : {}),
        recipients: (ev.bounce?.bouncedRecipients ?? []).map((r) => ({
          rcpt: r.emailAddress, reply: r.diagnosticCode ?? `${r.status ?? '5.0.0'} ${ev.bounce?.bounceType ?? ''} bounce`.trim(),
        })),
      };
    case 'complaint':
      return {
        messageId, eventId, kind: 'complaint', at: ev.complaint?.timestamp ?? at,
        recipients: (ev.complaint?.complainedRecipients ?? []).map((r) => ({ rcpt: r.emailAddress, reply: ev.complaint?.complaintFeedbackType ?? 'abuse' })),
      };
    case 'delivery':
      return {
        messageId, eventId, kind: 'delivery', at: ev.delivery?.timestamp ?? at,
        ...(ev.delivery?.reportingMTA ? { reportedBy: ev.delivery.reportingMTA } : {}),
        recipients: (ev.delivery?.recipients ?? []).map((rcpt) => ({ rcpt, ...(ev.delivery?.smtpResponse ? { reply: ev.delivery.smtpResponse } : {}) })),
      };
    case 'reject':
      return {
        messageId, eventId, kind: 'reject', at,
        recipients: (ev.mail?.destination ?? []).map((rcpt) => ({ rcpt, reply: `554 5.7.1 rejected by SES: ${ev.reject?.reason ?? 'no reason given'}` })),
      };
    default:
      return undefined;
  }
}
