import { useState } from 'preact/hooks';
import { ApiError, seg } from '../api/client.js';
import type { Suppression, SuppressionList } from '../api/types.js';
import { ActionDialog, ErrorNotice, Loading, PageHeader, Success, Unavailable, useAction, useLoad } from '../components/ui.js';
import { useApp } from '../context.js';
import { fmtTime } from '../lib/format.js';
import { href } from '../router.js';

const REASONS: Record<string, [string, string]> = {
  'hard-bounce': ['Hard bounce', 'bad'],
  complaint: ['Complaint', 'warn'],
  manual: ['Added by you', ''],
};

export function Suppressions() {
  const { api } = useApp();
  const [q, setQ] = useState('');
  const [applied, setApplied] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad(() => api.get<SuppressionList>('/v1/suppressions', { q: applied || undefined, limit: 50, cursor }), [applied, cursor]);
  const [address, setAddress] = useState('');
  const [note, setNote] = useState('');
  const [removing, setRemoving] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const add = useAction();
  // A gateway without the list answers 404 for the route itself ("no route" or "keeps no suppression list").
  const missing = list.error instanceof ApiError && (list.error.notAvailable || list.error.status === 404);
  const reload = () => { setCursors([undefined]); list.reload(); };

  return (
    <>
      <PageHeader title="Suppression list" />
      <p>Addresses that hard-bounced or complained, and those you added. Mail to them is not offered to the receiving server (it bounces at once), to protect your reputation. Remove an entry once the address works again.</p>
      {done && <Success>{done}</Success>}
      {missing
        ? <Unavailable what="The suppression list">The gateway needs <code>GET /v1/suppressions</code> and <code>DELETE /v1/suppressions/{'{address}'}</code>; ask your operator to upgrade.</Unavailable>
        : <ErrorNotice error={list.error} />}
      {!missing && (
        <>
          <form class="inline-form" onSubmit={async (e) => {
            e.preventDefault();
            setDone(undefined);
            const res = await add.run(() => api.post<Suppression>('/v1/suppressions', { address: address.trim(), ...(note.trim() ? { reason: note.trim() } : {}) }));
            if (res) { setDone(`${res.address} is on the suppression list.`); setAddress(''); setNote(''); reload(); }
          }}>
            <label for="sup-address">Address to suppress</label>
            <input id="sup-address" type="email" required value={address} placeholder="bob@example.net" onInput={(e) => setAddress((e.target as HTMLInputElement).value)} />
            <label for="sup-note">Note</label>
            <input id="sup-note" value={note} placeholder="optional" onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
            <button type="submit" class="primary" disabled={add.busy}>{add.busy ? 'Adding…' : 'Add address'}</button>
          </form>
          <ErrorNotice error={add.error} onDismiss={() => add.setError(undefined)} />
          <form class="inline-form" role="search" onSubmit={(e) => { e.preventDefault(); setCursors([undefined]); if (q.trim() === applied) list.reload(); else setApplied(q.trim()); }}>
            <label for="sup-q">Search addresses</label>
            <input id="sup-q" type="search" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
            <button type="submit">Search</button>
          </form>
        </>
      )}
      {list.loading && !list.data && <Loading what="the suppression list" />}
      {list.data && list.data.items.length === 0 && <p class="muted">{applied ? 'No suppressed address matches.' : 'No suppressed addresses.'}</p>}
      {list.data && list.data.items.length > 0 && (
        <div class="table-wrap">
          <table class="suppressions stack">
            <thead><tr><th scope="col">Address</th><th scope="col">Why</th><th scope="col">Since</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list.data.items.map((s) => {
                const [label, cls] = REASONS[s.reason] ?? [s.reason, ''];
                return (
                  <tr key={s.address} data-address={s.address}>
                    <th scope="row">{s.address}</th>
                    <td data-label="Why">
                      <span class={`badge ${cls}`} data-reason={s.reason}>{label}</span>{' '}
                      {s.detail && <span class="small">{s.detail}</span>}
                      {s.messageId && <div class="small"><a href={href(`/messages/${encodeURIComponent(s.messageId)}`)}>The message</a></div>}
                    </td>
                    <td data-label="Since">{fmtTime(s.createdAt)}</td>
                    <td class="actions"><button type="button" onClick={() => setRemoving(s.address)} aria-label={`Remove ${s.address} from the suppression list`}>Remove</button></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {list.data && (cursors.length > 1 || list.data.cursor) && (
        <nav class="pager" aria-label="Pages">
          <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
          <button type="button" disabled={!list.data.cursor} onClick={() => setCursors([...cursors, list.data!.cursor])}>Next page</button>
        </nav>
      )}
      {removing && (
        <ActionDialog title={`Remove ${removing} from the list?`} confirmLabel="Remove entry"
          description={<p>Mail to this address will be attempted again. If it still bounces it returns to the list.</p>}
          onConfirm={async () => { await api.del(`/v1/suppressions/${seg(removing)}`); setDone(`${removing} removed from the suppression list.`); list.reload(); }}
          onClose={() => setRemoving(undefined)} />
      )}
    </>
  );
}
