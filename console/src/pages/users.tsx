import { useState } from 'preact/hooks';
import { describeError, itemsOf, seg } from '../api/client.js';
import type { Credentials, SmtpUser } from '../api/types.js';
import { ActionDialog, ErrorNotice, Loading, PageHeader, SecretOnce, Success, useAction, useLoad } from '../components/ui.js';
import { useApp } from '../context.js';
import { planUserImport, toCsv, type ImportPlan } from '../lib/csv.js';
import { fmtTime } from '../lib/format.js';
import { downloadText } from '../lib/download.js';

export function Users() {
  const { api } = useApp();
  const list = useLoad(async () => itemsOf<SmtpUser>(await api.get('/v1/users')), []);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<{ title: string; creds: Credentials } | undefined>();
  const [confirm, setConfirm] = useState<{ kind: 'rotate' | 'remove'; username: string } | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const add = useAction();

  return (
    <>
      <PageHeader title="Mailbox users" />
      <p>A mailbox user is one address with its own password, for a person's mail client on port 587.</p>
      <form class="inline-form" onSubmit={async (e) => {
        e.preventDefault();
        setDone(undefined);
        const res = await add.run(() => api.post<Credentials>('/v1/users', { username: name.trim() }));
        if (res) { setSecret({ title: `${res.username} added`, creds: res }); setName(''); list.reload(); }
      }}>
        <label for="new-user">Email address</label>
        <input id="new-user" name="username" type="email" required placeholder="alice@example.com" value={name} autocomplete="off"
          onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary" disabled={add.busy}>{add.busy ? 'Adding…' : 'Add user'}</button>
      </form>
      <ErrorNotice error={add.error} onDismiss={() => add.setError(undefined)} />
      {done && <Success>{done}</Success>}
      {secret && (
        <SecretOnce title={secret.title} onDone={() => setSecret(undefined)} rows={[
          { label: 'User name', value: secret.creds.username },
          { label: 'Password', value: secret.creds.password, secret: true },
        ]} />
      )}
      <CsvImport onFinished={list.reload} />
      <h2>All SMTP users</h2>
      <ErrorNotice error={list.error} />
      {list.loading && !list.data && <Loading what="users" />}
      {list.data && list.data.length === 0 && <p class="muted">No users yet: add a domain first, then its mailboxes.</p>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap">
          <table class="users">
            <thead><tr><th scope="col">User name</th><th scope="col">Kind</th><th scope="col">Password changed</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list.data.map((u) => (
                <tr key={u.username} data-user={u.username}>
                  <th scope="row">{u.username}</th>
                  <td>{u.kind === 'domain' ? 'domain user' : 'mailbox'}</td>
                  <td>{fmtTime(u.passwordChangedAt)} <span class="muted">(v{u.passwordVersion})</span></td>
                  <td class="actions">
                    <button type="button" onClick={() => setConfirm({ kind: 'rotate', username: u.username })} aria-label={`Rotate password of ${u.username}`}>Rotate password</button>
                    {u.kind === 'mailbox' && (
                      <button type="button" class="danger" onClick={() => setConfirm({ kind: 'remove', username: u.username })} aria-label={`Remove ${u.username}`}>Remove</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {confirm?.kind === 'rotate' && (
        <ActionDialog
          title={`New password for ${confirm.username}?`}
          description={<p>The old password stops working at once; every client using it must be updated.</p>}
          confirmLabel="Rotate password"
          onConfirm={async () => {
            const creds = await api.post<Credentials>(`/v1/users/${seg(confirm.username)}/password`);
            setSecret({ title: `New password for ${creds.username}`, creds });
            list.reload();
          }}
          onClose={() => setConfirm(undefined)}
        />
      )}
      {confirm?.kind === 'remove' && (
        <ActionDialog
          title={`Remove ${confirm.username}?`}
          description={<p>Its login stops working at once.</p>}
          confirmLabel="Remove user"
          danger
          onConfirm={async () => {
            await api.del(`/v1/users/${seg(confirm.username)}`);
            setDone(`${confirm.username} removed.`);
            list.reload();
          }}
          onClose={() => setConfirm(undefined)}
        />
      )}
    </>
  );
}

interface RowResult { line: number; username: string; ok: boolean; message: string; password?: string }

/** Does POST /v1/users accept a chosen password? Read from the API's own OpenAPI document. */
async function acceptsPassword(api: ReturnType<typeof useApp>['api']): Promise<boolean> {
  try {
    const doc = await api.get<{ components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> } }>('/v1/openapi.json');
    return !!doc.components?.schemas?.CreateUserRequest?.properties?.password;
  } catch {
    return false;
  }
}

function CsvImport({ onFinished }: { onFinished: () => void }) {
  const { api } = useApp();
  const [plan, setPlan] = useState<ImportPlan | undefined>();
  const [fileName, setFileName] = useState('');
  const [results, setResults] = useState<RowResult[]>([]);
  const [progress, setProgress] = useState<string | undefined>();
  const [readError, setReadError] = useState<unknown>();

  const start = async () => {
    if (!plan) return;
    const withPassword = plan.rows.some((r) => r.password) && (await acceptsPassword(api));
    const out: RowResult[] = plan.problems.map((p) => ({ line: p.line, username: '', ok: false, message: `skipped: ${p.message}` }));
    let i = 0;
    for (const row of plan.rows) {
      setProgress(`Importing ${++i} of ${plan.rows.length}…`);
      try {
        const body = withPassword && row.password ? { username: row.username, password: row.password } : { username: row.username };
        const creds = await api.post<Credentials>('/v1/users', body);
        const note = row.password && !withPassword ? ' (the API does not accept chosen passwords: a new one was generated)' : '';
        out.push({ line: row.line, username: creds.username, ok: true, message: `created${note}`, password: creds.password });
      } catch (err) {
        out.push({ line: row.line, username: row.username, ok: false, message: describeError(err) });
      }
    }
    out.sort((a, b) => a.line - b.line);
    setResults(out);
    setProgress(undefined);
    setPlan(undefined);
    onFinished();
  };

  const ok = results.filter((r) => r.ok).length;
  return (
    <section class="card" aria-labelledby="import-h">
      <h2 id="import-h">Import from a CSV file</h2>
      <p class="muted">One user per line: <code>username,password</code>; the password column is optional. A header line is allowed.</p>
      <label for="csv-file">CSV file</label>
      <input id="csv-file" type="file" accept=".csv,text/csv,text/plain" onChange={async (e) => {
        const file = (e.target as HTMLInputElement).files?.[0];
        setResults([]);
        setReadError(undefined);
        if (!file) { setPlan(undefined); return; }
        try {
          setFileName(file.name);
          setPlan(planUserImport(await file.text()));
        } catch (err) { setReadError(err); }
      }} />
      <ErrorNotice error={readError} />
      {plan && (
        <div role="status">
          <p>{fileName}: {plan.rows.length} user{plan.rows.length === 1 ? '' : 's'} to import{plan.problems.length ? `, ${plan.problems.length} line${plan.problems.length === 1 ? '' : 's'} with problems` : ''}.</p>
          {plan.problems.length > 0 && <ul>{plan.problems.map((p) => <li key={p.line}>Line {p.line}: {p.message}</li>)}</ul>}
          <button type="button" class="primary" disabled={!!progress || plan.rows.length === 0} onClick={start}>Import {plan.rows.length} users</button>
        </div>
      )}
      {progress && <p role="status" aria-live="polite">{progress}</p>}
      {results.length > 0 && (
        <>
          <p role="status">{ok} of {results.length} rows imported. New passwords are shown once below.</p>
          <div class="table-wrap">
            <table class="import-report">
              <caption>Import report</caption>
              <thead><tr><th scope="col">Line</th><th scope="col">User name</th><th scope="col">Result</th><th scope="col">Password</th></tr></thead>
              <tbody>
                {results.map((r) => (
                  <tr key={r.line} class={r.ok ? 'ok' : 'bad'}>
                    <td>{r.line}</td><td>{r.username}</td><td>{r.ok ? '✓ ' : '✗ '}{r.message}</td><td>{r.password ? <code>{r.password}</code> : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <button type="button" onClick={() => downloadText('relayguard-import-report.csv', toCsv(['line', 'username', 'result', 'password'], results.map((r) => [r.line, r.username, r.message, r.password ?? ''])), 'text/csv')}>Download report (with passwords)</button>
        </>
      )}
    </section>
  );
}
