// Delivery feedback after the message left (on AWS: SES bounce, complaint,
// delivery and reject events): bring the message log up to date per
// recipient and hand bounces and complaints to core/reputation as evidence.
// Applying the same event twice changes nothing the second time, so an SNS
// redelivery is harmless: the evidence is counted under the event's id
// (`eventId`, stable across redeliveries), and the log only takes what the
// event newly reports. The evidence goes in before the log is written, so an
// event whose evidence failed is retried in full, not found done and dropped.
import type { ProblemLog } from '../log.js';
import type { MessageRecord, RecipientStatus } from '../model.js';
import type { Clock, MessageStore, Notifier, SenderStore, SpoolStore, TenantStore, Transport } from '../ports.js';
import { recordFeedback } from '../reputation/index.js';
import { messageStatusFor } from '../delivery/recipients.js';

export type FeedbackKind = 'delivery' | 'bounce' | 'complaint' | 'reject';

/** One provider event, already mapped to our terms (adapters/aws/ses-events.ts does that for SES). */
export interface DeliveryFeedback {
  /** Our message id. */
  messageId: string;
  /** The provider's id of this event, the same on every redelivery of it (SES: the bounce's or complaint's feedback id): its evidence counts once. */
  eventId: string;
  kind: FeedbackKind;
  /** For bounces: the provider gave up for good (SES "Permanent"). Transient bounces are final on SES too, but say nothing about the address. */
  permanent?: boolean;
  recipients: { rcpt: string; reply?: string }[];
  /** Who reported it, e.g. the receiving MTA. */
  reportedBy?: string;
  at: string;
}

export interface FeedbackDeps {
  clock: Clock;
  messages: MessageStore;
  senders: SenderStore;
  tenants: TenantStore;
  /** Tells the tenant (webhook) when complaints lock a sender. @default no notifications */
  notifier?: Notifier;
  /** With `spool` and `config`: the ARF report of a lock goes out through it. @default no reports */
  transport?: Transport;
  spool?: SpoolStore;
  config?: { hostname: string };
  /** Where handled problems (a failed webhook or report) are reported. @default stderr */
  log?: ProblemLog;
}

export type FeedbackOutcome = 'applied' | 'unchanged' | 'unknown-message';

export async function handleDeliveryFeedback(deps: FeedbackDeps, fb: DeliveryFeedback): Promise<FeedbackOutcome> {
  const msg = await deps.messages.get(fb.messageId);
  if (!msg) return 'unknown-message';
  const wanted = new Map(fb.recipients.map((r) => [r.rcpt.toLowerCase(), r]));
  // A reject without recipients concerns the whole message.
  const applies = (r: RecipientStatus) => (fb.kind === 'reject' && wanted.size === 0) || wanted.has(r.rcpt.toLowerCase());
  const reply = (r: RecipientStatus) => wanted.get(r.rcpt.toLowerCase())?.reply;

  let changed = false;
  const newlyReported: string[] = [];
  const recipients = msg.recipients.map((r): RecipientStatus => {
    if (!applies(r)) return r;
    const next = updateRecipient(r, fb, reply(r));
    if (JSON.stringify(next) !== JSON.stringify(r)) {
      changed = true;
      newlyReported.push(r.rcpt);
    }
    return next;
  });
  if (!changed) return 'unchanged';

  const updated: MessageRecord = {
    ...msg, recipients,
    status: fb.kind === 'complaint' ? msg.status : messageStatusFor(recipients),
    updatedAt: deps.clock.now().toISOString(),
  };

  // Evidence only for what this event newly reported (another event about the same complaint adds none),
  // and once per event: a redelivery that finds the log changed since (a later delivery event rewrote the
  // recipient's reply), or one that runs alongside the first, counts nothing again.
  const evidence = fb.kind === 'complaint' ? 'complaint' : fb.kind === 'bounce' && fb.permanent ? 'bounce' : undefined;
  if (evidence) {
    // FeedbackDeps is a ReputationDeps: a lock decided here holds mail, posts the webhook and sends the ARF report.
    await recordFeedback(deps, { tenantId: msg.tenantId, sender: msg.sender, messageId: msg.id, type: evidence, recipients: newlyReported, eventId: fb.eventId });
  }
  await deps.messages.put(updated);
  return 'applied';
}

function updateRecipient(r: RecipientStatus, fb: DeliveryFeedback, reply: string | undefined): RecipientStatus {
  const mx = fb.reportedBy ? { mx: fb.reportedBy } : {};
  switch (fb.kind) {
    case 'delivery':
      return { ...r, state: 'delivered', reply: reply ?? r.reply ?? '250 delivered', lastAttemptAt: fb.at, ...mx };
    case 'bounce':
    case 'reject':
      return { ...r, state: 'bounced', reply: reply ?? `${fb.kind === 'reject' ? '554 5.7.1 rejected by the provider' : '550 5.0.0 bounced'}`, lastAttemptAt: fb.at, ...mx };
    case 'complaint': {
      // The mail was delivered; the complaint is noted on the recipient without changing that.
      const note = `complaint${reply ? `: ${reply}` : ''}`;
      if (r.reply?.startsWith('complaint')) return r;
      return { ...r, reply: note };
    }
  }
}
