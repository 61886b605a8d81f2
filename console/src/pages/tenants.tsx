import { useState } from 'preact/hooks';
import { itemsOf, seg } from '../api/client.js';
import type { Tenant, TenantWithToken } from '../api/types.js';
import { ActionDialog, ErrorNotice, Loading, PageHeader, SecretOnce, Success, useAction, useLoad } from '../components/ui.js';
import { useApp } from '../context.js';
import { fmtTime } from '../lib/format.js';

export function Tenants() {
  const { api } = useApp();
  const list = useLoad(async () => itemsOf<Tenant>(await api.get('/v1/tenants')), []);
  const [name, setName] = useState('');
  const [quota, setQuota] = useState('5');
  const [created, setCreated] = useState<{ title: string; tenant: TenantWithToken } | undefined>();
  const [rotating, setRotating] = useState<Tenant | undefined>();
  const add = useAction();

  return (
    <>
      <PageHeader title="Tenants" />
      <form class="inline-form" onSubmit={async (e) => {
        e.preventDefault();
        const res = await add.run(() => api.post<TenantWithToken>('/v1/tenants', { name: name.trim(), ipUserQuota: Number(quota) }));
        if (res) { setCreated({ title: `Tenant ${res.name} created`, tenant: res }); setName(''); list.reload(); }
      }}>
        <label for="t-name">Tenant name</label>
        <input id="t-name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} autocomplete="off" />
        <label for="t-quota">IP-user quota</label>
        <input id="t-quota" type="number" min="0" max="10000" required value={quota} onInput={(e) => setQuota((e.target as HTMLInputElement).value)} class="narrow" />
        <button type="submit" class="primary" disabled={add.busy}>{add.busy ? 'Creating…' : 'Create tenant'}</button>
      </form>
      <ErrorNotice error={add.error} onDismiss={() => add.setError(undefined)} />
      {created && (
        <SecretOnce title={created.title} onDone={() => setCreated(undefined)} rows={[
          { label: 'Tenant id', value: created.tenant.id },
          { label: 'Tenant token', value: created.tenant.token, secret: true },
        ]}>
          <p>Give the token to the tenant: it signs in to this console and the API with it.</p>
        </SecretOnce>
      )}
      <ErrorNotice error={list.error} />
      {list.loading && !list.data && <Loading what="tenants" />}
      {list.data && list.data.length === 0 && <p class="muted">No tenants yet.</p>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Created</th><th scope="col">IP-user quota</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>{list.data.map((t) => <TenantRow key={t.id} t={t} onSaved={list.reload} onRotate={() => setRotating(t)} />)}</tbody>
          </table>
        </div>
      )}
      {rotating && (
        <ActionDialog title={`New token for ${rotating.name}?`} confirmLabel="Rotate token" danger
          description={<p>The tenant's current token stops working at once: its console sessions and API scripts must use the new one.</p>}
          onConfirm={async () => {
            const res = await api.post<TenantWithToken>(`/v1/tenants/${seg(rotating.id)}/token`);
            setCreated({ title: `New token for ${res.name}`, tenant: res });
          }}
          onClose={() => setRotating(undefined)} />
      )}
    </>
  );
}

function TenantRow({ t, onSaved, onRotate }: { t: Tenant; onSaved: () => void; onRotate: () => void }) {
  const { api } = useApp();
  const [quota, setQuota] = useState(String(t.ipUserQuota));
  const [saved, setSaved] = useState(false);
  const save = useAction();
  return (
    <tr data-tenant={t.id}>
      <th scope="row">{t.name}</th>
      <td><code>{t.id}</code></td>
      <td>{fmtTime(t.createdAt)}</td>
      <td>
        <form class="row" onSubmit={async (e) => {
          e.preventDefault();
          setSaved(false);
          const res = await save.run(() => api.patch<Tenant>(`/v1/tenants/${seg(t.id)}`, { ipUserQuota: Number(quota) }));
          if (res) { setSaved(true); onSaved(); }
        }}>
          <label class="sr-only" for={`q-${t.id}`}>IP-user quota of {t.name}</label>
          <input id={`q-${t.id}`} class="narrow" type="number" min="0" max="10000" required value={quota} onInput={(e) => { setSaved(false); setQuota((e.target as HTMLInputElement).value); }} />
          <button type="submit" disabled={save.busy || quota === String(t.ipUserQuota)}>Set quota</button>
        </form>
        <ErrorNotice error={save.error} />
        {saved && <Success>Quota set.</Success>}
      </td>
      <td class="actions"><button type="button" onClick={onRotate} aria-label={`Rotate token of ${t.name}`}>Rotate token</button></td>
    </tr>
  );
}
