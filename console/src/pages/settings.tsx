import { useEffect, useState } from 'preact/hooks';
import type { Settings } from '../api/types.js';
import { ErrorNotice, Loading, PageHeader, Success, useAction, useLoad } from '../components/ui.js';
import { useApp } from '../context.js';

interface Bulk { sender: string; hourlyVolume: string }
interface Form { quarantineThreshold: string; rejectThreshold: string; senderHourlyLimit: string; monitorOnly: boolean; webhookUrl: string; abuseContact: string; bulk: Bulk[] }

const toForm = (s: Settings): Form => ({
  quarantineThreshold: String(s.quarantineThreshold),
  rejectThreshold: String(s.rejectThreshold),
  senderHourlyLimit: String(s.senderHourlyLimit),
  monitorOnly: s.monitorOnly,
  webhookUrl: s.webhookUrl ?? '',
  abuseContact: s.abuseContact ?? '',
  bulk: (s.bulkSenders ?? []).map((b) => ({ sender: b.sender, hourlyVolume: String(b.hourlyVolume) })),
});

export function SettingsPage() {
  const { api } = useApp();
  const settings = useLoad(() => api.get<Settings>('/v1/settings'), []);
  const [form, setForm] = useState<Form | undefined>();
  const [saved, setSaved] = useState(false);
  const save = useAction();
  useEffect(() => { if (settings.data) setForm(toForm(settings.data)); }, [settings.data]);

  const setBulk = (bulk: Bulk[]) => { setSaved(false); setForm({ ...form!, bulk }); };
  const field = (k: Exclude<keyof Form, 'bulk'>) => (e: Event) => {
    const t = e.target as HTMLInputElement;
    setSaved(false);
    setForm({ ...form!, [k]: t.type === 'checkbox' ? t.checked : t.value });
  };

  return (
    <>
      <PageHeader title="Settings" />
      <ErrorNotice error={settings.error} />
      {settings.loading && !form && <Loading what="settings" />}
      {form && (
        <form class="settings" onSubmit={async (e) => {
          e.preventDefault();
          setSaved(false);
          const res = await save.run(() => api.patch<Settings>('/v1/settings', {
            quarantineThreshold: Number(form.quarantineThreshold),
            rejectThreshold: Number(form.rejectThreshold),
            senderHourlyLimit: Number(form.senderHourlyLimit),
            monitorOnly: form.monitorOnly,
            webhookUrl: form.webhookUrl.trim() || null,
            abuseContact: form.abuseContact.trim() || null,
            bulkSenders: form.bulk.length ? form.bulk.map((b) => ({ sender: b.sender.trim(), hourlyVolume: Number(b.hourlyVolume) })) : null,
          }));
          if (res) { setForm(toForm(res)); setSaved(true); }
        }}>
          <fieldset>
            <legend>Scoring thresholds</legend>
            <label>Hold in quarantine at score
              <input type="number" name="quarantineThreshold" step="0.1" min="0" max="1000" required value={form.quarantineThreshold} onInput={field('quarantineThreshold')} aria-describedby="q-help" />
            </label>
            <p id="q-help" class="muted">Messages scoring at or above this are held until you release or delete them.</p>
            <label>Reject at score
              <input type="number" name="rejectThreshold" step="0.1" min="0" max="1000" required value={form.rejectThreshold} onInput={field('rejectThreshold')} />
            </label>
            <label>Lock a sender after this many messages per hour (0 = no limit)
              <input type="number" name="senderHourlyLimit" step="1" min="0" required value={form.senderHourlyLimit} onInput={field('senderHourlyLimit')} />
            </label>
          </fieldset>
          <fieldset>
            <legend>Mode</legend>
            <label class="check">
              <input type="checkbox" name="monitorOnly" checked={form.monitorOnly} onChange={field('monitorOnly')} />
              Monitor only: record verdicts but deliver everything (for a trial)
            </label>
          </fieldset>
          <fieldset>
            <legend>Bulk senders</legend>
            <p class="muted">Senders allowed to send newsletters, with the volume they declared per hour: their volume is judged against it, not against the hourly limit.</p>
            {form.bulk.length === 0 && <p class="muted">None declared.</p>}
            {form.bulk.map((b, i) => (
              <div class="row bulk-row" key={i}>
                <label>Sender address<span class="sr-only"> {i + 1}</span>
                  <input type="email" required value={b.sender} onInput={(e) => setBulk(form.bulk.map((x, j) => (j === i ? { ...x, sender: (e.target as HTMLInputElement).value } : x)))} />
                </label>
                <label>Messages per hour<span class="sr-only"> for bulk sender {i + 1}</span>
                  <input type="number" min="1" max="1000000" step="1" required class="narrow" value={b.hourlyVolume} onInput={(e) => setBulk(form.bulk.map((x, j) => (j === i ? { ...x, hourlyVolume: (e.target as HTMLInputElement).value } : x)))} />
                </label>
                <button type="button" class="danger" aria-label={`Remove bulk sender ${b.sender || i + 1}`} onClick={() => setBulk(form.bulk.filter((_, j) => j !== i))}>Remove</button>
              </div>
            ))}
            <button type="button" onClick={() => setBulk([...form.bulk, { sender: '', hourlyVolume: '1000' }])}>Add bulk sender</button>
          </fieldset>
          <fieldset>
            <legend>Notifications</legend>
            <label>Notification webhook URL
              <input type="url" name="webhookUrl" placeholder="https://example.com/relayguard-hook" value={form.webhookUrl} onInput={field('webhookUrl')} aria-describedby="w-help" />
            </label>
            <p id="w-help" class="muted">Called (HMAC-signed) when a sender is locked or mail is held. Leave empty for none.</p>
            <label>Abuse contact
              <input type="email" name="abuseContact" placeholder="abuse@example.com" value={form.abuseContact} onInput={field('abuseContact')} />
            </label>
          </fieldset>
          <ErrorNotice error={save.error} />
          {saved && <Success>Settings saved.</Success>}
          <button type="submit" class="primary" disabled={save.busy}>{save.busy ? 'Saving…' : 'Save settings'}</button>
        </form>
      )}
    </>
  );
}
