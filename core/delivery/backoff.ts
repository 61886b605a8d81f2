// When a deferred message is tried again. The schedule starts short (most
// 4xx answers are greylisting, which clears within minutes) and levels off
// at four hours, so a two-day retry window costs about fifteen attempts.

/** Seconds to wait after attempt 1, 2, 3...; the last value repeats. */
export const DEFAULT_BACKOFF_SECONDS: readonly number[] = [60, 300, 900, 1800, 3600, 7200, 14400];

/** Delay before the attempt after `attempt` (1-based), from `schedule`. */
export function backoffSeconds(attempt: number, schedule: readonly number[] = DEFAULT_BACKOFF_SECONDS): number {
  if (schedule.length === 0) throw new Error('backoff schedule is empty: give at least one delay in seconds');
  const index = Math.min(Math.max(1, Math.floor(attempt)), schedule.length) - 1;
  return schedule[index]!;
}

export type RetryDecision = { retry: true; delaySeconds: number } | { retry: false };

/**
 * After attempt `attempt` left recipients deferred: retry after the next
 * backoff step, shortened so the last try lands on the expiry time itself;
 * once the expiry has passed, give up (the caller bounces what is left).
 */
export function decideRetry(now: Date, attempt: number, expiresAt: Date, schedule?: readonly number[]): RetryDecision {
  const left = Math.floor((expiresAt.getTime() - now.getTime()) / 1000);
  if (left <= 0) return { retry: false };
  return { retry: true, delaySeconds: Math.max(1, Math.min(backoffSeconds(attempt, schedule), left)) };
}

/** When delivery of a message received at `receivedAt` stops being retried. */
export function deliveryExpiry(receivedAt: string, retrySeconds: number): string {
  return new Date(new Date(receivedAt).getTime() + retrySeconds * 1000).toISOString();
}
