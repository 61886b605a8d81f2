// The SpamAssassin rule reader used by scripts/experiments/frontier.ts: the
// figures in docs/scoring.md depend on its Perl-to-JS translation being right.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, loadRules, saInput, toJs } from '../../scripts/experiments/sa-rules.js';
import { parseMessage } from '../../core/scoring/facts.js';

describe('SpamAssassin rules experiment: Perl regex translation', () => {
  it('keeps flags, expands extended syntax and Perl-only escapes', () => {
    assert.equal(toJs('free\\s+money', 'i')!.test('FREE  Money'), true);
    assert.equal(toJs(' a \\ b # comment\n c ', 'x')!.source, 'a\\ bc');
    assert.equal(toJs('^abc\\z', '')!.test('abc'), true);
    assert.equal(toJs('\\Aabc', '')!.test('xabc'), false);
    assert.equal(toJs('(?i)hello', '')!.test('HELLO'), true);
    assert.equal(toJs('[[:digit:]]{3}', '')!.test('a123'), true);
    assert.equal(toJs('(?>ab)c++', '')!.test('abccc'), true);
    assert.equal(toJs('\\x{e9}t\\xe9', '')!.test('\xe9t\xe9'), true);
    assert.equal(toJs('\\Qa.b\\E', '')!.test('axb'), false);
  });

  it('refuses what JS cannot express instead of matching something else', () => {
    assert.equal(toJs('a\\Kb', ''), undefined);
    assert.equal(toJs('a(?i:b)', ''), undefined);
    assert.equal(toJs('\\x{263a}', ''), undefined);
    assert.equal(toJs('abc', 'e'), undefined);
  });
});

describe('SpamAssassin rules experiment: reading and evaluating a rule file', () => {
  it('evaluates header, body, uri, exists and meta rules, skips eval rules, and last definitions win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sa-rules-'));
    try {
      writeFileSync(join(dir, '20_test.cf'), [
        'header   SUBJ_WIN     Subject =~ /\\bwinner\\b/i',
        'header   NO_XM        X-Mailer !~ /Outlook/',
        'header   HAS_PRIO     exists:X-Priority',
        'body     BODY_FREE    /free money/i',
        'body     BODY_OLD     /never/',
        'body     BODY_OLD     /claim now/i',
        'uri      URI_IP       m{^https?://\\d+\\.\\d+\\.\\d+\\.\\d+}',
        'header   EVAL_RULE    eval:check_for_forged_hotmail_received_headers()',
        'ifplugin Mail::SpamAssassin::Plugin::ReplaceTags',
        'replace_tag  V  (?:[vV]|\\\\\\/)',
        'body     FUZZY_V      /<V>iagra/i',
        'replace_rules FUZZY_V',
        'endif',
        'meta     BOTH         SUBJ_WIN && BODY_FREE && !EVAL_RULE',
        'meta     COUNT2       (URI_IP + BODY_OLD + HAS_PRIO) > 1',
        '',
      ].join('\n'));
      const { rules, skipped } = loadRules(dir);
      assert.equal(skipped, 1);
      const raw = Buffer.from('From: a@example.com\r\nSubject: You are a WINNER\r\nX-Priority: 1\r\nMessage-ID: <1@example.com>\r\n\r\nGet free money here: http://10.1.2.3/claim and \\/iagra\r\nClaim now!\r\n');
      const hits = evaluate(rules, saInput(raw, parseMessage(raw)));
      assert.deepEqual([...hits].sort(), ['BODY_FREE', 'BODY_OLD', 'BOTH', 'COUNT2', 'FUZZY_V', 'HAS_PRIO', 'NO_XM', 'SUBJ_WIN', 'URI_IP']);
      const plain = Buffer.from('From: a@example.com\r\nSubject: lunch\r\nX-Mailer: Microsoft Outlook\r\n\r\nSee you at noon.\r\n');
      assert.deepEqual([...evaluate(rules, saInput(plain, parseMessage(plain)))], []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
