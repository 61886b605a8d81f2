// A webhook URL the notifier would always refuse (the cloud metadata service,
// an unspecified or link-local address) is refused when the tenant sets it,
// with a problem that says why, instead of every notification failing later.
// The local runner's notifier may reach loopback and private receivers, so
// the API accepts those here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
before(async () => { t = await startTestGateway(); });
after(async () => { await t?.stop(); });

test('the metadata service, 0.0.0.0 and link-local IPv6 are refused as webhook URLs; nothing is stored', async () => {
  const ten = await t.tenant();
  for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://0.0.0.0:8080/hook', 'http://[fe80::1]/hook', 'http://169.254.170.2/v2/credentials']) {
    const r = await t.api('PATCH', '/v1/settings', ten.token, { webhookUrl: url });
    assert.equal(r.status, 400, `${url}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, 'VALIDATION');
    assert.match(String(r.body.detail), /webhookUrl cannot be used: .*(metadata|linkLocal|unspecified)/);
  }
  assert.equal((await t.api('GET', '/v1/settings', ten.token)).body.webhookUrl, undefined);
});

test('a loopback receiver and a public host name are accepted by the local runner', async () => {
  const ten = await t.tenant();
  for (const url of ['http://127.0.0.1:9/hook', 'https://hooks.example.com/relayguard']) {
    const r = await t.api('PATCH', '/v1/settings', ten.token, { webhookUrl: url });
    assert.equal(r.status, 200, `${url}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.webhookUrl, url);
  }
});
