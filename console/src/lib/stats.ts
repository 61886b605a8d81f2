// Per-sender volume for the senders' sparklines, derived from the message log
// (the API's /v1/stats carries totals, not per-sender series). Pure functions.

export interface MessageLike {
  sender: string;
  receivedAt: string;
}

const HOUR = 3_600_000;

/** Start of the hour containing `t`, as epoch ms. */
export function hourStart(t: number): number {
  return Math.floor(t / HOUR) * HOUR;
}

/** Per-sender message counts per hour over the last `hours` hours ending with the hour of `now` (oldest first). */
export function senderSparklines(messages: MessageLike[], now: Date, hours = 24): Map<string, number[]> {
  const first = hourStart(now.getTime()) - (hours - 1) * HOUR;
  const out = new Map<string, number[]>();
  for (const m of messages) {
    const slot = (hourStart(Date.parse(m.receivedAt)) - first) / HOUR;
    if (!Number.isFinite(slot) || slot < 0 || slot >= hours) continue;
    let series = out.get(m.sender);
    if (!series) { series = Array.from({ length: hours }, () => 0); out.set(m.sender, series); }
    series[slot]! += 1;
  }
  return out;
}
