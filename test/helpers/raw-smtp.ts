// A line-level SMTP client for protocol tests that a polite client library
// will not do: AUTH before STARTTLS, bare LF in DATA, early talking.
import net from 'node:net';
import tls from 'node:tls';

export class RawSmtp {
  private buf = '';
  private waiters: (() => void)[] = [];
  private constructor(private sock: net.Socket | tls.TLSSocket) { this.attach(sock); }

  private attach(sock: net.Socket | tls.TLSSocket) {
    sock.on('data', (d) => { this.buf += d.toString('latin1'); for (const w of this.waiters.splice(0)) w(); });
    sock.on('close', () => { for (const w of this.waiters.splice(0)) w(); });
  }

  static connect(port: number, opts: { host?: string; localAddress?: string } = {}): Promise<RawSmtp> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: opts.host ?? '127.0.0.1', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) }, () => resolve(new RawSmtp(s)));
      s.once('error', reject);
    });
  }

  /** Reads one full reply (multi-line aware); bounded by `timeoutMs`. */
  async reply(timeoutMs = 5000): Promise<{ code: number; text: string }> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const m = /^((?:\d{3}-[^\n]*\n)*)(\d{3}) ([^\n]*)\n/.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m[0].length);
        return { code: Number(m[2]), text: (m[1] + m[2] + ' ' + m[3]).replace(/\r/g, '') };
      }
      if (Date.now() > until || this.sock.destroyed) throw new Error(`no SMTP reply; buffer: ${JSON.stringify(this.buf)}`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 100); });
    }
  }

  write(data: string | Buffer): void { this.sock.write(data); }

  async cmd(line: string): Promise<{ code: number; text: string }> {
    this.write(line + '\r\n');
    return this.reply();
  }

  async starttls(): Promise<void> {
    const r = await this.cmd('STARTTLS');
    if (r.code !== 220) throw new Error(`STARTTLS refused: ${r.text}`);
    const plain = this.sock;
    plain.removeAllListeners('data');
    this.sock = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const t = tls.connect({ socket: plain, rejectUnauthorized: false }, () => resolve(t));
      t.once('error', reject);
    });
    this.attach(this.sock);
  }

  close(): void { this.sock.destroy(); }
}
