// scoreContent end to end: raw message in, explainable signals and facts
// out, and the verdict the default tenant thresholds give.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scoreContent } from '../../core/scoring/index.js';
import { decideVerdict } from '../../core/verdict.js';
import { DEFAULT_TENANT_SETTINGS, effectiveSettings } from '../../core/settings.js';
import { isDomainError } from '../../core/errors.js';
import type { VirusScanner } from '../../core/ports.js';
import { EICAR, message } from './helpers/messages.js';
import { CONTEXT } from './helpers/context.js';

const now = new Date('2026-03-02T10:00:00Z');

describe('scoreContent', () => {
  it('delivers an ordinary message and fills the facts the pipeline keeps', async () => {
    const raw = message({ subject: 'Lunch on Thursday?', text: 'Hi Bob,\n\nare we still on for lunch on Thursday? The patch review can wait.\n\nAlice', headers: ['X-AuthUser: alice@example.com', 'In-Reply-To: <x@example.net>'] });
    const { signals, facts } = await scoreContent(raw, CONTEXT, {});
    const v = decideVerdict(signals, DEFAULT_TENANT_SETTINGS, now);
    assert.equal(v.verdict, 'deliver', JSON.stringify(signals));
    assert.equal(facts.messageId, 'test-1@example.com');
    assert.equal(facts.subject, 'Lunch on Thursday?');
    assert.equal(facts.headerFrom, '"Alice Example" <alice@example.com>');
    assert.equal(facts.xAuthUser, 'alice@example.com');
    assert.match(facts.bodyFingerprint ?? '', /^[0-9a-f]{32}$/);
    assert.deepEqual(facts.urls, []);
  });

  it('rejects a message carrying EICAR whatever the other scores', async () => {
    const raw = message({ text: 'quarterly figures attached', attachments: [{ type: 'application/octet-stream', filename: 'figures.xls', body: EICAR }] });
    const { signals } = await scoreContent(raw, CONTEXT, {});
    const v = decideVerdict(signals, DEFAULT_TENANT_SETTINGS, now);
    assert.equal(v.verdict, 'reject');
    assert.ok(v.signals.some((s) => s.name === 'attachment-eicar'));
  });

  it('stops a phishing message and explains it with named, weighted signals', async () => {
    const raw = message({
      from: '"security@example.com" <alert@login-check.example.top>',
      subject: 'URGENT ACCOUNT NOTICE',
      html: '<p>Your account has been suspended. Verify your account now:</p><a href="http://198.51.100.7/login">https://www.example.com/login</a><form><input type="password"></form>',
    });
    const { signals } = await scoreContent(raw, CONTEXT, {});
    const v = decideVerdict(signals, DEFAULT_TENANT_SETTINGS, now);
    assert.notEqual(v.verdict, 'deliver');
    for (const name of ['phishing-phrase', 'phishing-password-form', 'url-raw-ip', 'display-name-impersonation', 'from-domain-not-owned']) {
      assert.ok(signals.some((s) => s.name === name), `${name} missing`);
    }
    assert.equal(v.score, Math.round(signals.reduce((a, s) => a + s.weight, 0) * 100) / 100);
    assert.deepEqual(v.thresholds, { quarantine: DEFAULT_TENANT_SETTINGS.quarantineThreshold, reject: DEFAULT_TENANT_SETTINGS.rejectThreshold });
  });

  it('records the verdict but delivers in monitor-only mode', async () => {
    const { signals } = await scoreContent(message({ attachments: [{ type: 'application/octet-stream', filename: 'e.com', body: EICAR }] }), CONTEXT, {});
    const v = decideVerdict(signals, effectiveSettings({ monitorOnly: true }), now);
    assert.equal(v.monitorOnly, true);
    assert.equal(v.verdict, 'reject', 'the verdict is still recorded; the pipeline delivers because monitorOnly is set');
  });

  it('adds a virus signal from the scanner and never passes a failing scanner as clean', async () => {
    const infected: VirusScanner = { scan: async () => ({ infected: true, name: 'Test.Virus' }) };
    const { signals } = await scoreContent(message({}), CONTEXT, { virusScanner: infected });
    assert.deepEqual(signals.find((s) => s.name === 'virus'), { name: 'virus', weight: 10, detail: 'Test.Virus' });
    const broken: VirusScanner = { scan: async () => { throw new Error('connection refused'); } };
    await assert.rejects(scoreContent(message({}), CONTEXT, { virusScanner: broken }), (err) => isDomainError(err, 'TEMPORARY') && /connection refused/.test(err.message));
  });

  it('gives the classifier signal a detail naming its strongest features', async () => {
    const { signals } = await scoreContent(message({ text: 'hello' }), CONTEXT, {});
    const c = signals.find((s) => s.name === 'classifier');
    assert.match(c?.detail ?? '', /^spam probability \d\.\d{3}; strongest: /);
  });
});
