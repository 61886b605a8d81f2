// The leaked-credential probe: attackers who bought a password often first
// send it to themselves to check that it works. At AUTH the ingress keeps a
// salted digest of the password for the session (never the password);
// after DATA it asks whether any token of the message text is that
// password. Only tokens of the password's exact length are hashed, so the
// check costs next to nothing. The result rides on the message record as an
// ingress signal `password-in-message` (core/pipeline/accept.ts), which the
// score step adds to the content signals.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface PasswordProbe {
  salt: Buffer;
  digest: Buffer;
  length: number;
}

/** Passwords shorter than this are not probed: short tokens collide with ordinary words. */
const MIN_LENGTH = 8;

export function makePasswordProbe(password: string): PasswordProbe | undefined {
  if (password.length < MIN_LENGTH) return undefined;
  const salt = randomBytes(16);
  return { salt, digest: digestOf(salt, password), length: password.length };
}

export function textContainsPassword(text: string, probe: PasswordProbe | undefined): boolean {
  if (!probe) return false;
  for (const token of text.split(/[\s"'<>()[\]{},;]+/)) {
    for (const candidate of expand(token)) {
      if (candidate.length === probe.length && timingSafeEqual(digestOf(probe.salt, candidate), probe.digest)) return true;
    }
  }
  return false;
}

/** "password:abc" and "pw=abc" carry the password after the separator. */
function expand(token: string): string[] {
  const out = [token];
  const i = token.search(/[:=]/);
  if (i >= 0) out.push(token.slice(i + 1));
  return out;
}

function digestOf(salt: Buffer, value: string): Buffer {
  return createHash('sha256').update(salt).update(value, 'utf8').digest();
}
