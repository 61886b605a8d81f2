// Tenant notifications through the real gateway: a lock reaches the tenant's
// webhook, signed with the key its settings show.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../core/notify/signature.js';

let t: TestGateway;
let hook: Server;
const posts: { body: string; signature: string }[] = [];

before(async () => {
  t = await startTestGateway();
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => { posts.push({ body, signature: String(req.headers[SIGNATURE_HEADER] ?? '') }); res.end('ok'); });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
});
after(async () => { await t.stop(); await new Promise((r) => hook.close(r)); });

test('a manual lock is posted to the tenant webhook with a signature that verifies with the key from its settings', async () => {
  const ten = await t.tenant('hooked.example');
  const url = `http://127.0.0.1:${(hook.address() as { port: number }).port}/relayguard`;
  const set = await t.api('PATCH', '/v1/settings', ten.token, { webhookUrl: url });
  assert.equal(set.status, 200);
  const key = set.body.webhookSigningSecret;
  assert.match(key, /^whsec_/);
  assert.equal((await t.api('POST', `/v1/senders/${encodeURIComponent(ten.mailbox)}/lock`, ten.token, { reason: 'phished password' })).status, 200);
  for (let i = 0; i < 100 && posts.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(posts.length, 1, 'one webhook delivery');
  const event = JSON.parse(posts[0]!.body);
  assert.equal(event.sender, ten.mailbox);
  assert.match(JSON.stringify(event), /phished password/);
  assert.ok(verifyWebhookSignature(key, posts[0]!.body, posts[0]!.signature, Math.floor(Date.now() / 1000)), 'signature verifies');
  assert.ok(!verifyWebhookSignature(key, posts[0]!.body + ' ', posts[0]!.signature, Math.floor(Date.now() / 1000)), 'and fails on a changed body');
});
