// Page sizes and cursors of the list queries (message log, suppression
// list): one rule for the API's bounds and every store that applies them.
import { DomainError } from './errors.js';

export const PAGE_SIZE = { default: 50, max: 500 } as const;

/** The page size a store serves for a requested `limit`: the default when none (or none usable) is given, then clamped to 1 … max. */
export function pageSize(limit: number | undefined): number {
  return Math.min(Math.max(Math.trunc(limit ?? PAGE_SIZE.default) || PAGE_SIZE.default, 1), PAGE_SIZE.max);
}

/** What every store answers for a cursor it did not hand out (tampered, truncated, or from another list): a 400, not a page from nowhere. */
export function foreignCursor(): DomainError {
  return new DomainError('VALIDATION', 'query.cursor: not a cursor this API gave out; start again without it');
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MESSAGE_ID = /^[\w-]{1,128}$/;

/** A message-log position (received time and id, as the message stores' cursors carry them) that a store can have handed out. */
export function isMessagePosition(receivedAt: string | undefined, id: string | undefined): boolean {
  return !!receivedAt && !!id && ISO_INSTANT.test(receivedAt) && MESSAGE_ID.test(id);
}
