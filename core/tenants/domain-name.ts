// Domain names as the tenant types them become one canonical spelling:
// lower-case, ASCII (punycode for IDNs), no trailing dot. Everything keyed by
// domain (the domain record, the domain user, DKIM signing) uses this form.
import { domainToASCII } from 'node:url';
import { DomainError } from '../errors.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function normaliseDomain(input: string): string {
  const trimmed = input.trim().toLowerCase().replace(/\.$/, '');
  const ascii = domainToASCII(trimmed);
  const labels = ascii.split('.');
  if (!ascii || ascii.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1)!)) {
    throw new DomainError('VALIDATION', `"${input}" is not a valid domain name (expected e.g. example.com)`);
  }
  return ascii;
}

/**
 * Splits a mailbox address into a canonical local part and domain. Local
 * parts are kept as typed apart from case: SMTP logins are compared lower-case.
 */
export function normaliseAddress(input: string): { address: string; local: string; domain: string } {
  const trimmed = input.trim();
  const at = trimmed.lastIndexOf('@');
  const local = trimmed.slice(0, at).toLowerCase();
  if (at <= 0 || local.length > 64 || !/^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+$/.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    throw new DomainError('VALIDATION', `"${input}" is not a valid mailbox address (expected e.g. alice@example.com)`);
  }
  const domain = normaliseDomain(trimmed.slice(at + 1));
  return { address: `${local}@${domain}`, local, domain };
}
