import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { BOUNCE_RULES, classifyReply, enhancedStatus } from '../../core/delivery/bounce-rules.js';

// One case per rule family, with replies in the shapes real receivers send.
const CASES: [number, string, string, string][] = [
  [250, '250 2.0.0 OK queued as 4Xyz', 'delivered', 'delivered'],
  [550, '550 5.7.1 Greylisted, please try again later', 'deferred', 'greylist'],
  [552, '552 5.2.2 Mailbox full', 'deferred', 'mailbox-full'],
  [550, '550 5.7.0 Too many messages from your address, rate limit exceeded', 'deferred', 'rate-limit'],
  [550, '550 5.1.1 <gone@dest.test>: Recipient address rejected: User unknown in virtual mailbox table', 'bounced', 'unknown-user'],
  [550, '550 5.1.2 DNS error: domain does not exist', 'bounced', 'bad-domain'],
  [554, '554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org', 'bounced', 'blocklist'],
  [550, '550 5.7.1 Message rejected as spam by Content Filtering', 'bounced', 'spam'],
  [552, '552 5.3.4 Message size exceeds fixed limit', 'bounced', 'message-size'],
  [550, '550 5.7.26 Unauthenticated email from example.com is not accepted due to domain\'s DMARC policy', 'bounced', 'policy'],
  [554, '554 5.0.0 Transaction failed', 'bounced', 'permanent'],
  [450, '450 4.2.0 <bob@dest.test>: Recipient address rejected: Greylisted', 'deferred', 'greylist'],
  [452, '452 4.2.2 Over quota', 'deferred', 'mailbox-full'],
  [421, '421 4.7.0 Too many connections, throttled', 'deferred', 'rate-limit'],
  [451, '451 4.3.0 Temporary lookup failure', 'deferred', 'temporary'],
  [0, 'local-tls: DANE verification failed for mx.dest.test', 'deferred', 'tls'],
  [0, 'local-policy: MTA-STS policy check failed for mx.evil.test', 'deferred', 'tls'],
  [0, 'connect ECONNREFUSED 192.0.2.25:25', 'deferred', 'network'],
];

describe('bounce classification', () => {
  for (const [code, reply, outcome, category] of CASES) {
    it(`reads "${reply.slice(0, 60)}" as ${outcome} (${category})`, () => {
      assert.deepEqual(classifyReply(code, reply), { outcome, category });
    });
  }

  it('retries a reply with a code outside 2xx-5xx instead of guessing it failed', () => {
    assert.equal(classifyReply(354, '354 go ahead').outcome, 'deferred');
  });

  it('gives every rule a reason', () => {
    for (const rule of BOUNCE_RULES) assert.ok(rule.why.length > 10, `rule ${rule.match} explains itself`);
  });

  it('reads the enhanced status code of a reply', () => {
    assert.equal(enhancedStatus('550 5.1.1 <x@y>: user unknown'), '5.1.1');
    assert.equal(enhancedStatus('550-5.7.26 first line'), '5.7.26');
    assert.equal(enhancedStatus('550 no enhanced code here'), undefined);
  });
});
