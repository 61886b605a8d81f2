import type { Stats } from '../api/types.js';
import { BarChart, COLORS } from '../components/chart.js';
import { ErrorNotice, Loading, PageHeader, useLoad } from '../components/ui.js';
import { useApp } from '../context.js';
import { fmtHour, fmtTime } from '../lib/format.js';
import { hourStart } from '../lib/stats.js';
import { href } from '../router.js';

export function Dashboard() {
  const { api } = useApp();
  const stats = useLoad(() => api.get<Stats>('/v1/stats'), []);
  const s = stats.data;
  return (
    <>
      <PageHeader title="Dashboard"><button type="button" onClick={stats.reload} disabled={stats.loading}>Refresh</button></PageHeader>
      <ErrorNotice error={stats.error} />
      {!s && stats.loading && <Loading what="the last 24 hours" />}
      {s && <DashboardBody s={s} />}
    </>
  );
}

function DashboardBody({ s }: { s: Stats }) {
  const labels = s.hourly.map((h) => fmtHour(Date.parse(h.hour)));
  // Locks per hour, in the same 24 slots as the message chart.
  const first = s.hourly.length ? Date.parse(s.hourly[0]!.hour) : 0;
  const lockCounts = s.hourly.map(() => 0);
  for (const l of s.locks) {
    const slot = (hourStart(Date.parse(l.lockedAt)) - first) / 3_600_000;
    if (slot >= 0 && slot < lockCounts.length) lockCounts[slot]! += 1;
  }
  const t = s.totals;
  return (
    <>
      <ul class="tiles" aria-label="Totals for the last 24 hours">
        <li><span class="n">{t.messages}</span> messages</li>
        <li class="t-deliver"><span class="n">{t.deliver}</span> delivered</li>
        <li class="t-quarantine"><span class="n">{t.quarantine}</span> <a href={href('/messages?verdict=quarantine')}>quarantined</a></li>
        <li class="t-reject"><span class="n">{t.reject}</span> rejected</li>
        <li><span class="n">{s.locks.filter((l) => l.active).length}</span> <a href={href('/senders')}>senders locked</a></li>
      </ul>
      {s.truncated && <p class="notice info" role="status">More mail than the dashboard reads at once: the figures are a lower bound.</p>}
      <div class="grid2">
        <BarChart id="hourly" title="Messages per hour by verdict (last 24 hours)" labels={labels} stacked series={[
          { label: 'Delivered', data: s.hourly.map((h) => h.deliver), color: COLORS.deliver },
          { label: 'Quarantined', data: s.hourly.map((h) => h.quarantine), color: COLORS.quarantine },
          { label: 'Rejected', data: s.hourly.map((h) => h.reject), color: COLORS.reject },
          { label: 'Not scored yet', data: s.hourly.map((h) => h.unscored), color: COLORS.pending },
        ]} />
        <BarChart id="top-senders" title="Top senders (last 24 hours)" horizontal stacked
          labels={s.topSenders.map((x) => x.sender)}
          height={Math.max(160, 34 * s.topSenders.length + 60)}
          series={[
            { label: 'Delivered or pending', data: s.topSenders.map((x) => x.messages - x.quarantined - x.rejected), color: COLORS.accent },
            { label: 'Quarantined', data: s.topSenders.map((x) => x.quarantined), color: COLORS.quarantine },
            { label: 'Rejected', data: s.topSenders.map((x) => x.rejected), color: COLORS.reject },
          ]} />
        <BarChart id="locks" title="Sender locks per hour (last 24 hours)" labels={labels}
          series={[{ label: 'Locks', data: lockCounts, color: COLORS.reject }]} height={200} />
        <section aria-labelledby="locks-h" class="card">
          <h2 id="locks-h">Locks in the last 24 hours</h2>
          {s.locks.length === 0 ? <p class="muted">No sender was locked in the last 24 hours.</p> : (
            <ul class="plain">
              {s.locks.map((l) => (
                <li key={l.sender + l.lockedAt}>
                  <a href={href(`/senders?q=${encodeURIComponent(l.sender)}`)}>{l.sender}</a>{' '}
                  <span class={`badge ${l.active ? 'bad' : ''}`}>{l.active ? 'locked' : 'lifted'}</span>{' '}
                  <span class="muted">{l.by === 'auto' ? 'automatically' : 'by hand'}, {fmtTime(l.lockedAt)}</span>
                  <div class="reason">{l.reason}</div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
