import { useState } from 'preact/hooks';
import { ApiError, itemsOf, seg } from '../api/client.js';
import type { Suppression } from '../api/types.js';
import { ActionDialog, ErrorNotice, Loading, PageHeader, Success, Unavailable, useLoad } from '../components/ui.js';
import { useApp } from '../context.js';
import { fmtTime } from '../lib/format.js';

export function Suppressions() {
  const { api } = useApp();
  const list = useLoad(async () => itemsOf<Suppression>(await api.get('/v1/suppressions')), []);
  const [removing, setRemoving] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const missing = list.error instanceof ApiError && list.error.notAvailable;

  return (
    <>
      <PageHeader title="Suppression list" />
      <p>Addresses that hard-bounced or complained. Mail to them is not sent, to protect your reputation. Remove an entry once the address works again.</p>
      {done && <Success>{done}</Success>}
      {missing
        ? <Unavailable what="The suppression list">The gateway needs <code>GET /v1/suppressions</code> and <code>DELETE /v1/suppressions/{'{address}'}</code>; ask your operator to upgrade.</Unavailable>
        : <ErrorNotice error={list.error} />}
      {list.loading && !list.data && <Loading what="the suppression list" />}
      {list.data && list.data.length === 0 && <p class="muted">No suppressed addresses.</p>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Address</th><th scope="col">Why</th><th scope="col">Since</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list.data.map((s) => (
                <tr key={s.address}>
                  <th scope="row">{s.address}</th>
                  <td>{s.type ? <span class="badge warn">{s.type}</span> : null} {s.reason}</td>
                  <td>{fmtTime(s.createdAt)}</td>
                  <td class="actions"><button type="button" onClick={() => setRemoving(s.address)} aria-label={`Remove ${s.address} from the suppression list`}>Remove</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
