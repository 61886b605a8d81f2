// Which delivery results suppress an address: one case per rule family, in
// the shapes real receivers send (Postfix, Exim, Gmail, Microsoft 365, Yahoo).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { SUPPRESSION_RULES, suppressionFor } from '../../core/suppression/rules.js';
import { suppressionKey, parseSuppressionAddress } from '../../core/suppression/address.js';
import { isDomainError } from '../../core/errors.js';

// [code, reply, suppresses, deciding rule (undefined: not a final failure at all)]
const CASES: [number, string, boolean, string | undefined][] = [
  // the address is dead
  [550, '550 5.1.1 <gone@dest.test>: Recipient address rejected: User unknown in virtual mailbox table', true, 'bad-mailbox'],
  [550, "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser", true, 'bad-mailbox'],
  [550, '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient gone@dest.test not found by SMTP address lookup', true, 'recipient-not-found'],
  [553, '553 5.1.3 Bad recipient address syntax', true, 'bad-mailbox-syntax'],
  [551, '551 5.1.6 User has moved; no forwarding address', true, 'mailbox-moved'],
  [550, '550-5.2.1 The email account that you tried to reach is disabled. Learn more at https://support.google.com/mail/?p=DisabledUser', true, 'mailbox-disabled'],
  [550, '550 5.1.0 <gone@dest.test>: no such user here', true, 'other-address-status'],
  [550, '550 User unknown', true, 'unknown-user-text'],
  [554, "554 delivery error: dd This user doesn't have a yahoo.com account (gone@yahoo.com) [0] - mta1012.mail.yahoo.com", true, 'unknown-user-text'],
  [550, '550 5.0.0 <gone@dest.test>... No such user', true, 'unknown-user-text'],
  // about us, our sender or the message: the address is fine
  [550, '550 5.1.0 <alice@tenant.test>: Sender address rejected: User unknown in local recipient table', false, 'sender-refused'],
  [553, '553 5.1.8 <alice@nowhere.test>: Domain of sender address does not exist', false, 'sender-refused'],
  [550, '550 5.1.7 Invalid address', false, 'bad-sender-status'],
  [554, '554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org', false, 'blocklist-or-content'],
  [550, '550 5.7.1 Message rejected as spam by Content Filtering', false, 'blocklist-or-content'],
  [550, '550 5.7.1 <bob@dest.test>: Recipient address rejected: Access denied', false, 'policy'],
  [550, "550 5.7.26 Unauthenticated email from tenant.test is not accepted due to domain's DMARC policy", false, 'policy'],
  [554, '554 5.2.2 mailbox unavailable for delivery', false, 'mailbox-full'],
  [554, '554 Sorry, the mailbox is full', false, 'mailbox-full-text'],
  [550, '550 5.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered', false, 'temporary-in-disguise'],
  [550, '550 5.1.2 <bob@gone.test>: Recipient domain not found', false, 'bad-domain'],
  [554, '554 5.0.0 Transaction failed', false, 'unclassified'],
  [550, '550 Requested action not taken: mailbox unavailable', false, 'unclassified'],
  // what the deliver step retries never suppresses
  [550, '550 5.1.1 Greylisted, please try again later', false, undefined],
  [552, '552 5.2.2 Mailbox full', false, undefined],
  [550, '550 Mailbox quota exceeded for this recipient', false, undefined],
  [450, '450 4.1.1 <bob@dest.test>: Recipient address rejected: unverified address', false, undefined],
  [0, 'connect ECONNREFUSED 192.0.2.25:25', false, undefined],
  [250, '250 2.0.0 OK', false, undefined],
];

describe('which delivery results suppress an address', () => {
  for (const [code, reply, suppress, rule] of CASES) {
    it(`${suppress ? 'suppresses' : 'does not suppress'} on "${reply.slice(0, 70)}"${rule ? ` (${rule})` : ''}`, () => {
      const got = suppressionFor(code, reply);
      assert.equal(got.suppress, suppress);
      assert.equal(got.rule, rule);
    });
  }

  it('names every rule once and gives each a reason', () => {
    const names = SUPPRESSION_RULES.map((r) => r.name);
    assert.equal(new Set(names).size, names.length);
    for (const rule of SUPPRESSION_RULES) assert.ok(rule.why.length > 20, `${rule.name} explains itself`);
  });

  it('has a case above for every rule in the table', () => {
    const covered = new Set(CASES.map((c) => c[3]));
    for (const rule of SUPPRESSION_RULES) assert.ok(covered.has(rule.name), `no case for ${rule.name}`);
  });
});

describe('suppression addresses', () => {
  it('looks recipients up lower-case with the domain in ASCII', () => {
    assert.equal(suppressionKey(' Bob@Dest.TEST '), 'bob@dest.test');
    assert.equal(suppressionKey('user@bücher.example'), 'user@xn--bcher-kva.example');
    assert.equal(suppressionKey('no-at-sign'), 'no-at-sign');
  });

  it('gives a typed address the same spelling and refuses what is no address', () => {
    assert.equal(parseSuppressionAddress('Bob@Dest.Test'), suppressionKey('bob@dest.test'));
    assert.throws(() => parseSuppressionAddress('not an address'), (err) => isDomainError(err, 'VALIDATION'));
    assert.throws(() => parseSuppressionAddress('bob@'), (err) => isDomainError(err, 'VALIDATION'));
  });
});
