// The web console in Debian's Chromium against the real gateway (spawned as
// `node --import tsx local/main.ts`), with mail submitted over SMTP on the
// submission port (STARTTLS, AUTH) and delivered to a real receiving server.
// SCREENSHOTS=docs/screenshots also saves pictures of the main pages.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startReceiver, type Receiver } from '../delivery/helpers.js';
import { axeViolations, confirmDialog, go, screenshot, signIn } from './browser.js';
import { startCloudFrontShape, startTwoOriginShape, type DeployedShape } from './deployed-shape.js';
import { ensureConsoleBuilt, eventually, launchChromium, ROOT, startGatewayProcess, submit, type GatewayProcess } from './support.js';

let receiver: Receiver;
/** Takes the notification webhook's calls, on loopback, so no notification leaves the machine. */
let hooks: Server;
let hookUrl = '';
let gw: GatewayProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

const state = { tenantToken: '', alicePassword: '', domainPassword: '' };

async function api(method: string, path: string, token: string, body?: unknown): Promise<any> {
  const res = await fetch(gw.apiBase + path, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  return res.status === 204 ? undefined : res.json();
}

async function describeLog(subject: string): Promise<string> {
  const res = await api('GET', `/v1/messages?subject=${encodeURIComponent(subject)}`, state.tenantToken);
  return JSON.stringify(res.items?.map((m: any) => ({ status: m.status, verdict: m.verdict?.verdict, recipients: m.recipients })));
}

/** Searches the log until a row with this subject shows `status` (bounded). */
async function waitForLogRow(subject: string, status: string) {
  try {
    return await eventually(`"${subject}" to be ${status} in the log`, async () => {
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const row = page.locator('table.messages tbody tr', { hasText: subject });
      if ((await row.count()) !== 1) return undefined;
      const s = await row.locator('[data-status]').getAttribute('data-status');
      return s === status ? row : undefined;
    }, 30_000, 500);
  } catch (err) {
    throw new Error(`${(err as Error).message}; the API has ${await describeLog(subject)}`);
  }
}

async function setThresholds(quarantine: string, reject: string): Promise<void> {
  await go(page, 'Settings', 'Settings');
  await page.getByLabel('Hold in quarantine at score').fill(quarantine);
  await page.getByLabel('Reject at score').fill(reject);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Settings saved.').waitFor();
}

describe('web console against the real gateway', { timeout: 480_000 }, () => {
  before(async () => {
    ensureConsoleBuilt();
    // The receiving server refuses one mailbox for good, so the gateway sees a hard bounce.
    receiver = await startReceiver({ starttls: false, rcpt: (a) => (a === 'gone@example.net' ? { code: 550, message: '5.1.1 <gone@example.net>: no such user' } : undefined) });
    hooks = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(204).end()); });
    await new Promise<void>((ok) => hooks.listen(0, '127.0.0.1', ok));
    hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/relayguard-hook`;
    gw = await startGatewayProcess({ SMARTHOST: `127.0.0.1:${receiver.port}` });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
  });

  after(async () => {
    const died = gw?.exited();
    if (died) process.stderr.write(`the gateway stopped during the tests (${died}); its output:\n${gw.output().slice(-6000)}\n`);
    await browser?.close();
    await gw?.stop();
    await receiver?.close();
    hooks?.closeAllConnections();
    await new Promise<void>((ok) => (hooks ? hooks.close(() => ok()) : ok()));
  });

  it('refuses an unknown token and says why in words', async () => {
    await page.goto(gw.apiBase + '/');
    await screenshot(page, 'sign-in');
    await page.getByLabel('Access token').fill('rgt_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Sign-in failed.*neither as a tenant token nor as the operator token/s);
  });

  it('lets the operator create a tenant, shown its token once, and set its IP-user quota', async () => {
    await signIn(page, gw.apiBase, gw.operatorToken);
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    await page.getByLabel('Tenant name').fill('Acme Hosting');
    await page.getByLabel('IP-user quota', { exact: true }).fill('3');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const token = await page.locator('[data-secret="Tenant token"]').innerText();
    assert.match(token, /\S{20,}/);
    state.tenantToken = token.trim();
    await screenshot(page, 'operator-tenants');
    await page.getByRole('button', { name: 'I have saved it' }).click();
    assert.equal(await page.locator('[data-secret]').count(), 0, 'the token is not shown again');

    const row = page.locator('tr', { hasText: 'Acme Hosting' });
    await row.getByLabel('IP-user quota of Acme Hosting').fill('1');
    await row.getByRole('button', { name: 'Set quota' }).click();
    await row.getByText('Quota set.').waitFor();
    const tenants = await api('GET', '/v1/tenants', gw.operatorToken);
    assert.equal(tenants.items.find((t: any) => t.name === 'Acme Hosting').ipUserQuota, 1);

    // A token can be replaced: the old one stops working, the new one is shown once.
    await row.getByRole('button', { name: 'Rotate token of Acme Hosting' }).click();
    await confirmDialog(page, 'Rotate token');
    const rotated = (await page.locator('[data-secret="Tenant token"]').innerText()).trim();
    assert.notEqual(rotated, state.tenantToken);
    assert.equal((await fetch(`${gw.apiBase}/v1/me`, { headers: { authorization: `Bearer ${state.tenantToken}` } })).status, 401);
    state.tenantToken = rotated;
    await page.getByRole('button', { name: 'I have saved it' }).click();

    assert.ok(!page.url().includes(gw.operatorToken), 'the token is never in the URL');
    assert.equal(await page.evaluate(() => (globalThis as any).localStorage.length), 0, 'nothing in localStorage');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access token').waitFor();
    assert.equal(await page.evaluate(() => (globalThis as any).sessionStorage.length), 0, 'signing out forgets the token');
  });

  it('adds a domain and shows its SMTP login once, the SMTP settings and the DNS records', async () => {
    await signIn(page, gw.apiBase, state.tenantToken);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    // These tests are about the console, not the lock policy (test/reputation covers it): no automatic locks.
    const policy = await fetch(`${gw.apiBase}/v1/settings`, { method: 'PATCH', headers: { authorization: `Bearer ${state.tenantToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ senderPolicy: { lockRisk: 1000 } }) });
    assert.equal(policy.status, 200);
    assert.equal(await page.evaluate(() => JSON.parse((globalThis as any).sessionStorage.getItem('relayguard.session') ?? '{}').role), 'tenant');
    await go(page, 'Domains', 'Domains');

    await page.getByLabel('Domain name').fill('not a domain');
    await page.getByRole('button', { name: 'Add domain' }).click();
    const err = page.getByRole('alert');
    await err.waitFor();
    assert.match(await err.innerText(), /Error\..+/, 'an invalid domain is explained in words');
    await err.getByRole('button', { name: 'Dismiss' }).click();

    await page.getByLabel('Domain name').fill('example.test');
    await page.getByRole('button', { name: 'Add domain' }).click();
    const secret = page.locator('section.secret');
    await secret.waitFor();
    assert.equal(await secret.locator('[data-secret="SMTP user name"]').innerText(), 'example.test');
    state.domainPassword = (await secret.locator('[data-secret="SMTP password"]').innerText()).trim();
    assert.ok(state.domainPassword.length >= 12);
    const settings = await secret.locator('.smtp-settings').innerText();
    assert.match(settings, /smtp\.relay\.test/);
    assert.match(settings, new RegExp(String(gw.smtpPort)));
    assert.match(settings, /STARTTLS/);
    const dns = await secret.locator('table.dns').innerText();
    assert.match(dns, /_domainkey\.example\.test/);
    assert.match(dns, /v=DKIM1; k=rsa; p=/);
    assert.match(dns, /v=spf1/);
    await screenshot(page, 'domain-added');
    await secret.getByRole('button', { name: 'I have saved it' }).click();
    await page.locator('[data-domain="example.test"]').waitFor();
    assert.equal(await page.locator('[data-secret]').count(), 0);

    await page.getByLabel('Domain name').fill('second.test');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('button', { name: 'I have saved it' }).click();
    await page.getByRole('button', { name: 'Remove second.test' }).click();
    await confirmDialog(page, 'Remove domain');
    await page.getByText(/^second\.test removed/).waitFor();
    // The list reloads after the confirmation shows: wait (bounded) for the row to go rather than count at once.
    await page.locator('[data-domain="second.test"]').waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-domain="second.test"]').count(), 0);
    const domains = await api('GET', '/v1/domains', state.tenantToken);
    assert.deepEqual(domains.items.map((d: any) => d.domain), ['example.test']);
  });

  it('shows IP users with the quota used and left, and explains a bad range', async () => {
    await go(page, 'IP users', 'IP users');
    await page.getByText('0 of 1 used, 1 left').waitFor();
    await page.getByLabel('Address or CIDR range').fill('300.1.2.3');
    await page.getByRole('button', { name: 'Add IP user' }).click();
    assert.match(await page.getByRole('alert').innerText(), /Error\..+300\.1\.2\.3|Error\..+(address|CIDR|range)/i);
    await page.getByLabel('Address or CIDR range').fill('192.0.2.10');
    await page.getByRole('button', { name: 'Add IP user' }).click();
    await page.getByText('1 of 1 used, 0 left').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add IP user' }).isDisabled(), true, 'no adding past the quota');
    await screenshot(page, 'ip-users');
    await page.getByRole('button', { name: 'Remove 192.0.2.10/32' }).click();
    await confirmDialog(page, 'Remove IP user');
    await page.getByText('0 of 1 used, 1 left').waitFor();
  });

  it('adds a mailbox user, rotates its password (shown once) and imports a CSV with a per-row report', async () => {
    await go(page, 'Mailbox users', 'Mailbox users');
    await page.getByLabel('Email address').fill('alice@example.test');
    await page.getByRole('button', { name: 'Add user' }).click();
    const first = (await page.locator('[data-secret="Password"]').innerText()).trim();
    await page.getByRole('button', { name: 'I have saved it' }).click();

    await page.getByRole('button', { name: 'Rotate password of alice@example.test' }).click();
    await confirmDialog(page, 'Rotate password');
    state.alicePassword = (await page.locator('[data-secret="Password"]').innerText()).trim();
    assert.notEqual(state.alicePassword, first);
    await page.getByRole('button', { name: 'I have saved it' }).click();

    const csv = 'username,password\r\nbob@example.test,Secret-1234567\r\nnot-an-address\r\ncarol@elsewhere.test\r\nbob@example.test\r\n';
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByText('users.csv: 2 users to import, 2 lines with problems').waitFor();
    await page.getByRole('button', { name: 'Import 2 users' }).click();
    const report = page.locator('table.import-report');
    await report.waitFor();
    const rows = await report.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 4);
    assert.match(rows[0]!, /^2\s+bob@example\.test\s+✓ created/);
    assert.match(rows[1]!, /^3\s+✗ skipped: "not-an-address" is not an email address/);
    assert.match(rows[2]!, /^4\s+carol@elsewhere\.test\s+✗ .*not in one of your domains/);
    assert.match(rows[3]!, /^5\s+✗ skipped: bob@example\.test appears more than once/);
    await page.getByText('1 of 4 rows imported.').waitFor();
    await page.locator('tr[data-user="bob@example.test"]').waitFor();
    await screenshot(page, 'users');

    await page.getByRole('button', { name: 'Remove bob@example.test' }).click();
    await confirmDialog(page, 'Remove user');
    await page.locator('tr[data-user="bob@example.test"]').waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('button', { name: 'Remove example.test' }).count(), 0, 'the domain user goes with its domain');
  });

  it('shows mail sent through SMTP 587 in the log with its verdict, and it reaches the receiving server', async () => {
    await setThresholds('900', '1000'); // whatever the content scorer says, this one is delivered
    const sent = await submit(gw.smtpPort, { user: 'alice@example.test', pass: state.alicePassword }, {
      from: 'alice@example.test', to: 'bob@example.net', subject: 'Minutes of the Tuesday meeting', text: 'Hi Bob,\n\nthe notes are below.\n\nAlice\n',
    });
    assert.match(sent.response, /^250/);
    await go(page, 'Message log', 'Message log');
    const row = await waitForLogRow('Minutes of the Tuesday meeting', 'delivered');
    assert.equal(await row.locator('[data-verdict]').getAttribute('data-verdict'), 'deliver');
    assert.match(await row.innerText(), /alice@example\.test/);
    await eventually('the receiving server to get the message', async () => (receiver.received.some((m) => m.raw.toString().includes('Minutes of the Tuesday meeting')) ? true : undefined));
    await screenshot(page, 'message-log');

    await row.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: 'Minutes of the Tuesday meeting' }).waitFor();
    assert.match(await page.locator('#verdict-h + p').innerText(), /Score -?\d+\.\d\d: held at 900, rejected at 1000/);
    const delivery = await page.locator('table.delivery').innerText();
    assert.match(delivery, /bob@example\.net\s+delivered\s+1/);
    await screenshot(page, 'message-detail');
  });

  it('locks a sender with a reason so its mail is refused, and unlocks it again', async () => {
    await go(page, 'Senders', 'Senders');
    const row = page.locator('tr[data-sender="alice@example.test"]');
    await row.waitFor();
    // The sparklines come from a second request (the last day of the log): wait for it rather than race it.
    await row.locator('canvas.spark').first().waitFor();
    assert.equal(await row.locator('canvas.spark').count(), 1, 'a volume sparkline per sender');
    await row.getByRole('button', { name: 'Lock alice@example.test' }).click();
    await confirmDialog(page, 'Lock sender', 'Reported by a recipient as spam');
    await row.locator('[data-state="locked"]').waitFor();
    assert.match(await row.locator('td.why').innerText(), /Reported by a recipient as spam[\s\S]*Manual lock/);
    await screenshot(page, 'senders');

    await assert.rejects(
      submit(gw.smtpPort, { user: 'alice@example.test', pass: state.alicePassword }, { from: 'alice@example.test', to: 'bob@example.net', subject: 'While locked', text: 'x' }),
      (err: any) => err.responseCode === 550 && /lock/i.test(String(err.response)),
    );

    await row.getByRole('button', { name: 'Unlock alice@example.test' }).click();
    await confirmDialog(page, 'Unlock sender', 'Confirmed with the customer');
    await row.locator('[data-state="active"]').waitFor();
    const sent = await submit(gw.smtpPort, { user: 'alice@example.test', pass: state.alicePassword }, { from: 'alice@example.test', to: 'bob@example.net', subject: 'After unlock', text: 'Back again.\n' });
    assert.match(sent.response, /^250/);
  });

  it('releases a held message, which is then delivered, and deletes another', async () => {
    await setThresholds('0', '1000'); // every message with a non-negative score is held
    const spam = (subject: string) => submit(gw.smtpPort, { user: 'example.test', pass: state.domainPassword }, {
      from: 'offers@example.test', to: 'carol@example.net', subject,
      text: 'Dear friend, you have WON $1,000,000!!! Click http://bit.ly/claim-now to claim. 100% free, act now, limited offer.\n',
    });
    await spam('YOU HAVE WON');
    await spam('CLAIM YOUR PRIZE');
    await go(page, 'Message log', 'Message log');
    await page.getByLabel('Verdict').selectOption('quarantine');
    const held = await waitForLogRow('YOU HAVE WON', 'quarantined');
    await waitForLogRow('CLAIM YOUR PRIZE', 'quarantined');
    await held.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: 'YOU HAVE WON' }).waitFor();
    assert.ok((await page.locator('table.signals tbody tr').count()) >= 1, 'the signals behind the verdict are listed');
    await page.getByRole('button', { name: 'Show headers and body' }).click();
    assert.match(await page.getByLabel('Message source text').innerText(), /Subject: YOU HAVE WON[\s\S]*bit\.ly\/claim-now/);
    await screenshot(page, 'message-held');
    await page.getByRole('button', { name: 'Release', exact: true }).click();
    await confirmDialog(page, 'Release message');
    await page.getByText('Released: the message is on its way to delivery.').waitFor();
    await eventually('the released message to be delivered', async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return (await page.locator('[data-status="delivered"]').count()) === 1 ? true : undefined;
    });
    assert.ok(receiver.received.some((m) => m.raw.toString().includes('YOU HAVE WON')));

    await page.getByRole('link', { name: 'Back to the log' }).click();
    const other = await waitForLogRow('CLAIM YOUR PRIZE', 'quarantined');
    await other.getByRole('link').click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirmDialog(page, 'Delete message');
    await page.locator('[data-status="deleted"]').waitFor();
    assert.ok(!receiver.received.some((m) => m.raw.toString().includes('CLAIM YOUR PRIZE')));
  });

  it('pages through the log and exports the search as CSV', async () => {
    // Three a page (a size a link may carry; the menu offers 10 to 200): four messages make two pages.
    await page.goto(`${gw.apiBase}/#/messages?range=90d&limit=3`);
    await page.getByText('Page 1: 3 messages, newest first.').waitFor();
    assert.equal(await page.getByLabel('Per page').inputValue(), '3');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2: 1 message, newest first.').waitFor();
    assert.match(await page.locator('table.messages tbody tr').innerText(), /Minutes of the Tuesday meeting/);
    assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('Page 1: 3 messages, newest first.').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const text = readFileSync((await download.path())!, 'utf8');
    const lines = text.trim().split('\r\n');
    assert.match(lines[0]!, /^id,receivedAt,sender,mailFrom,recipients,subject,verdict,score,status/);
    assert.equal(lines.length, 1 + 4, 'a header and all four accepted messages, not just the page shown');
    assert.ok(lines.some((l) => l.includes('Minutes of the Tuesday meeting') && l.includes(',deliver,')));
  });

  it('draws the dashboard as charts: messages per hour by verdict, top senders and locks', async () => {
    // A lock still in force (alice's was lifted, and the API's stats list current locks only).
    await api('POST', '/v1/senders/example.test/lock', state.tenantToken, { reason: 'Held mail from a contact form' });
    await go(page, 'Dashboard', 'Dashboard');
    for (const id of ['hourly', 'top-senders', 'locks']) await page.locator(`figure[data-chart="${id}"] canvas`).waitFor();
    assert.match(await page.locator('ul.tiles').innerText(), /4\s+messages/);
    const painted = await page.locator('figure[data-chart="hourly"] canvas').evaluate((c: any) => {
      const ctx = c.getContext('2d');
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    });
    assert.ok(painted > 500, `the hourly chart is drawn (${painted} pixels painted)`);
    assert.match(await page.locator('section[aria-labelledby="locks-h"]').innerText(), /example\.test[\s\S]*Held mail from a contact form/);
    await screenshot(page, 'dashboard');
  });

  it('saves settings: thresholds, monitor-only, webhook, abuse contact and bulk senders', async () => {
    await go(page, 'Settings', 'Settings');
    await page.getByLabel('Notification webhook URL').fill('not a url');
    await page.getByLabel('Hold in quarantine at score').fill('5');
    await page.getByLabel('Reject at score').fill('10');
    await page.getByRole('button', { name: 'Save settings' }).click();
    // The browser's own URL check or the API's answer: either way, said in words and not saved.
    const invalid = await page.getByLabel('Notification webhook URL').evaluate((el: any) => !el.checkValidity());
    assert.ok(invalid);
    await page.getByLabel('Notification webhook URL').fill(hookUrl);
    await page.getByLabel('Abuse contact').fill('abuse@example.test');
    await page.getByLabel(/Monitor only/).check();
    await page.getByRole('button', { name: 'Add bulk sender' }).click();
    await page.getByLabel('Sender address 1').fill('news@example.test');
    await page.getByLabel('Messages per hour for bulk sender 1').fill('2000');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const saved = await api('GET', '/v1/settings', state.tenantToken);
    assert.equal(saved.webhookUrl, hookUrl);
    assert.equal(saved.abuseContact, 'abuse@example.test');
    assert.equal(saved.monitorOnly, true);
    assert.deepEqual(saved.bulkSenders, [{ sender: 'news@example.test', hourlyVolume: 2000 }]);
    await screenshot(page, 'settings');
  });

  it('lists a hard-bounced address on the suppression list, and adds, finds and removes one by hand', async () => {
    // Monitor-only is on (previous test): the message goes out whatever its score, and the receiver refuses it.
    await submit(gw.smtpPort, { user: 'alice@example.test', pass: state.alicePassword }, { from: 'alice@example.test', to: 'gone@example.net', subject: 'To a closed mailbox', text: 'Hello?\n' });
    await go(page, 'Suppression list', 'Suppression list');
    const gone = page.locator('tr[data-address="gone@example.net"]');
    await eventually('the hard bounce on the suppression list', async () => {
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.waitForLoadState('networkidle');
      return (await gone.count()) === 1 ? true : undefined;
    });
    assert.equal(await gone.locator('[data-reason]').getAttribute('data-reason'), 'hard-bounce');
    assert.match(await gone.innerText(), /5\.1\.1[\s\S]*The message/);

    await page.getByLabel('Address to suppress').fill('old@example.net');
    await page.getByLabel('Note').fill('Mailbox closed, says the customer');
    await page.getByRole('button', { name: 'Add address' }).click();
    await page.getByText('old@example.net is on the suppression list.').waitFor();
    await page.locator('tr[data-address="old@example.net"]').waitFor();
    await screenshot(page, 'suppressions');
    await page.getByLabel('Search addresses').fill('old@');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('tr[data-address="gone@example.net"]').waitFor({ state: 'detached' });
    const old = page.locator('tr[data-address="old@example.net"]');
    assert.match(await old.innerText(), /Added by you[\s\S]*Mailbox closed, says the customer/);
    await old.getByRole('button', { name: 'Remove old@example.net from the suppression list' }).click();
    await confirmDialog(page, 'Remove entry');
    await old.waitFor({ state: 'detached' });
    const left = await api('GET', '/v1/suppressions', state.tenantToken);
    assert.deepEqual(left.items.map((e: any) => e.address), ['gone@example.net']);
  });

  it('passes axe\'s WCAG 2 A and AA checks (labels, contrast, names, roles) on every page', async () => {
    const pages = [['Dashboard', 'Dashboard'], ['Message log', 'Message log'], ['Senders', 'Senders'], ['Domains', 'Domains'], ['Mailbox users', 'Mailbox users'], ['IP users', 'IP users'], ['Suppression list', 'Suppression list'], ['Settings', 'Settings']] as const;
    const found: string[] = [];
    for (const [nav, heading] of pages) {
      await go(page, nav, heading);
      await page.waitForLoadState('networkidle');
      found.push(...(await axeViolations(page)).map((v) => `${heading}: ${v}`));
    }
    await go(page, 'Message log', 'Message log');
    await page.locator('table.messages tbody tr a').first().click();
    await page.locator('#verdict-h').waitFor();
    found.push(...(await axeViolations(page)).map((v) => `Message: ${v}`));
    assert.deepEqual(found, []);
  });

  it('works from the keyboard alone: dialogs take focus, Escape closes them, focus comes back', async () => {
    await go(page, 'Senders', 'Senders');
    const lock = page.getByRole('button', { name: 'Lock alice@example.test' });
    await lock.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.equal(await page.evaluate(() => !!(globalThis as any).document.activeElement?.closest('dialog')), true, 'focus moved into the dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await lock.evaluate((el: any) => el === (globalThis as any).document.activeElement), true, 'focus returned to the button');
    assert.equal(await page.locator('tr[data-sender="alice@example.test"] [data-state="active"]').count(), 1, 'Escape changed nothing');

    // The tab order starts with the skip link, then the header's Sign out, then the navigation.
    await page.locator('a.skip').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent), 'Sign out');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent), 'Dashboard');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  });

  it('fits a phone screen: no sideways scrolling, navigation behind a menu button', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 780 }, isMobile: true, hasTouch: true });
    try {
      const p = await phone.newPage();
      p.on('pageerror', (err) => pageErrors.push(String(err)));
      await signIn(p, gw.apiBase, state.tenantToken);
      assert.equal(await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Senders' }).isVisible(), false);
      for (const [nav, heading] of [['Dashboard', 'Dashboard'], ['Message log', 'Message log'], ['Senders', 'Senders'], ['Domains', 'Domains'], ['Mailbox users', 'Mailbox users'], ['Settings', 'Settings']] as const) {
        await go(p, nav, heading);
        await p.waitForLoadState('networkidle');
        const overflow = await p.evaluate(() => {
          const d = (globalThis as any).document;
          const wide = [...d.querySelectorAll('body *')].filter((el: any) => el.getBoundingClientRect().right > d.documentElement.clientWidth + 1 && !el.closest('.table-wrap'))
            .slice(0, 5).map((el: any) => `${el.tagName.toLowerCase()}.${el.className}`);
          return { px: d.documentElement.scrollWidth - d.documentElement.clientWidth, wide };
        });
        assert.ok(overflow.px <= 1, `${heading} scrolls sideways by ${overflow.px}px at 375px: ${overflow.wide.join(', ')}`);
        if (heading === 'Dashboard' || heading === 'Message log') await screenshot(p, `phone-${heading.toLowerCase().replace(/ /g, '-')}`);
      }
    } finally {
      await phone.close();
    }
  });

  describe('as deployed on AWS', () => {
    /** Signs in on a deployed shape and checks every API call went where the shape says. */
    async function useShape(shape: DeployedShape): Promise<void> {
      const p = await context.newPage();
      p.on('pageerror', (err) => pageErrors.push(String(err)));
      try {
        const apiCalls: string[] = [];
        p.on('request', (r) => { if (r.url().includes('/v1/')) apiCalls.push(r.url()); });
        await p.goto(shape.siteUrl + '/');
        await p.getByLabel('Access token').fill('rgt_wrong');
        await p.getByRole('button', { name: 'Sign in' }).click();
        assert.match(await p.getByRole('alert').innerText(), /Sign-in failed/);
        await p.getByLabel('Access token').fill(state.tenantToken);
        await p.getByRole('button', { name: 'Sign in' }).click();
        await p.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
        await p.locator('figure[data-chart="hourly"] canvas').waitFor();
        await go(p, 'Domains', 'Domains');
        await p.locator('[data-domain="example.test"]').waitFor();
        await go(p, 'Suppression list', 'Suppression list');
        await p.locator('main .notice, main table, main p.muted').first().waitFor();
        assert.equal(await p.locator('main .notice.error').count(), 0, 'a route the API lacks reads "not available", not an error');
        assert.ok(apiCalls.length > 0 && apiCalls.every((u) => u.startsWith(shape.apiPrefix)), `API calls go to ${shape.apiPrefix}: ${apiCalls.join(', ')}`);
      } finally {
        await p.close();
      }
    }

    it('works from CloudFront with /v1/* routed to API Gateway on the same origin (the CDK shape)', async () => {
      const shape = await startCloudFrontShape(join(ROOT, 'console', 'dist'), gw.apiBase);
      try { await useShape(shape); } finally { await shape.stop(); }
    });

    it('works from a second origin with config.json naming the API under a stage path, over CORS', async () => {
      const shape = await startTwoOriginShape(join(ROOT, 'console', 'dist'), gw.apiBase, '/prod');
      try {
        await useShape(shape);
        assert.ok(shape.preflights() > 0, 'the browser sent CORS preflights, as it will to API Gateway');
      } finally {
        await shape.stop();
      }
    });
  });

  it('signs the tenant out, saying why, once its token is rotated elsewhere', async () => {
    await go(page, 'Dashboard', 'Dashboard');
    const tenants = await api('GET', '/v1/tenants', gw.operatorToken);
    const id = tenants.items.find((t: any) => t.name === 'Acme Hosting').id;
    const rotated = await api('POST', `/v1/tenants/${id}/token`, gw.operatorToken);
    assert.ok(rotated.token);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Senders', exact: true }).click();
    await page.getByText('Your token is no longer accepted (revoked or rotated). Sign in again.').waitFor();
    await page.getByLabel('Access token').waitFor();
    assert.equal(await page.evaluate(() => (globalThis as any).sessionStorage.length), 0);
    state.tenantToken = rotated.token;
  });

  it('raised no script errors in the browser', () => {
    assert.deepEqual(pageErrors, []);
  });
});
