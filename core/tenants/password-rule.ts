// The rule for a password the tenant chooses (a CSV bulk import moving
// existing mailboxes over). Generated passwords need no rule; a chosen one is
// what a password-guessing bot tries first, and a guessed login is exactly
// the compromised sender this gateway exists to stop. Length does most of the
// work; the other checks refuse the guesses every bot list starts with.
import { DomainError } from '../errors.js';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** The rule in one sentence, for the API's 400 and the OpenAPI description. */
export const PASSWORD_RULE = `A chosen password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, `
  + 'must not be or contain the username (nor be its local part or domain), '
  + 'must mix at least two kinds of characters (lower-case letters, upper-case letters, digits, others) '
  + 'and must not contain control characters; leave it out to have one generated';

const CLASSES = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u];

/** Why `password` breaks the rule for `username` (canonical, lower-case), or undefined when it is fine. */
function passwordProblem(password: string, username: string): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) return `it has ${length} characters`;
  // NUL ends an AUTH PLAIN field, and other control characters do not survive every mail client.
  if (/\p{Cc}/u.test(password)) return 'it contains a control character';
  const lower = password.toLowerCase();
  const at = username.lastIndexOf('@');
  const parts = at > 0 ? [username.slice(0, at), username.slice(at + 1)] : [];
  if (lower.includes(username) || parts.includes(lower)) return 'it is or contains the username';
  if (CLASSES.filter((c) => c.test(password)).length < 2) return 'it uses only one kind of character';
  return undefined;
}

/** Throws VALIDATION naming what is wrong and stating the whole rule. */
export function checkChosenPassword(password: string, username: string): void {
  const problem = passwordProblem(password, username);
  if (problem) throw new DomainError('VALIDATION', `The password was refused: ${problem}. ${PASSWORD_RULE}.`);
}
