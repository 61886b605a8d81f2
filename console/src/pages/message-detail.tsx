import { useState } from 'preact/hooks';
import type { Message } from '../api/types.js';
import { ApiError, seg } from '../api/client.js';
import { ActionDialog, ErrorNotice, Loading, PageHeader, Success, Unavailable, useAction, useLoad } from '../components/ui.js';
import { useApp } from '../context.js';
import { fmtBytes, fmtTime } from '../lib/format.js';
import { href } from '../router.js';
import { VerdictBadge } from './messages.js';

export function MessageDetail({ id }: { id: string }) {
  const { api } = useApp();
  const msg = useLoad(() => api.get<Message>(`/v1/messages/${seg(id)}`), [id]);
  const [action, setAction] = useState<'release' | 'delete' | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const m = msg.data;
  const maxWeight = m?.verdict ? Math.max(1, ...m.verdict.signals.map((s) => Math.abs(s.weight))) : 1;

  return (
    <>
      <PageHeader title={m ? (m.subject || '(no subject)') : 'Message'}>
        <a href={href('/messages')}>Back to the log</a>
        <button type="button" onClick={msg.reload}>Refresh</button>
      </PageHeader>
      {done && <Success>{done}</Success>}
      <ErrorNotice error={msg.error} />
      {msg.loading && !m && <Loading what="the message" />}
      {m && (
        <>
          <div class="row">
            <VerdictBadge m={m} /> <span class="status" data-status={m.status}>Status: {m.status}</span>
            {m.status === 'quarantined' && <button type="button" class="primary" onClick={() => setAction('release')}>Release</button>}
            {(m.status === 'quarantined' || m.status === 'rejected') && <button type="button" class="danger" onClick={() => setAction('delete')}>Delete</button>}
          </div>
          <dl class="kv">
            <div><dt>Received</dt><dd>{fmtTime(m.receivedAt)}</dd></div>
            <div><dt>Sender</dt><dd><a href={href(`/senders?q=${encodeURIComponent(m.sender)}`)}>{m.sender}</a></dd></div>
            <div><dt>Envelope from</dt><dd>{m.envelope.mailFrom || '<> (null sender)'}</dd></div>
            <div><dt>From header</dt><dd>{m.headerFrom ?? '—'}</dd></div>
            <div><dt>Submitted by</dt><dd>{m.identity.kind === 'smtp-user' ? `${m.identity.username} (${m.identity.userKind} user)` : `IP user ${m.identity.cidr}`} from {m.clientIp}</dd></div>
            <div><dt>Size</dt><dd>{fmtBytes(m.size)}</dd></div>
            <div><dt>Message-ID</dt><dd><code>{m.messageId ?? '—'}</code></dd></div>
            <div><dt>Log id</dt><dd><code>{m.id}</code></dd></div>
          </dl>
          <section aria-labelledby="verdict-h" class="card">
            <h2 id="verdict-h">Verdict</h2>
            {!m.verdict ? <p class="muted">Not scored yet.</p> : (
              <>
                <p>
                  Score <strong>{m.verdict.score.toFixed(2)}</strong>: held at {m.verdict.thresholds.quarantine}, rejected at {m.verdict.thresholds.reject}.
                  {m.verdict.monitorOnly && ' Monitor-only mode: delivered regardless.'} Decided {fmtTime(m.verdict.decidedAt)}.
                </p>
                {m.verdict.signals.length === 0 ? <p class="muted">No signal fired.</p> : (
                  <div class="table-wrap">
                    <table class="signals">
                      <caption>Signals and their weights (positive pushes toward spam)</caption>
                      <thead><tr><th scope="col">Signal</th><th scope="col">Weight</th><th scope="col">Detail</th></tr></thead>
                      <tbody>
                        {[...m.verdict.signals].sort((a, b) => b.weight - a.weight).map((s) => (
                          <tr key={s.name + (s.detail ?? '')}>
                            <th scope="row"><code>{s.name}</code></th>
                            <td class="weight">
                              <span class={`wbar ${s.weight >= 0 ? 'pos' : 'neg'}`} style={{ width: `${(Math.abs(s.weight) / maxWeight) * 6}em` }} aria-hidden="true" />
                              {s.weight > 0 ? '+' : ''}{s.weight.toFixed(2)}
                            </td>
                            <td>{s.detail ?? ''}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </>
            )}
          </section>
          <MessageSource id={m.id} deleted={m.status === 'deleted'} />
          <section aria-labelledby="delivery-h" class="card">
            <h2 id="delivery-h">Delivery</h2>
            <div class="table-wrap">
              <table class="delivery">
                <thead><tr><th scope="col">Recipient</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Last attempt</th><th scope="col">Server</th><th scope="col">Last reply</th></tr></thead>
                <tbody>
                  {m.recipients.map((r) => (
                    <tr key={r.rcpt}>
                      <th scope="row">{r.rcpt}</th><td data-state={r.state}>{r.state}</td><td>{r.attempts}</td><td>{fmtTime(r.lastAttemptAt)}</td><td>{r.mx ?? '—'}</td><td><code>{r.reply ?? ''}</code></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {m.expiresAt && <p class="muted">Delivery gives up at {fmtTime(m.expiresAt)}.</p>}
            {m.dsnMessageId && <p>A delivery status notification was sent to the sender (<code>{m.dsnMessageId}</code>).</p>}
          </section>
        </>
      )}
      {action && m && (
        <ActionDialog
          title={action === 'release' ? 'Release this message?' : 'Delete this message?'}
          description={action === 'release'
            ? <p>It is delivered to its recipients as it is, despite the verdict.</p>
            : <p>Its content is deleted for good; the log keeps a record that it was deleted.</p>}
          confirmLabel={action === 'release' ? 'Release message' : 'Delete message'}
          danger={action === 'delete'}
          onConfirm={async () => {
            if (action === 'release') await api.post(`/v1/messages/${seg(m.id)}/release`);
            else await api.del(`/v1/messages/${seg(m.id)}`);
            setDone(action === 'release' ? 'Released: the message is on its way to delivery.' : 'Deleted.');
            msg.reload();
          }}
          onClose={() => setAction(undefined)}
        />
      )}
    </>
  );
}

/** The stored message as text, loaded only when asked for (it can be large). */
function MessageSource({ id, deleted }: { id: string; deleted: boolean }) {
  const { api } = useApp();
  const [source, setSource] = useState<{ raw: string; size: number; truncated: boolean } | undefined>();
  const load = useAction();
  if (deleted) return null;
  const missing = load.error instanceof ApiError && load.error.notAvailable;
  return (
    <section aria-labelledby="source-h" class="card">
      <h2 id="source-h">Message source</h2>
      {!source && (
        <button type="button" disabled={load.busy} onClick={async () => {
          const res = await load.run(() => api.get<{ raw: string; size: number; truncated: boolean }>(`/v1/messages/${seg(id)}/raw`));
          if (res) setSource(res);
        }}>{load.busy ? 'Loading…' : 'Show headers and body'}</button>
      )}
      {missing ? <Unavailable what="The message source" /> : <ErrorNotice error={load.error} />}
      {source && (
        <>
          {source.truncated && <p class="muted">Showing the first part of {fmtBytes(source.size)}.</p>}
          <pre class="source" tabIndex={0} aria-label="Message source text">{source.raw}</pre>
        </>
      )}
    </section>
  );
}
