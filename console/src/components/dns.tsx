import type { DnsRecord, SmtpEndpoint } from '../api/types.js';
import { CopyButton } from './ui.js';

export function DnsRecords({ records }: { records: DnsRecord[] }) {
  return (
    <div class="table-wrap">
      <table class="dns">
        <caption>DNS records to publish</caption>
        <thead><tr><th scope="col">Type</th><th scope="col">Name</th><th scope="col">Value</th><th scope="col">Why</th></tr></thead>
        <tbody>
          {records.map((r) => (
            <tr key={r.name + r.value}>
              <td>{r.type}</td>
              <td><code>{r.name}</code></td>
              <td class="dns-value"><code>{r.value}</code> <CopyButton value={r.value} label={`${r.name} value`} /></td>
              <td>{r.purpose}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SmtpSettings({ smtp, username }: { smtp?: SmtpEndpoint; username: string }) {
  const host = smtp?.host ?? location.hostname;
  return (
    <dl class="kv smtp-settings" aria-label="SMTP settings">
      <div><dt>Server</dt><dd><code>{host}</code></dd></div>
      <div><dt>Port</dt><dd><code>{smtp?.port ?? 587}</code> (submission)</dd></div>
      <div><dt>Encryption</dt><dd>STARTTLS (required before login)</dd></div>
      <div><dt>Authentication</dt><dd>PLAIN or LOGIN, user name <code>{username}</code></dd></div>
    </dl>
  );
}
