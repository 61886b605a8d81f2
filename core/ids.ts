import { randomBytes } from 'node:crypto';

/**
 * Time-ordered, URL-safe ids (like ULID): 9 base-36 characters of
 * milliseconds, then 12 random ones. Sorting by id sorts by arrival.
 */
export function newId(now: Date = new Date()): string {
  const time = now.getTime().toString(36).padStart(9, '0');
  const rand = randomBytes(8).readBigUInt64BE().toString(36).padStart(13, '0').slice(0, 12);
  return time + rand;
}
