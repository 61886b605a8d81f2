// VirusScanner over clamd's INSTREAM command, on TCP or a Unix socket.
// Any failure (refused, timeout, clamd error reply) throws: core turns that
// into a temporary failure, never into "clean".
import { connect, type Socket } from 'node:net';
import type { VirusScanner, VirusScanResult } from '../../core/ports.js';

export interface ClamdOptions {
  /** Unix socket path; when set, host and port are ignored. */
  socketPath?: string;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 3310 */
  port?: number;
  /** Whole-scan deadline: connect, send and verdict. @default 15000 ms */
  timeoutMs?: number;
  /** Bytes per INSTREAM chunk; must stay below clamd's StreamMaxLength. @default 65536 */
  chunkSize?: number;
}

export class ClamdScanner implements VirusScanner {
  readonly opts: Required<Omit<ClamdOptions, 'socketPath'>> & { socketPath?: string };

  constructor(options: ClamdOptions = {}) {
    this.opts = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 3310,
      timeoutMs: options.timeoutMs ?? 15_000,
      chunkSize: options.chunkSize ?? 65_536,
      ...(options.socketPath ? { socketPath: options.socketPath } : {}),
    };
    if (this.opts.chunkSize <= 0) throw new Error(`clamd chunkSize must be positive, got ${this.opts.chunkSize}`);
  }

  async scan(raw: Buffer): Promise<VirusScanResult> {
    const reply = await this.command('zINSTREAM\0', (sock) => {
      for (let off = 0; off < raw.length; off += this.opts.chunkSize) {
        const chunk = raw.subarray(off, off + this.opts.chunkSize);
        const len = Buffer.alloc(4);
        len.writeUInt32BE(chunk.length);
        sock.write(len);
        sock.write(chunk);
      }
      sock.write(Buffer.alloc(4)); // zero-length chunk ends the stream
    });
    return parseScanReply(reply);
  }

  /** True when clamd answers PING with PONG. */
  async ping(): Promise<boolean> {
    try {
      return (await this.command('zPING\0')) === 'PONG';
    } catch {
      return false;
    }
  }

  private command(cmd: string, send?: (sock: Socket) => void): Promise<string> {
    return new Promise((resolve, reject) => {
      const sock = this.opts.socketPath ? connect(this.opts.socketPath) : connect(this.opts.port, this.opts.host);
      const chunks: Buffer[] = [];
      let settled = false;
      const finish = (err: Error | undefined, value?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.destroy();
        if (err) reject(err); else resolve(value!);
      };
      const timer = setTimeout(() => finish(new Error(`clamd did not answer within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
      sock.on('connect', () => {
        sock.write(cmd);
        send?.(sock);
      });
      sock.on('data', (d: Buffer) => {
        chunks.push(d);
        const all = Buffer.concat(chunks);
        const nul = all.indexOf(0);
        if (nul >= 0) finish(undefined, all.subarray(0, nul).toString('utf8').trim());
      });
      sock.on('error', (err) => finish(new Error(`clamd: ${err.message}`)));
      sock.on('close', () => finish(new Error('clamd closed the connection without a reply')));
    });
  }
}

/** "stream: OK" -> clean; "stream: Name FOUND" -> infected; anything else (size limit, ERROR) throws. */
export function parseScanReply(reply: string): VirusScanResult {
  const body = reply.replace(/^stream:\s*/, '');
  if (body === 'OK') return { infected: false };
  const found = /^(.+?)\s+FOUND$/.exec(body);
  if (found) return { infected: true, name: found[1]! };
  throw new Error(`clamd: ${reply}`);
}

/**
 * A scanner from one address setting (the CLAMD environment variable):
 * "host:port", "[v6]:port", a bare port, or a Unix socket path ("/run/clamav/clamd.ctl").
 */
export function clamdFromAddress(address: string, options: Omit<ClamdOptions, 'socketPath' | 'host' | 'port'> = {}): ClamdScanner {
  const a = address.trim();
  if (a.startsWith('/') || a.startsWith('.')) return new ClamdScanner({ ...options, socketPath: a });
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(a) ?? /^()()(\d+)$/.exec(a);
  if (!m) throw new Error(`CLAMD must be host:port, a port or a socket path; got ${JSON.stringify(address)}`);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new Error(`CLAMD port must be 1-65535; got ${port}`);
  return new ClamdScanner({ ...options, host: m[1] || m[2] || '127.0.0.1', port });
}
