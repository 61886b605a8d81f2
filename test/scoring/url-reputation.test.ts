// URL reputation: the DNS blocklist adapter against a real DNS server on
// loopback, and core's strict timeout when the resolver cannot be reached.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DnsblUrlReputation } from '../../adapters/url-reputation/dnsbl.js';
import { scoreContent } from '../../core/scoring/index.js';
import { message } from './helpers/messages.js';
import { CONTEXT } from './helpers/context.js';
import { startDnsServer, type TestDnsServer } from './helpers/dns-server.js';

describe('DNS blocklist URL reputation', () => {
  let dns: TestDnsServer;
  before(async () => { dns = await startDnsServer({ 'badsite.test.dbl.test': '127.0.1.2', 'refused.test.dbl.test': '127.255.255.254' }); });
  after(async () => { await dns.close(); });

  it('names a listed host with its list and passes an unlisted one', async () => {
    const rep = new DnsblUrlReputation({ zones: ['dbl.test'], servers: [`127.0.0.1:${dns.port}`] });
    assert.deepEqual(await rep.check(['www.badsite.test', 'good.example.net']), [{ host: 'www.badsite.test', list: 'dbl.test' }]);
  });

  it('does not count the lists\' "query refused" answers as listings', async () => {
    const rep = new DnsblUrlReputation({ zones: ['dbl.test'], servers: [`127.0.0.1:${dns.port}`] });
    assert.deepEqual(await rep.check(['refused.test']), []);
  });

  it('answers repeated hosts from its cache', async () => {
    const rep = new DnsblUrlReputation({ zones: ['dbl.test'], servers: [`127.0.0.1:${dns.port}`] });
    dns.queries.length = 0;
    await rep.check(['a.badsite.test']);
    await rep.check(['b.badsite.test', 'badsite.test']);
    assert.deepEqual(dns.queries, ['badsite.test.dbl.test']);
  });

  it('queries nothing when no zone is configured (offline by default)', async () => {
    dns.queries.length = 0;
    assert.deepEqual(await new DnsblUrlReputation({ servers: [`127.0.0.1:${dns.port}`] }).check(['badsite.test']), []);
    assert.deepEqual(dns.queries, []);
  });

  it('adds a url-blocklisted signal to the content score', async () => {
    const rep = new DnsblUrlReputation({ zones: ['dbl.test'], servers: [`127.0.0.1:${dns.port}`] });
    const { signals } = await scoreContent(message({ text: 'see http://www.badsite.test/x' }), CONTEXT, { urlReputation: rep });
    const s = signals.find((x) => x.name === 'url-blocklisted');
    assert.ok(s && s.weight > 0);
    assert.match(s.detail ?? '', /www\.badsite\.test \(dbl\.test\)/);
  });
});

describe('URL reputation when DNS cannot answer', () => {
  let dns: TestDnsServer;
  before(async () => { dns = await startDnsServer({}); dns.silent = true; });
  after(async () => { await dns.close(); });

  it('rejects from the adapter when the resolver never answers', async () => {
    const rep = new DnsblUrlReputation({ zones: ['dbl.test'], servers: [`127.0.0.1:${dns.port}`], timeoutMs: 200 });
    await assert.rejects(rep.check(['x.example.org']), /unreachable/);
  });

  it('gives url-check-unavailable within the core deadline and still scores the rest', async () => {
    const rep = new DnsblUrlReputation({ zones: ['dbl.test'], servers: [`127.0.0.1:${dns.port}`], timeoutMs: 5000 });
    const { signals } = await scoreContent(message({ text: 'see http://slow.example.org/' }), CONTEXT, { urlReputation: rep, urlCheckTimeoutMs: 150 });
    const s = signals.find((x) => x.name === 'url-check-unavailable');
    assert.ok(s, `signals: ${signals.map((x) => x.name).join(', ')}`);
    assert.equal(s.weight, 0);
    // Core's deadline answered, not the adapter's 5 s failure (which would say "unreachable").
    assert.equal(s.detail, 'no answer within 150 ms');
    assert.ok(signals.some((x) => x.name === 'classifier'));
  });
});
