// Page sizes of the list queries (message log, suppression list): one rule
// for the API's bounds and every store that applies them.
export const PAGE_SIZE = { default: 50, max: 500 } as const;

/** The page size a store serves for a requested `limit`: the default when none (or none usable) is given, then clamped to 1 … max. */
export function pageSize(limit: number | undefined): number {
  return Math.min(Math.max(Math.trunc(limit ?? PAGE_SIZE.default) || PAGE_SIZE.default, 1), PAGE_SIZE.max);
}
