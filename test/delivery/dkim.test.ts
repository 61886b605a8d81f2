import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { dkimVerify } from 'mailauth';
import { createSmarthostTransport } from '../../adapters/transport/smarthost.js';
import { signMessage } from '../../core/delivery/dkim.js';
import { chooseSigningDomain, domainAndParents } from '../../core/delivery/signing-domain.js';
import type { DomainRecord } from '../../core/model.js';
import { handleDeliverJob } from '../../core/pipeline/deliver.js';
import { generateDkimKey } from '../../core/tenants/dkim.js';
import { createTenant, openHarness, queueMessage, sampleMessage, startReceiver, type Harness, type Receiver } from './helpers.js';

async function domainRecord(tenantId: string, domain: string): Promise<DomainRecord> {
  const key = await generateDkimKey(new Date('2026-11-01T00:00:00Z'));
  return { tenantId, domain, dkimSelector: key.selector, dkimPrivateKey: key.privateKey, dkimPublicKey: key.publicKey, createdAt: '2026-11-01T00:00:00Z' };
}

/** A DNS resolver that publishes the DKIM TXT record of each domain given, as the tenant would. */
function publishing(...domains: DomainRecord[]) {
  return async (name: string, type: string) => {
    const d = domains.find((x) => name.toLowerCase() === `${x.dkimSelector}._domainkey.${x.domain}` && type === 'TXT');
    if (!d) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return [[`v=DKIM1; k=rsa; p=${d.dkimPublicKey}`]];
  };
}

async function verify(raw: Buffer, ...published: DomainRecord[]) {
  const { results } = await dkimVerify(raw, { resolver: publishing(...published) as never });
  return results.map((r) => ({ domain: r.signingDomain, result: r.status?.result }));
}

describe('DKIM signing of outgoing mail', () => {
  let receiver: Receiver;
  let h: Harness;
  let exampleCom: DomainRecord;

  before(async () => {
    receiver = await startReceiver();
    h = openHarness(createSmarthostTransport({ host: '127.0.0.1', port: receiver.port, name: 'gw.relayguard.test' }));
    await createTenant(h, 't1');
    await createTenant(h, 't2');
    exampleCom = await domainRecord('t1', 'example.com');
    await h.stores.tenants.createDomain(exampleCom);
  });
  after(async () => {
    h.close();
    await receiver.close();
  });

  it('signs with the tenant key of the From domain, and the signature verifies against the published record', async () => {
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    const raw = receiver.received.at(-1)!.raw;
    assert.match(raw.toString(), /^DKIM-Signature: .*d=example\.com/s);
    assert.deepEqual(await verify(raw, exampleCom), [{ domain: 'example.com', result: 'pass' }]);
  });

  it('yields a signature that fails once the body is changed in transit', async () => {
    const { raw } = await signMessage(Buffer.from(sampleMessage()), exampleCom, new Date());
    const tampered = Buffer.from(raw.toString().replace('the figures are attached', 'send the figures to'));
    const [outcome] = await verify(tampered, exampleCom);
    // mailauth reports a body hash mismatch as "neutral" (body hash did not verify); never "pass".
    assert.equal(outcome!.domain, 'example.com');
    assert.ok(outcome!.result === 'fail' || outcome!.result === 'neutral', `got ${outcome!.result}`);
    assert.deepEqual(await verify(raw, exampleCom), [{ domain: 'example.com', result: 'pass' }], 'the untouched copy passes');
  });

  it('signs a subdomain sender with the registered parent domain', async () => {
    const msg = await queueMessage(h, { mailFrom: 'news@mail.example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage('news@mail.example.com') });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    assert.deepEqual(await verify(receiver.received.at(-1)!.raw, exampleCom), [{ domain: 'example.com', result: 'pass' }]);
  });

  it('never signs with a domain that belongs to another tenant', async () => {
    const msg = await queueMessage(h, { tenantId: 't2', mailFrom: 'mallory@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage('mallory@example.com') });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    assert.doesNotMatch(receiver.received.at(-1)!.raw.toString(), /DKIM-Signature/i);
  });

  it('falls back to the envelope sender domain when the From header is not the tenant\'s', async () => {
    const lookup = async (d: string) => (d === 'example.com' ? exampleCom : undefined);
    const chosen = await chooseSigningDomain('t1', { headerFromDomain: 'visitor.test', mailFromDomain: 'example.com' }, lookup);
    assert.equal(chosen?.domain, 'example.com');
    assert.equal(await chooseSigningDomain('t1', { headerFromDomain: 'visitor.test', mailFromDomain: 'other.test' }, lookup), undefined);
  });

  it('lists a domain and its parents but never a bare top-level domain', () => {
    assert.deepEqual(domainAndParents('a.b.example.com'), ['a.b.example.com', 'b.example.com', 'example.com']);
    assert.deepEqual(domainAndParents('com'), []);
  });
});
