import { useState } from 'preact/hooks';
import { seg } from '../api/client.js';
import type { IpUser, IpUserList, Me } from '../api/types.js';
import { ActionDialog, ErrorNotice, Loading, PageHeader, Success, useAction, useLoad } from '../components/ui.js';
import { useApp } from '../context.js';
import { fmtTime } from '../lib/format.js';

export function IpUsers() {
  const { api } = useApp();
  const list = useLoad(async () => {
    const [data, me] = await Promise.all([api.get<IpUserList | IpUser[]>('/v1/ip-users'), api.get<Me>('/v1/me')]);
    const items = Array.isArray(data) ? data : data.items;
    const quota = (!Array.isArray(data) && typeof data.quota === 'number') ? data.quota : me.ipUserQuota;
    return { items, quota };
  }, []);
  const [cidr, setCidr] = useState('');
  const [removing, setRemoving] = useState<IpUser | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const add = useAction();
  const used = list.data?.items.length ?? 0;
  const quota = list.data?.quota ?? 0;
  const left = Math.max(0, quota - used);

  return (
    <>
      <PageHeader title="IP users" />
      <p>Connections from these addresses relay without a login (for a shared hosting server). Reputation and locks still apply per sender address.</p>
      {list.data && (
        <div class="quota" role="status">
          <span><strong>{used}</strong> of <strong>{quota}</strong> used, <strong>{left}</strong> left</span>
          <progress max={Math.max(quota, 1)} value={Math.min(used, quota)} aria-label={`IP-user quota: ${used} of ${quota} used`} />
        </div>
      )}
      <form class="inline-form" onSubmit={async (e) => {
        e.preventDefault();
        setDone(undefined);
        const res = await add.run(() => api.post<IpUser>('/v1/ip-users', { cidr: cidr.trim() }));
        if (res) { setDone(`${res.cidr} added.`); setCidr(''); list.reload(); }
      }}>
        <label for="new-cidr">Address or CIDR range</label>
        <input id="new-cidr" name="cidr" required placeholder="192.0.2.10 or 2001:db8::/64" value={cidr} autocomplete="off"
          onInput={(e) => setCidr((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary" disabled={add.busy || (list.data !== undefined && left === 0)}>{add.busy ? 'Adding…' : 'Add IP user'}</button>
      </form>
      {list.data && left === 0 && <p class="muted">The quota is used up: remove an IP user or ask the operator to raise the quota.</p>}
      <ErrorNotice error={add.error} onDismiss={() => add.setError(undefined)} />
      {done && <Success>{done}</Success>}
      <ErrorNotice error={list.error} />
      {list.loading && !list.data && <Loading what="IP users" />}
      {list.data && list.data.items.length === 0 && <p class="muted">No IP users.</p>}
      {list.data && list.data.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Range</th><th scope="col">Id</th><th scope="col">Added</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list.data.items.map((u) => (
                <tr key={u.id}>
                  <th scope="row"><code>{u.cidr}</code></th><td><code>{u.id}</code></td><td>{fmtTime(u.createdAt)}</td>
                  <td class="actions"><button type="button" class="danger" aria-label={`Remove ${u.cidr}`} onClick={() => setRemoving(u)}>Remove</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {removing && (
        <ActionDialog title={`Remove ${removing.cidr}?`} confirmLabel="Remove IP user" danger
          description={<p>Connections from this range will need to log in again.</p>}
          onConfirm={async () => { await api.del(`/v1/ip-users/${seg(removing.id)}`); setDone(`${removing.cidr} removed.`); list.reload(); }}
          onClose={() => setRemoving(undefined)} />
      )}
    </>
  );
}
