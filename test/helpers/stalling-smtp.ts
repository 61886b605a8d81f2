// A receiving SMTP server on loopback that plays the session honestly up to
// a chosen stage and then says nothing more, keeping the connection open:
// what a stalled or overloaded MX looks like to a sender. It records what it
// was sent, so a test can tell whether the message reached it.
import net, { type AddressInfo } from 'node:net';

export type StallAt = 'greeting' | 'data-command' | 'data-reply' | 'never';

export interface ScriptedMx {
  port: number;
  /** Connections accepted. */
  connections: number;
  /** Commands received, in order (the message itself is not in here). */
  commands: string[];
  /** Lines of message content received after a 354. */
  bodyLines: string[];
  /** Whether the final dot of a message arrived. */
  messageComplete: boolean;
  /** How many messages arrived whole (their final dot), over every session. */
  completeMessages: number;
  close(): Promise<void>;
}

/**
 * A receiving SMTP server that plays the session honestly up to `stallAt`
 * and then says nothing more, keeping the connection open. 'never' stalls
 * nowhere and accepts the message. Every socket is destroyed on close.
 * With `stallOnlyFor`, a session stalls at 'data-command' or 'data-reply'
 * only when one of its RCPT TO lines matches it; the others run to the end,
 * so one server can take a message and stall on the next (a report).
 */
export async function scriptedMx(stallAt: StallAt, opts: { host?: string; port?: number; refuseRcpt?: RegExp; stallOnlyFor?: RegExp } = {}): Promise<ScriptedMx> {
  const sockets = new Set<net.Socket>();
  const mx: ScriptedMx = { port: 0, connections: 0, commands: [], bodyLines: [], messageComplete: false, completeMessages: 0, close: async () => {} };
  const server = net.createServer((s) => {
    sockets.add(s);
    mx.connections++;
    s.on('error', () => {});
    if (stallAt === 'greeting') return;
    s.write('220 mx.dest.test ESMTP\r\n');
    let buffered = '';
    let inData = false;
    let stallHere = opts.stallOnlyFor === undefined;
    const stallsAt = (stage: StallAt) => stallAt === stage && stallHere;
    s.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let eol: number;
      while ((eol = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, eol);
        buffered = buffered.slice(eol + 2);
        if (inData) {
          if (line !== '.') { mx.bodyLines.push(line); continue; }
          inData = false;
          mx.messageComplete = true;
          mx.completeMessages++;
          if (!stallsAt('data-reply')) s.write('250 2.0.0 queued as 1A2B3C\r\n');
          continue;
        }
        mx.commands.push(line);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'RCPT' && opts.stallOnlyFor?.test(line)) stallHere = true;
        if (verb === 'EHLO') s.write('250-mx.dest.test\r\n250 8BITMIME\r\n');
        else if (verb === 'RCPT' && opts.refuseRcpt?.test(line)) s.write('550 5.1.1 user unknown\r\n');
        else if (verb === 'MAIL' || verb === 'RCPT' || verb === 'RSET' || verb === 'NOOP') s.write('250 2.1.0 ok\r\n');
        else if (verb === 'DATA') {
          if (stallsAt('data-command')) continue;
          inData = true;
          s.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') s.end('221 2.0.0 bye\r\n');
        else s.write('502 5.5.2 not implemented\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  mx.port = (server.address() as AddressInfo).port;
  mx.close = () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); });
  return mx;
}
