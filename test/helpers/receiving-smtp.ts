// A real receiving SMTP server for tests: smtp-server on 127.0.0.1 port 0
// that records what it accepts and can answer RCPT TO and DATA as told.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  secure: boolean;
}

export type Reply = { code: number; message: string };

export interface ReceiverOptions {
  /** Answer to RCPT TO per address; undefined accepts it. */
  rcpt?: (address: string) => Reply | undefined;
  /** Answer after the data; undefined accepts. */
  data?: () => Reply | undefined;
  /** Offer STARTTLS. @default true (smtp-server's built-in test certificate unless key/cert are given) */
  starttls?: boolean;
  key?: string;
  cert?: string;
  /** Require this login. */
  auth?: { user: string; pass: string };
  /** Advertise this SIZE limit in EHLO. */
  size?: number;
}

export interface Receiver {
  port: number;
  received: ReceivedMail[];
  /** Every RCPT TO seen, accepted or not. */
  rcptSeen: string[];
  close(): Promise<void>;
}

function smtpError(reply: Reply): Error {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

export async function startReceiver(opts: ReceiverOptions = {}): Promise<Receiver> {
  const received: ReceivedMail[] = [];
  const rcptSeen: string[] = [];
  const server = new SMTPServer({
    secure: false,
    logger: false,
    disabledCommands: opts.starttls === false ? ['STARTTLS', ...(opts.auth ? [] : ['AUTH'])] : opts.auth ? [] : ['AUTH'],
    ...(opts.starttls === false ? { hideSTARTTLS: true } : {}),
    ...(opts.key && opts.cert ? { key: opts.key, cert: opts.cert } : {}),
    authOptional: !opts.auth,
    ...(opts.size ? { size: opts.size } : {}),
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return cb(null, { user: auth.username });
      cb(smtpError({ code: 535, message: '5.7.8 bad credentials' }));
    },
    onRcptTo(address, _session, cb) {
      rcptSeen.push(address.address);
      const reply = opts.rcpt?.(address.address);
      cb(reply ? smtpError(reply) : undefined);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const reply = opts.data?.();
        if (reply) return cb(smtpError(reply));
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          secure: session.secure,
        });
        cb(null);
      });
    },
  });
  // A client that dies mid-session (the crash test kills the gateway) resets its
  // connection; that ends the session, never the test process.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    rcptSeen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
