import { useState } from 'preact/hooks';
import type { Query } from '../api/client.js';
import type { Message, MessageList } from '../api/types.js';
import { ErrorNotice, Loading, PageHeader, useAction, useLoad } from '../components/ui.js';
import { useApp } from '../context.js';
import { toCsv } from '../lib/csv.js';
import { downloadText } from '../lib/download.js';
import { fmtBytes, fmtTime, fromLocalInput, toLocalInput } from '../lib/format.js';
import { href, navigate } from '../router.js';

const RANGES: [string, string, number][] = [
  ['24h', 'Last 24 hours', 1],
  ['7d', 'Last 7 days', 7],
  ['30d', 'Last 30 days', 30],
  ['90d', 'Last 90 days', 90],
  ['custom', 'Custom range', 0],
];
const VERDICT_OPTIONS = ['deliver', 'quarantine', 'reject'];
const STATUS_OPTIONS = ['accepted', 'queued', 'delivering', 'delivered', 'partially-delivered', 'bounced', 'quarantined', 'rejected', 'released', 'deleted'];
const FIELDS = ['sender', 'recipient', 'subject', 'verdict', 'status', 'range', 'since', 'until', 'limit'] as const;
const PAGE_SIZES = ['10', '50', '100', '200'];
const EXPORT_MAX = 10_000;

type Filters = Record<(typeof FIELDS)[number], string>;

function filtersFrom(params: URLSearchParams): Filters {
  const f = Object.fromEntries(FIELDS.map((k) => [k, params.get(k) ?? ''])) as Filters;
  if (!f.range) f.range = '30d';
  const n = Number(f.limit);
  if (!Number.isInteger(n) || n < 1 || n > 500) f.limit = '50'; // any size the API takes may come from a link
  return f;
}

/** The API query for a set of filters: a preset range becomes `since`. */
function queryFor(f: Filters, now = Date.now()): Query {
  const preset = RANGES.find(([k]) => k === f.range);
  const since = f.range === 'custom' ? f.since || undefined : new Date(now - (preset?.[2] ?? 30) * 86_400_000).toISOString();
  const until = f.range === 'custom' ? f.until || undefined : undefined;
  return { sender: f.sender || undefined, recipient: f.recipient || undefined, subject: f.subject || undefined, verdict: f.verdict || undefined, status: f.status || undefined, since, until };
}

export function VerdictBadge({ m }: { m: Pick<Message, 'verdict'> }) {
  if (!m.verdict) return <span class="badge">not scored</span>;
  const cls = { deliver: 'good', quarantine: 'warn', reject: 'bad' }[m.verdict.verdict];
  return <span class={`badge ${cls}`} data-verdict={m.verdict.verdict}>{m.verdict.verdict} {m.verdict.score.toFixed(1)}</span>;
}

export function Messages({ params }: { params: URLSearchParams }) {
  const { api } = useApp();
  const applied = filtersFrom(params);
  const [draft, setDraft] = useState<Filters>(applied);
  // Cursors of the pages before the current one, for "Previous".
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const key = FIELDS.map((k) => applied[k]).join('|');
  const page = useLoad(() => api.get<MessageList>('/v1/messages', { ...queryFor(applied), limit: Number(applied.limit), cursor }), [key, cursor]);
  const exporter = useAction();
  const [exportNote, setExportNote] = useState<string | undefined>();

  const set = (k: keyof Filters) => (e: Event) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value });
  const apply = (e: Event) => {
    e.preventDefault();
    setCursors([undefined]);
    const before = location.hash;
    navigate('/messages', { ...draft, range: draft.range === '30d' ? undefined : draft.range, limit: draft.limit === '50' ? undefined : draft.limit });
    if (location.hash === before) page.reload(); // same search again: fetch it anew
  };

  const exportCsv = () => exporter.run(async () => {
    const rows: Message[] = [];
    let next: string | undefined;
    do {
      setExportNote(`Reading the log… ${rows.length} messages so far`);
      const res = await api.get<MessageList>('/v1/messages', { ...queryFor(applied), limit: 500, cursor: next });
      rows.push(...res.items);
      next = res.cursor;
    } while (next && rows.length < EXPORT_MAX);
    const csv = toCsv(
      ['id', 'receivedAt', 'sender', 'mailFrom', 'recipients', 'subject', 'verdict', 'score', 'status', 'size', 'clientIp', 'messageId'],
      rows.map((m) => [m.id, m.receivedAt, m.sender, m.envelope.mailFrom, m.envelope.rcptTo.join(' '), m.subject ?? '', m.verdict?.verdict ?? '', m.verdict?.score ?? '', m.status, m.size, m.clientIp, m.messageId ?? '']),
    );
    downloadText(`relayguard-messages-${new Date().toISOString().slice(0, 10)}.csv`, csv, 'text/csv');
    setExportNote(`Exported ${rows.length} message${rows.length === 1 ? '' : 's'}${next ? ` (stopped at ${EXPORT_MAX}; narrow the search for the rest)` : ''}.`);
  });

  return (
    <>
      <PageHeader title="Message log">
        <button type="button" onClick={exportCsv} disabled={exporter.busy}>{exporter.busy ? 'Exporting…' : 'Export CSV'}</button>
      </PageHeader>
      <form class="filters" role="search" aria-label="Search the message log" onSubmit={apply}>
        <label>Sender<input name="sender" value={draft.sender} onInput={set('sender')} placeholder="address" /></label>
        <label>Recipient<input name="recipient" value={draft.recipient} onInput={set('recipient')} placeholder="address" /></label>
        <label>Subject contains<input name="subject" value={draft.subject} onInput={set('subject')} /></label>
        <label>Verdict
          <select name="verdict" value={draft.verdict} onChange={set('verdict')}>
            <option value="">any</option>
            {VERDICT_OPTIONS.map((v) => <option key={v} value={v}>{v}</option>)}
          </select>
        </label>
        <label>Status
          <select name="status" value={draft.status} onChange={set('status')}>
            <option value="">any</option>
            {STATUS_OPTIONS.map((v) => <option key={v} value={v}>{v}</option>)}
          </select>
        </label>
        <label>Time range
          <select name="range" value={draft.range} onChange={set('range')}>
            {RANGES.map(([k, label]) => <option key={k} value={k}>{label}</option>)}
          </select>
        </label>
        {draft.range === 'custom' && (
          <>
            <label>From<input type="datetime-local" name="since" value={toLocalInput(draft.since)} onInput={(e) => setDraft({ ...draft, since: fromLocalInput((e.target as HTMLInputElement).value) ?? '' })} /></label>
            <label>Until<input type="datetime-local" name="until" value={toLocalInput(draft.until)} onInput={(e) => setDraft({ ...draft, until: fromLocalInput((e.target as HTMLInputElement).value) ?? '' })} /></label>
          </>
        )}
        <label>Per page
          <select name="limit" value={draft.limit} onChange={set('limit')}>
            {(PAGE_SIZES.includes(draft.limit) ? PAGE_SIZES : [draft.limit, ...PAGE_SIZES]).map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        <div class="row">
          <button type="submit" class="primary">Search</button>
          <button type="button" onClick={() => { setDraft(filtersFrom(new URLSearchParams())); setCursors([undefined]); navigate('/messages'); }}>Clear</button>
        </div>
      </form>
      <ErrorNotice error={exporter.error} />
      {exportNote && <p role="status" class="muted">{exportNote}</p>}
      <ErrorNotice error={page.error} />
      {page.loading && !page.data && <Loading what="messages" />}
      {page.data && (
        <>
          <p class="muted" role="status">{page.data.items.length === 0 ? 'No message matches.' : `Page ${cursors.length}: ${page.data.items.length} message${page.data.items.length === 1 ? '' : 's'}, newest first.`}</p>
          {page.data.items.length > 0 && (
            <div class="table-wrap">
              <table class="messages stack">
                <thead><tr>
                  <th scope="col">Received</th><th scope="col">Sender</th><th scope="col">Recipients</th><th scope="col">Subject</th><th scope="col">Verdict</th><th scope="col">Status</th><th scope="col">Size</th>
                </tr></thead>
                <tbody>
                  {page.data.items.map((m) => (
                    <tr key={m.id} data-message={m.id}>
                      <td data-label="Received">{fmtTime(m.receivedAt)}</td>
                      <td data-label="Sender">{m.sender}</td>
                      <td data-label="Recipients">{m.envelope.rcptTo.join(', ')}</td>
                      <td data-label="Subject"><a href={href(`/messages/${encodeURIComponent(m.id)}`)}>{m.subject || '(no subject)'}</a></td>
                      <td data-label="Verdict"><VerdictBadge m={m} /></td>
                      <td data-label="Status"><span class="status" data-status={m.status}>{m.status}</span></td>
                      <td data-label="Size">{fmtBytes(m.size)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav class="pager" aria-label="Pages">
            <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
            <button type="button" disabled={!page.data.cursor} onClick={() => setCursors([...cursors, page.data!.cursor])}>Next page</button>
          </nav>
        </>
      )}
    </>
  );
}
