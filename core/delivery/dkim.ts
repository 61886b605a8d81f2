// DKIM-signs outgoing mail (RFC 6376, rsa-sha256, relaxed/relaxed) with the
// key stored on the tenant's DomainRecord. Signing happens at every delivery
// attempt so the t= tag is fresh; it is pure computation over the bytes.
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import type { DomainRecord } from '../model.js';

/** Headers signed when present; From is mandatory (RFC 6376 5.4). */
export const SIGNED_HEADERS = [
  'From', 'Sender', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'To', 'Cc',
  'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding', 'In-Reply-To', 'References', 'List-Unsubscribe', 'List-Unsubscribe-Post',
];

export interface SignResult {
  raw: Buffer;
  /** d= of the signature added, if one was. */
  signedBy?: string;
  /** Why no signature was added although a key was given. */
  error?: string;
}

/**
 * Prepends a DKIM-Signature for `domain`. A key that fails to sign does not
 * stop delivery (legitimate mail must keep flowing); the error is returned
 * so the caller can record it.
 */
export async function signMessage(raw: Buffer, domain: DomainRecord, now: Date): Promise<SignResult> {
  try {
    const key = { signingDomain: domain.domain, selector: domain.dkimSelector, privateKey: domain.dkimPrivateKey };
    // mailauth signs only what is listed in signatureData; the top-level key fields are ignored.
    const result = await dkimSign(raw, {
      ...key,
      signatureData: [key],
      canonicalization: 'relaxed/relaxed',
      algorithm: 'rsa-sha256',
      headerList: SIGNED_HEADERS,
      signTime: now,
    });
    if (result.errors.length > 0 || !/^DKIM-Signature:/i.test(result.signatures)) {
      return { raw, error: result.errors.map((e) => e.message).join('; ') || 'no signature produced' };
    }
    return { raw: Buffer.concat([Buffer.from(result.signatures), raw]), signedBy: domain.domain };
  } catch (err) {
    return { raw, error: err instanceof Error ? err.message : String(err) };
  }
}
