// Chart.js charts with an accessible name and the same numbers as a table
// (inside <details>) for screen readers and for copying.
import {
  BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration, type ChartDataset,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip, Filler);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.color = '#1f2933';

/** Colours with at least 3:1 contrast against white, distinguishable in the common colour-vision deficiencies. */
export const COLORS = {
  deliver: '#1b7f3b',
  quarantine: '#b35c00',
  reject: '#b3261e',
  pending: '#5b6770',
  accent: '#1f5fbf',
} as const;

export interface Series {
  label: string;
  data: number[];
  color: string;
}

function useChart(config: () => ChartConfiguration, deps: unknown[]) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    chart.current?.destroy();
    chart.current = new Chart(canvas.current, config());
    return () => { chart.current?.destroy(); chart.current = null; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return canvas;
}

export function BarChart({ id, title, labels, series, stacked, horizontal, height = 260 }: {
  id: string;
  title: string;
  labels: string[];
  series: Series[];
  stacked?: boolean;
  horizontal?: boolean;
  height?: number;
}) {
  const key = JSON.stringify([labels, series, stacked, horizontal]);
  const canvas = useChart(() => ({
    type: 'bar',
    data: {
      labels,
      datasets: series.map((s): ChartDataset<'bar'> => ({ label: s.label, data: s.data, backgroundColor: s.color, borderColor: s.color })),
    },
    options: {
      indexAxis: horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: series.length > 1, position: 'bottom' } },
      scales: {
        x: { stacked, ticks: { precision: 0, maxRotation: 0, autoSkip: true } },
        y: { stacked, beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  }), [key]);
  const total = series.reduce((n, s) => n + s.data.reduce((a, b) => a + b, 0), 0);
  return (
    <figure class="chart" data-chart={id}>
      <figcaption>{title}</figcaption>
      <div class="chart-box" style={{ height: `${height}px` }}>
        <canvas ref={canvas} role="img" aria-label={`${title}: chart, ${total} in total; the table below has the numbers`} />
      </div>
      <details>
        <summary>Show the numbers</summary>
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">{horizontal ? 'Name' : 'Time'}</th>{series.map((s) => <th scope="col" key={s.label}>{s.label}</th>)}</tr></thead>
            <tbody>
              {labels.map((l, i) => (
                <tr key={l + i}><th scope="row">{l}</th>{series.map((s) => <td key={s.label}>{s.data[i] ?? 0}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** A tiny line chart of hourly volume, for a table cell. */
export function Sparkline({ data, label }: { data: number[]; label: string }) {
  const canvas = useChart(() => ({
    type: 'line',
    data: {
      labels: data.map((_, i) => String(i)),
      datasets: [{ data, borderColor: COLORS.accent, backgroundColor: 'rgba(31,95,191,0.15)', fill: true, pointRadius: 0, borderWidth: 1.5, tension: 0.3 }],
    },
    options: {
      responsive: false,
      animation: false,
      events: [],
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
      scales: { x: { display: false }, y: { display: false, beginAtZero: true } },
    },
  }), [data.join(',')]);
  const total = data.reduce((a, b) => a + b, 0);
  return <canvas class="spark" width={120} height={28} ref={canvas} role="img" aria-label={`${label}: ${total} messages in the last ${data.length} hours, peak ${Math.max(0, ...data)} per hour`} />;
}
