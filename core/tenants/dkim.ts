// DKIM keys for a tenant's domains. RSA 2048 is what every receiver accepts;
// the selector carries the month the key was made, so a rotation next month
// gets a new selector and both records can be published side by side.
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

const generateRsa = promisify(generateKeyPair);

export interface DkimKey {
  selector: string;
  /** PKCS#8 PEM. */
  privateKey: string;
  /** Base64 SPKI DER: the p= value of the TXT record. */
  publicKey: string;
}

/** `rg<yyyymm>` in UTC, e.g. rg202611. */
export function dkimSelectorFor(now: Date): string {
  return `rg${now.toISOString().slice(0, 7).replace('-', '')}`;
}

/** Generates off the event loop's thread (libuv pool): about 100 ms of CPU that must not stall SMTP sessions. */
export async function generateDkimKey(now: Date): Promise<DkimKey> {
  const { privateKey, publicKey } = await generateRsa('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { selector: dkimSelectorFor(now), privateKey, publicKey: Buffer.from(publicKey).toString('base64') };
}
