import { useState } from 'preact/hooks';
import { itemsOf, seg } from '../api/client.js';
import type { Message, MessageList, Sender } from '../api/types.js';
import { Sparkline } from '../components/chart.js';
import { ActionDialog, ErrorNotice, Loading, PageHeader, Success, useLoad } from '../components/ui.js';
import { useApp } from '../context.js';
import { fmtTime } from '../lib/format.js';
import { senderSparklines } from '../lib/stats.js';
import { href, navigate, useRoute } from '../router.js';

/** The last 24 hours of the log, at most `max` messages, for the sparklines. */
async function recentMessages(api: ReturnType<typeof useApp>['api'], max = 2000): Promise<Message[]> {
  const since = new Date(Date.now() - 24 * 3_600_000).toISOString();
  const out: Message[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < Math.ceil(max / 500); page++) {
    const res = await api.get<MessageList>('/v1/messages', { since, limit: 500, cursor });
    out.push(...res.items);
    cursor = res.cursor;
    if (!cursor) break;
  }
  return out;
}

/** The API's reputation facts when it reports them, else what the last 24 hours of the log say. */
function reputationSummary(rep: Record<string, unknown> | undefined, recent: Message[] | undefined): string {
  if (!rep || Object.keys(rep).length === 0) {
    if (!recent) return '…';
    if (recent.length === 0) return 'no mail in 24 h';
    const held = recent.filter((m) => m.verdict && m.verdict.verdict !== 'deliver').length;
    const bounced = recent.filter((m) => m.status === 'bounced').length;
    return `${recent.length} sent in 24 h, ${Math.round((held / recent.length) * 100)}% held or rejected${bounced ? `, ${bounced} bounced` : ''}`;
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(rep)) {
    if (typeof v === 'number') parts.push(`${k} ${Number.isInteger(v) ? v : v.toFixed(2)}`);
    else if (typeof v === 'string' || typeof v === 'boolean') parts.push(`${k} ${String(v)}`);
    if (parts.length >= 4) break;
  }
  return parts.length ? parts.join(', ') : '—';
}

export function Senders() {
  const { api } = useApp();
  const { params } = useRoute();
  const q = params.get('q') ?? '';
  const list = useLoad(async () => itemsOf<Sender>(await api.get('/v1/senders')), []);
  const volume = useLoad(() => recentMessages(api), []);
  const [action, setAction] = useState<{ kind: 'lock' | 'unlock'; sender: string } | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const sparks = volume.data ? senderSparklines(volume.data, new Date()) : undefined;
  const bySender = new Map<string, Message[]>();
  for (const m of volume.data ?? []) bySender.set(m.sender, [...(bySender.get(m.sender) ?? []), m]);
  const shown = (list.data ?? []).filter((s) => !q || s.sender.includes(q.toLowerCase()));

  return (
    <>
      <PageHeader title="Senders"><button type="button" onClick={() => { list.reload(); volume.reload(); }}>Refresh</button></PageHeader>
      <p>Every envelope sender (or X-AuthUser) seen, with its volume over the last 24 hours and its lock state. Locks apply per sender, never to a whole server.</p>
      <form class="inline-form" role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="sender-q">Filter</label>
        <input id="sender-q" type="search" value={q} placeholder="part of an address" onInput={(e) => navigate('/senders', { q: (e.target as HTMLInputElement).value })} />
      </form>
      {done && <Success>{done}</Success>}
      <ErrorNotice error={list.error} />
      {volume.error !== undefined && <p class="muted">Volume sparklines unavailable: could not read the message log.</p>}
      {list.loading && !list.data && <Loading what="senders" />}
      {list.data && shown.length === 0 && <p class="muted">{q ? 'No sender matches the filter.' : 'No mail has been sent yet.'}</p>}
      {shown.length > 0 && (
        <div class="table-wrap">
          <table class="senders stack">
            <thead><tr>
              <th scope="col">Sender</th><th scope="col">Volume, 24 h</th><th scope="col">Reputation</th><th scope="col">State</th><th scope="col">Why</th><th scope="col"><span class="sr-only">Actions</span></th>
            </tr></thead>
            <tbody>
              {shown.map((s) => {
                const series = sparks?.get(s.sender) ?? Array.from({ length: 24 }, () => 0);
                const throttled = s.throttledUntil && Date.parse(s.throttledUntil) > Date.now();
                return (
                  <tr key={s.sender} data-sender={s.sender}>
                    <th scope="row"><a href={href(`/messages?sender=${encodeURIComponent(s.sender)}`)}>{s.sender}</a><div class="muted small">last seen {fmtTime(s.lastSeenAt)}</div></th>
                    <td data-label="Volume, 24 h">{sparks ? <Sparkline data={series} label={`Hourly volume of ${s.sender}`} /> : '…'}</td>
                    <td class="small" data-label="Reputation">{reputationSummary(s.reputation, volume.data ? bySender.get(s.sender) ?? [] : undefined)}{s.autoUnlocks ? <div class="muted">{s.autoUnlocks} automatic unlock{s.autoUnlocks === 1 ? '' : 's'}</div> : null}</td>
                    <td data-label="State">
                      {s.locked ? <span class="badge bad" data-state="locked">Locked</span> : throttled ? <span class="badge warn" data-state="throttled">Throttled</span> : <span class="badge good" data-state="active">Active</span>}
                    </td>
                    <td class="why small" data-label="Why">
                      {s.locked && s.lock && (
                        <>
                          <div>{s.lock.reason}</div>
                          <div class="muted">{s.lock.by === 'auto' ? 'Automatic' : 'Manual'} lock, {fmtTime(s.lock.lockedAt)}{s.lock.until ? `, until ${fmtTime(s.lock.until)}` : ''}</div>
                          {s.lock.evidence?.signals?.length ? <div class="muted">Signals: {s.lock.evidence.signals.join(', ')}</div> : null}
                          {s.lock.evidence?.messageIds?.length ? <div>Evidence: {s.lock.evidence.messageIds.slice(0, 5).map((id) => <a key={id} href={href(`/messages/${encodeURIComponent(id)}`)} class="evidence">{id.slice(0, 10)}</a>)}</div> : null}
                          {s.lock.requiresPasswordRotation && <div class="warn">Rotate the password before unlocking.</div>}
                        </>
                      )}
                      {!s.locked && throttled && <div>{s.throttleReason ?? 'Throttled'} — until {fmtTime(s.throttledUntil)}</div>}
                    </td>
                    <td class="actions">
                      {s.locked
                        ? <button type="button" onClick={() => setAction({ kind: 'unlock', sender: s.sender })} aria-label={`Unlock ${s.sender}`}>Unlock</button>
                        : <button type="button" class="danger" onClick={() => setAction({ kind: 'lock', sender: s.sender })} aria-label={`Lock ${s.sender}`}>Lock</button>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {action && (
        <ActionDialog
          title={action.kind === 'lock' ? `Lock ${action.sender}?` : `Unlock ${action.sender}?`}
          description={action.kind === 'lock'
            ? <p>Mail from this sender is refused until it is unlocked. Other senders on the same server keep sending.</p>
            : <p>Mail from this sender is accepted again.</p>}
          reasonLabel="Reason (kept with the sender's record)"
          reasonRequired
          confirmLabel={action.kind === 'lock' ? 'Lock sender' : 'Unlock sender'}
          danger={action.kind === 'lock'}
          onConfirm={async (reason) => {
            await api.post(`/v1/senders/${seg(action.sender)}/${action.kind}`, { reason });
            setDone(`${action.sender} ${action.kind === 'lock' ? 'locked' : 'unlocked'}.`);
            list.reload();
          }}
          onClose={() => setAction(undefined)}
        />
      )}
    </>
  );
}
