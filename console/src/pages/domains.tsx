import { useState } from 'preact/hooks';
import { itemsOf, seg } from '../api/client.js';
import type { Domain, DomainCreated, Me } from '../api/types.js';
import { DnsRecords, SmtpSettings } from '../components/dns.js';
import { ActionDialog, ErrorNotice, Loading, PageHeader, SecretOnce, Success, useAction, useLoad } from '../components/ui.js';
import { useApp } from '../context.js';
import { fmtTime } from '../lib/format.js';

export function Domains() {
  const { api } = useApp();
  const list = useLoad(async () => itemsOf<Domain>(await api.get('/v1/domains')), []);
  const me = useLoad(() => api.get<Me>('/v1/me'), []);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<DomainCreated | undefined>();
  const [removing, setRemoving] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const add = useAction();

  return (
    <>
      <PageHeader title="Domains" />
      <p>Adding a domain creates its <em>domain user</em>: the login a mail server relays with. Its password is shown once.</p>
      <form class="inline-form" onSubmit={async (e) => {
        e.preventDefault();
        setDone(undefined);
        const res = await add.run(() => api.post<DomainCreated>('/v1/domains', { domain: name.trim() }));
        if (res) { setCreated(res); setName(''); list.reload(); }
      }}>
        <label for="new-domain">Domain name</label>
        <input id="new-domain" name="domain" required placeholder="example.com" value={name} autocomplete="off"
          onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary" disabled={add.busy}>{add.busy ? 'Adding…' : 'Add domain'}</button>
      </form>
      <ErrorNotice error={add.error} onDismiss={() => add.setError(undefined)} />
      {done && <Success>{done}</Success>}
      {created && (
        <SecretOnce
          title={`${created.domain} added`}
          rows={[{ label: 'SMTP user name', value: created.domainUser.username }, { label: 'SMTP password', value: created.domainUser.password, secret: true }]}
          onDone={() => setCreated(undefined)}
        >
          <h3>SMTP settings for the sending server</h3>
          <SmtpSettings smtp={me.data?.smtp} username={created.domainUser.username} />
          <h3>DNS</h3>
          <DnsRecords records={created.dnsRecords} />
        </SecretOnce>
      )}
      <ErrorNotice error={list.error} />
      {list.loading && !list.data && <Loading what="domains" />}
      {list.data && list.data.length === 0 && <p class="muted">No domains yet. Add the domain your mail is sent from.</p>}
      {list.data && list.data.length > 0 && (
        <ul class="cards" aria-label="Your domains">
          {list.data.map((d) => (
            <li key={d.domain} class="card" data-domain={d.domain}>
              <div class="row spread">
                <h2 class="h-inline">{d.domain}</h2>
                <button type="button" class="danger" onClick={() => setRemoving(d.domain)} aria-label={`Remove ${d.domain}`}>Remove</button>
              </div>
              <p class="muted">Added {fmtTime(d.createdAt)} · DKIM selector <code>{d.dkimSelector}</code></p>
              <details>
                <summary>DNS records and SMTP settings</summary>
                <SmtpSettings smtp={me.data?.smtp} username={d.domain} />
                <DnsRecords records={d.dnsRecords} />
              </details>
            </li>
          ))}
        </ul>
      )}
      {removing && (
        <ActionDialog
          title={`Remove ${removing}?`}
          description={<p>Its domain user and every mailbox user under it are removed too, and mail from it is no longer accepted.</p>}
          confirmLabel="Remove domain"
          danger
          onConfirm={async () => {
            const res = await api.del<{ removedUsers?: string[] }>(`/v1/domains/${seg(removing)}`);
            const n = res?.removedUsers?.length;
            setDone(`${removing} removed${n ? ` with ${n} user${n === 1 ? '' : 's'}` : ''}.`);
            list.reload();
          }}
          onClose={() => setRemoving(undefined)}
        />
      )}
    </>
  );
}
