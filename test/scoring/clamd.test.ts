// The clamd adapter against a real clamd started here (Debian clamav-daemon)
// with a signature database the test writes itself.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClamdScanner, clamdFromAddress, parseScanReply } from '../../adapters/clamd/clamd-scanner.js';
import { scoreContent } from '../../core/scoring/index.js';
import { isDomainError } from '../../core/errors.js';
import { EICAR, message, zip } from './helpers/messages.js';
import { startClamd, TEST_MARKER, type RunningClamd } from './helpers/clamd.js';
import { freePort } from '../helpers/free-port.js';
import { CONTEXT } from './helpers/context.js';

describe('clamd adapter against a real clamd', () => {
  let clamd: RunningClamd;
  before(async () => { clamd = await startClamd(); });
  after(async () => { await clamd?.stop(); });

  it('reports a clean message as not infected over TCP', async () => {
    const result = await new ClamdScanner({ port: clamd.port }).scan(message({ text: 'Hello, nothing to see here.' }));
    assert.deepEqual(result, { infected: false });
  });

  it('finds the EICAR file attached to a message over TCP', async () => {
    const result = await new ClamdScanner({ port: clamd.port }).scan(message({ attachments: [{ type: 'application/octet-stream', filename: 'test.com', body: EICAR }] }));
    assert.equal(result.infected, true);
    assert.match(result.name ?? '', /^Eicar-Test-Signature/);
  });

  it('finds the EICAR file inside a zip attachment over the Unix socket', async () => {
    const raw = message({ attachments: [{ type: 'application/zip', filename: 'docs.zip', body: zip([{ name: 'eicar.com', data: EICAR }]) }] });
    const result = await new ClamdScanner({ socketPath: clamd.socketPath }).scan(raw);
    assert.equal(result.infected, true);
    assert.match(result.name ?? '', /Eicar-Test-Signature/);
  });

  it('streams a message larger than one chunk', async () => {
    const big = Buffer.concat([Buffer.alloc(300_000, 'a'), Buffer.from(TEST_MARKER)]);
    const result = await new ClamdScanner({ port: clamd.port, chunkSize: 4096 }).scan(big);
    assert.equal(result.infected, true);
    assert.match(result.name ?? '', /Relayguard-Test-Marker/);
  });

  it('makes scoreContent emit a decisive virus signal for an infected message', async () => {
    const raw = message({ attachments: [{ type: 'application/pdf', filename: 'invoice.pdf', body: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(TEST_MARKER)]) }] });
    const { signals } = await scoreContent(raw, CONTEXT, { virusScanner: new ClamdScanner({ port: clamd.port }) });
    const virus = signals.find((s) => s.name === 'virus');
    assert.ok(virus, `no virus signal in ${signals.map((s) => s.name).join(', ')}`);
    assert.match(virus.detail ?? '', /Relayguard-Test-Marker/);
  });
});

describe('clamd adapter when clamd cannot answer', () => {
  it('throws when nothing listens, and scoreContent turns that into a TEMPORARY error', async () => {
    const scanner = new ClamdScanner({ port: await freePort(), timeoutMs: 2000 });
    await assert.rejects(scanner.scan(Buffer.from('x')), /clamd/);
    await assert.rejects(scoreContent(message({}), CONTEXT, { virusScanner: scanner }), (err) => isDomainError(err, 'TEMPORARY'));
  });

  it('treats an error reply as a failure, never as clean', () => {
    assert.throws(() => parseScanReply('INSTREAM size limit exceeded. ERROR'), /size limit/);
    assert.deepEqual(parseScanReply('stream: OK'), { infected: false });
    assert.deepEqual(parseScanReply('stream: Win.Test.EICAR_HDB-1 FOUND'), { infected: true, name: 'Win.Test.EICAR_HDB-1' });
  });
});

describe('clamd address setting', () => {
  it('reads host:port, a bare port, an IPv6 address and a socket path', () => {
    assert.deepEqual([clamdFromAddress('127.0.0.1:3310').opts.host, clamdFromAddress('127.0.0.1:3310').opts.port], ['127.0.0.1', 3310]);
    assert.deepEqual([clamdFromAddress('3311').opts.host, clamdFromAddress('3311').opts.port], ['127.0.0.1', 3311]);
    assert.equal(clamdFromAddress('[::1]:3310').opts.host, '::1');
    assert.equal(clamdFromAddress('/run/clamav/clamd.ctl').opts.socketPath, '/run/clamav/clamd.ctl');
  });

  it('refuses an address it cannot read, saying what it got', () => {
    assert.throws(() => clamdFromAddress('clamd.example'), /host:port.*"clamd\.example"/);
    assert.throws(() => clamdFromAddress('localhost:99999'), /1-65535; got 99999/);
  });
});
