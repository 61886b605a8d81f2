import { randomFillSync } from 'node:crypto';

// Random bytes are drawn 4 KiB at a time: one CSPRNG call per 512 ids
// instead of one per id (an id is made for every accepted message).
const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

function random64(): bigint {
  if (offset + 8 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const v = pool.readBigUInt64BE(offset);
  offset += 8;
  return v;
}

/**
 * Time-ordered, URL-safe ids (like ULID): 9 base-36 characters of
 * milliseconds, then 12 random ones. Sorting by id sorts by arrival.
 */
export function newId(now: Date = new Date()): string {
  const time = now.getTime().toString(36).padStart(9, '0');
  const rand = random64().toString(36).padStart(13, '0').slice(0, 12);
  return time + rand;
}
