// `npm run eval` on any folder of raw messages: crafted .eml/.txt files in
// temporary folders, scored by the real command, JSON read back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EICAR, message } from './helpers/messages.js';

const run = promisify(execFile);

describe('eval command', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'relayguard-eval-'));
    mkdirSync(join(dir, 'ham'));
    mkdirSync(join(dir, 'spam', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'ham', 'a.eml'), message({ subject: 'Minutes', text: 'Hi Bob, the minutes of Tuesday are below. Alice', headers: ['In-Reply-To: <x@example.net>'] }));
    writeFileSync(join(dir, 'ham', 'b.txt'), Buffer.concat([Buffer.from('Received: from relay.example.net by mx.example.org;\r\n\tMon, 2 Mar 2026\r\n'), message({ subject: 'Re: build', text: 'The build is green again after your patch.' })]));
    writeFileSync(join(dir, 'ham', 'sidecar.json'), '{"not":"a message"}');
    writeFileSync(join(dir, 'spam', 'c.eml'), message({ attachments: [{ type: 'application/octet-stream', filename: 'x.com', body: EICAR }] }));
    writeFileSync(join(dir, 'spam', 'nested', 'd'), message({ subject: 'hello', html: '<form><input type="password"></form><p>Your account has been suspended, verify your account at <a href="http://203.0.113.9/">http://bank.example.com</a></p>' }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON object with totals, stopped counts and the confusion per verdict', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/eval.ts', '--ham', join(dir, 'ham'), '--spam', join(dir, 'spam'), '--json']);
    const result = JSON.parse(stdout) as { spam: { total: number; stopped: number }; ham: { total: number; stopped: number }; byVerdict: Record<string, Record<string, number>> };
    assert.deepEqual(result.ham, { total: 2, stopped: 0 });
    assert.deepEqual(result.spam, { total: 2, stopped: 2 });
    assert.equal(result.byVerdict.spam!.reject! + result.byVerdict.spam!.quarantine!, 2);
    assert.equal(result.byVerdict.ham!.deliver, 2);
  });

  it('prints percentages and the confusion table for people', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/eval.ts', '--spam', join(dir, 'spam')]);
    assert.match(stdout, /spam \(.*\): 2\/2 stopped = 100\.00% caught/);
    assert.match(stdout, /confusion\s+deliver\s+quarantine\s+reject/);
  });

  it('refuses an unknown option with the allowed ones', async () => {
    await assert.rejects(run(process.execPath, ['--import', 'tsx', 'scripts/eval.ts', '--hamm', dir]), /unknown option --hamm; allowed/);
  });
});
