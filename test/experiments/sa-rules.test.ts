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
    assert.equal(toJs('\\x{e9}t\\xe9', '')!.test('\xe9t\xe9'), true);
    assert.equal(toJs('\\Qa.b\\E', '')!.test('axb'), false);
  });

  // SpamAssassin compiles rules as qr/…/aa and matches bytes; each case below matched differently in JS before.
  it('matches as Perl does where JS reads the same syntax otherwise', () => {
    // $ and \Z also match before a final newline, as header values end in one
    assert.equal(toJs(' \\+0000$', '')!.test('Mon, 1 Jan 2001 00:00:00 +0000\n'), true);
    assert.equal(toJs('c\\Z', '')!.test('abc\n'), true);
    assert.equal(toJs('c$', '')!.test('abc\nd'), false);
    // \z and \A stay the ends of the string under /m
    assert.equal(toJs('x\\z', 'm')!.test('x\ny'), false);
    assert.equal(toJs('\\Ay', 'm')!.test('x\ny'), false);
    // only \n ends a line: . matches \r, and /m ^ and $ ignore it
    assert.equal(toJs('a.b', '')!.test('a\rb'), true);
    assert.equal(toJs('^b', 'm')!.test('a\rb'), false);
    assert.equal(toJs('a$', 'm')!.test('a\rb'), false);
    assert.equal(toJs('^b', 'm')!.test('a\nb'), true);
    // \s under /aa is ASCII white space: not \xa0 (the second byte of a UTF-8 no-break space)
    assert.equal(toJs('foo\\sbar', '')!.test('foo\xa0bar'), false);
    assert.equal(toJs('^\\S+$', '')!.test('foo\xa0bar'), true);
    assert.equal(toJs('[^\\S"]', '')!.test('\xa0'), false);
    // \e is ESC, not "e"; \h inside a class; [:cntrl:] includes DEL
    assert.equal(toJs('\\e\\$B', '')!.test('e$B'), false);
    assert.equal(toJs('\\e\\$B', '')!.test('\x1b$B'), true);
    assert.equal(toJs('a[\\h]b', '')!.test('a\tb'), true);
    assert.equal(toJs('[[:cntrl:]]', '')!.test('\x7f'), true);
    // an escaped quantifier character followed by a quantifier is no possessive quantifier
    assert.equal(toJs('a\\?+b', '')!.test('a??b'), true);
    assert.equal(toJs('a[*+]b', '')!.test('a+b'), true);
    // an escaped backslash does not start another escape
    assert.equal(toJs('a\\\\hb', '')!.test('a\\hb'), true);
  });

  it('refuses what JS cannot express instead of matching something else', () => {
    assert.equal(toJs('a\\Kb', ''), undefined);
    assert.equal(toJs('(?>ab)c', ''), undefined);
    assert.equal(toJs('ab\\w++', ''), undefined);
    assert.equal(toJs('[[:^alpha:]]', ''), undefined);
    assert.equal(toJs('[[:nonsense:]]', ''), undefined);
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
