// A lean SMTP load client for the ingress bench, for what postfix's
// smtp-source cannot do (STARTTLS + AUTH). Pipelines MAIL/RCPT/DATA like
// smtp-source and uses as little CPU as it can, so the server is measured.
// Usage: tsx bench/smtp-load.ts PORT SESSIONS MESSAGES REUSE(0|1) TLS_AUTH(user:pass|-) SIZE
import net from 'node:net';
import tls from 'node:tls';

const [port, sessions, messages, reuse, auth, size] = process.argv.slice(2);
const PORT = Number(port), SESSIONS = Number(sessions), TOTAL = Number(messages), REUSE = reuse === '1', SIZE = Number(size ?? 10240);
const creds = auth && auth !== '-' ? auth.split(':') : undefined;
const body = Buffer.from(
  `From: <alice@bench.example>\r\nTo: <bob@partner.example>\r\nSubject: bench\r\n\r\n` +
  ('The quick brown fox jumps over the lazy dog. 0123456789 abcdefghij\r\n'.repeat(Math.ceil(SIZE / 68))).slice(0, SIZE) + '\r\n.\r\n',
);
const from = creds ? creds[0]! : 'alice@bench.example';

class Conn {
  private buf = '';
  private wait: ((line: string) => void) | undefined;
  constructor(public sock: net.Socket | tls.TLSSocket) { this.bind(); }
  bind() {
    this.sock.on('data', (d) => { this.buf += d.toString('latin1'); this.pump(); });
    this.sock.on('error', (e) => { if (this.wait) { const w = this.wait; this.wait = undefined; w('000 ' + e.message); } });
  }
  pump() {
    for (;;) {
      if (!this.wait) return;
      const m = /^(\d{3}) [^\n]*\n/m.exec(this.buf);
      if (!m) return;
      const end = this.buf.indexOf(m[0]) + m[0].length;
      this.buf = this.buf.slice(end);
      const w = this.wait; this.wait = undefined; w(m[0]);
    }
  }
  reply(): Promise<string> { return new Promise((r) => { this.wait = r; this.pump(); }); }
  async cmd(s: string) { this.sock.write(s + '\r\n'); return this.reply(); }
}

async function open(): Promise<Conn> {
  const sock = net.connect(PORT, '127.0.0.1');
  await new Promise((r, j) => { sock.once('connect', r); sock.once('error', j); });
  let c = new Conn(sock);
  await c.reply();
  await c.cmd('EHLO load.bench');
  if (creds) {
    await c.cmd('STARTTLS');
    sock.removeAllListeners('data');
    const t = tls.connect({ socket: sock, rejectUnauthorized: false });
    await new Promise((r, j) => { t.once('secureConnect', r); t.once('error', j); });
    c = new Conn(t);
    await c.cmd('EHLO load.bench');
    const r = await c.cmd('AUTH PLAIN ' + Buffer.from(`\0${creds[0]}\0${creds[1]}`).toString('base64'));
    if (!r.startsWith('235')) throw new Error('auth failed: ' + r);
  }
  return c;
}

let sent = 0, failed = 0;
async function session(): Promise<void> {
  let c: Conn | undefined;
  while (sent < TOTAL) {
    sent++;
    c ??= await open();
    c.sock.write(`MAIL FROM:<${from}>\r\nRCPT TO:<bob@partner.example>\r\nDATA\r\n`);
    const a = await c.reply(), b = await c.reply(), d = await c.reply();
    if (!a.startsWith('250') || !b.startsWith('250') || !d.startsWith('354')) { failed++; c.sock.destroy(); c = undefined; continue; }
    c.sock.write(body);
    if (!(await c.reply()).startsWith('250')) failed++;
    if (!REUSE) { await c.cmd('QUIT'); c.sock.destroy(); c = undefined; }
  }
  if (c) { await c.cmd('QUIT'); c.sock.destroy(); }
}

const t0 = process.hrtime.bigint();
await Promise.all(Array.from({ length: SESSIONS }, session));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(JSON.stringify({ seconds, messages: TOTAL, failed }) + '\n');
