// Delivery straight to each recipient domain's MX hosts (mx-connect: MX
// lookup with A/AAAA fallback, MTA-STS policy, DANE TLSA records), one SMTP
// session per domain over the socket mx-connect opened.
//
// TLS policy per session, strongest first:
//   DANE  (TLSA records found)  STARTTLS required, certificate checked
//                               against the TLSA records, not a CA;
//   MTA-STS mode enforce        only MX hosts the policy lists, STARTTLS
//                               required, certificate valid for the MX name;
//   otherwise                   opportunistic STARTTLS (RFC 7435), any cert.
// Failing a policy defers the recipients; it never downgrades to plaintext.
//
// A deadline in the request (the deliver Lambda's) bounds the whole attempt:
// no MX host is tried with less than `minSessionMs` left, and the connect,
// greeting and reply timeouts are cut to the time left (smtp-session.ts).
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { resolve as dnsResolve } from 'node:dns';
import { domainToASCII } from 'node:url';
import mxConnect from 'mx-connect';
import type { OutboundMessage, RecipientResult, Transport } from '../../core/ports.js';
import { mayStartSession, outOfTime } from '../../core/delivery/attempt-deadline.js';
import { capToDeadline, watchDeadline } from './deadline.js';
import { createMtaStsCache, type MtaStsCache } from './mta-sts-cache.js';
import { deliverOverSmtp } from './smtp-session.js';

/** node's callback-style dns.resolve signature, as mx-connect calls it. */
export type ResolveFn = (name: string, typeOrCallback: unknown, callback?: unknown) => void;

export interface TlsaRecord {
  usage: number;
  selector: number;
  mtype: number;
  cert: Buffer;
}

export interface DirectMxOptions {
  /** Our name in EHLO. */
  name: string;
  /** Port of the receiving servers. @default 25 */
  port?: number;
  /** DNS resolver in dns.resolve's callback form. @default node's dns.resolve */
  resolve?: ResolveFn;
  /** Refuse MX hosts on loopback, private or our own addresses. @default true */
  blockLocalAddresses?: boolean;
  /** @default { enabled: true } with an in-memory policy cache */
  mtaSts?: { enabled: boolean; cache?: MtaStsCache };
  /**
   * DANE needs TLSA lookups, which node gained in 22.15; on older node give
   * `resolveTlsa` or DANE is skipped. @default { enabled: true }
   */
  dane?: { enabled: boolean; resolveTlsa?: (name: string) => Promise<TlsaRecord[]> };
  /** Extra options for tls.connect (tests add their private CA). @default none */
  tls?: ConnectionOptions;
  /** Per MX host. @default 30 s */
  connectTimeoutMs?: number;
  /** Recipient domains delivered to at the same time. @default 4 */
  concurrency?: number;
  /** With a deadline, no MX host is tried with less than this left. @default MIN_SESSION_MS, 5 s */
  minSessionMs?: number;
}

/** What mx-connect resolves with (a subset). */
interface MxConnection {
  socket: import('node:net').Socket;
  hostname: string;
  host: string;
  port: number;
  policyMatch?: { valid: boolean; mode?: string; testing?: boolean };
  daneEnabled?: boolean;
  daneVerifier?: (hostname: string, cert: unknown) => Error | undefined;
}

interface ConnectError extends Error {
  category?: string;
  temporary?: boolean;
  response?: string;
}

/** MX hosts one attempt may try after whole-host failures; the rest wait for the next attempt. */
const MX_HOSTS_PER_ATTEMPT = 3;
const DEFAULT_CONNECT_MS = 30_000;
/** nodemailer's socket timeout: SMTP's 10-minute wait for the final reply to DATA (RFC 5321 4.5.3.2.6). */
const REPLY_WAIT_SECONDS = 600;

/**
 * The longest one delivery attempt without a deadline (the local worker's)
 * can take: every MX host it tries gets its connect time and the full wait
 * for the reply to DATA. A queue lease shorter than this lets a job come up
 * again while it is still sending. An attempt with a deadline ends by it.
 */
export const LONGEST_ATTEMPT_SECONDS = MX_HOSTS_PER_ATTEMPT * (DEFAULT_CONNECT_MS / 1000 + REPLY_WAIT_SECONDS);

function groupByDomain(rcptTo: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const rcpt of rcptTo) {
    const domain = rcpt.slice(rcpt.lastIndexOf('@') + 1).toLowerCase();
    groups.set(domain, [...(groups.get(domain) ?? []), rcpt]);
  }
  return groups;
}

/**
 * No session: a domain that does not exist (or only points at addresses we
 * refuse) fails permanently with a local 550 5.1.2 reply (marked "local:", so a
 * DSN does not present it as a server's answer); policy failures and everything
 * else are code 0, retried.
 */
function connectFailure(rcpts: string[], err: ConnectError): RecipientResult[] {
  const text = (err.message || String(err)).replace(/\s+/g, ' ');
  if (err.category === 'dns' && !err.temporary) return rcpts.map((rcpt) => ({ rcpt, code: 550, reply: `550 5.1.2 local: ${text}` }));
  const prefix = err.category === 'policy' ? 'local-policy: ' : err.category === 'dane' ? 'local-tls: ' : '';
  return rcpts.map((rcpt) => ({ rcpt, code: 0, reply: prefix + text }));
}

/**
 * RFC 7505: an MX of "." (node reports the root as "") says the domain takes
 * no mail. mx-connect only sees an MX host it cannot resolve and fails with
 * a text about IP addresses; this asks again, only after such a failure.
 */
function hasNullMx(resolve: ResolveFn, domain: string): Promise<boolean> {
  return new Promise((done) => {
    resolve(domainToASCII(domain) || domain, 'MX', (err: Error | null, records?: { exchange: string }[]) => {
      done(!err && Array.isArray(records) && records.length > 0 && records.every((r) => r.exchange === '' || r.exchange === '.'));
    });
  });
}

export function createDirectMxTransport(options: DirectMxOptions): Transport {
  const port = options.port ?? 25;
  const mtaSts = { enabled: options.mtaSts?.enabled ?? true, cache: options.mtaSts?.cache ?? createMtaStsCache() };
  const dane = { enabled: options.dane?.enabled ?? true, resolveTlsa: options.dane?.resolveTlsa };
  const concurrency = Math.max(1, options.concurrency ?? 4);
  /** What every SMTP session is given besides its connection. */
  const sessionLimits = options.minSessionMs !== undefined ? { minSessionMs: options.minSessionMs } : {};

  function connectMx(domain: string, skipHosts: string[], deadline: number | undefined): Promise<MxConnection> {
    return mxConnect({
      target: domain,
      port,
      maxConnectTime: capToDeadline(options.connectTimeoutMs ?? DEFAULT_CONNECT_MS, deadline),
      localHostname: options.name,
      dnsOptions: {
        ignoreIPv6: false,
        preferIPv6: false,
        blockLocalAddresses: options.blockLocalAddresses ?? true,
        ...(options.resolve ? { resolve: options.resolve } : {}),
      },
      ignoreMXHosts: skipHosts,
      mtaSts,
      dane: { enabled: dane.enabled, ...(dane.resolveTlsa ? { resolveTlsa: dane.resolveTlsa } : {}) },
    }) as Promise<MxConnection>;
  }

  /** One SMTP session over a connected MX, under the TLS policy that host is bound by. */
  async function deliverVia(conn: MxConnection, rcpts: string[], message: OutboundMessage): Promise<RecipientResult[]> {
    const servername = isIP(conn.hostname) ? undefined : conn.hostname;
    const base = { connection: conn.socket, host: conn.host, port: conn.port, name: options.name, ...(servername ? { servername } : {}) };
    const session = {
      mx: conn.hostname,
      connection: {} as Parameters<typeof deliverOverSmtp>[0]['connection'],
      verifyTls: undefined as ((s: TLSSocket) => string | undefined) | undefined,
      ...sessionLimits,
    };

    if (conn.daneEnabled && conn.daneVerifier) {
      const verifier = conn.daneVerifier;
      // DANE-EE certificates are often self-signed: the TLSA match is the check, not a CA chain.
      session.connection = { ...base, requireTLS: true, tls: { ...options.tls, rejectUnauthorized: false } };
      session.verifyTls = (socket) => {
        const x509 = socket.getPeerX509Certificate();
        if (!x509) return 'local-tls: the server presented no certificate';
        // mx-connect reads `publicKey` with createPublicKey, which takes PEM, not a public KeyObject.
        const cert = { raw: x509.raw, publicKey: x509.publicKey.export({ type: 'spki', format: 'pem' }) };
        const failure = verifier(conn.hostname, cert);
        return failure ? `local-tls: ${failure.message}` : undefined;
      };
    } else if (conn.policyMatch?.valid && conn.policyMatch.mode === 'enforce') {
      session.connection = { ...base, requireTLS: true, tls: { ...options.tls, rejectUnauthorized: true } };
    } else {
      session.connection = { ...base, opportunisticTLS: true, tls: { ...options.tls, rejectUnauthorized: false } };
    }
    const results = await deliverOverSmtp(session, { ...message, rcptTo: rcpts });
    if (!session.connection.requireTLS && results.every((r) => r.code === 0 && r.reply.startsWith('local-tls:'))) {
      // RFC 7435: with no policy asking for TLS, a handshake that fails must not stop the mail for good
      // (it would fail the same way at every retry). The session is gone: once more, in plaintext.
      return deliverOverSmtp(
        {
          mx: conn.hostname,
          connection: { host: conn.host, port: conn.port, name: options.name, ignoreTLS: true, connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_MS },
          ...sessionLimits,
        },
        { ...message, rcptTo: rcpts },
      );
    }
    if (session.connection.requireTLS) {
      // A TLS failure under a policy is ours to name, so the bounce rules defer it as such.
      return results.map((r) => (r.code === 0 && !r.reply.startsWith('local-') ? { ...r, reply: `local-tls: ${r.reply}` } : r));
    }
    return results;
  }

  /**
   * RFC 5321 5.1: when an MX host fails as a whole (no usable session, TLS
   * policy not met, 421), the next one is tried in the same attempt. A host
   * that answered anything per recipient has decided; it is not second-guessed.
   * Near the deadline no further host is tried: the last one's replies stand,
   * or, when none was reached, the recipients ran out of time unsent.
   */
  async function deliverDomain(domain: string, rcpts: string[], message: OutboundMessage): Promise<RecipientResult[]> {
    const skipHosts: string[] = [];
    let results: RecipientResult[] = [];
    const { deadline } = message;
    const notSent = () => rcpts.map((rcpt) => outOfTime(rcpt, 'not-sent'));
    for (let i = 0; i < MX_HOSTS_PER_ATTEMPT; i++) {
      if (!mayStartSession(deadline, Date.now(), options.minSessionMs)) return results.length > 0 ? results : notSent();
      let conn: MxConnection;
      // DNS, MTA-STS and TLSA lookups have no timeouts of their own: the watch bounds them all,
      // and the null-MX check after a failed lookup too.
      const watch = watchDeadline(deadline);
      const connecting = connectMx(domain, skipHosts, deadline);
      try {
        conn = await watch.race(connecting);
      } catch (err) {
        if (watch.passed()) {
          // A connection that opens after the deadline is closed unused.
          connecting.then((late) => late.socket.destroy(), () => {});
          return results.length > 0 ? results : notSent();
        }
        // No host left: the replies of the last one tried say more than "no host".
        if (results.length > 0) return results;
        const e = err as ConnectError;
        if (e.category === 'dns' && !e.temporary) {
          // hasNullMx never rejects: a rejection is the deadline passing.
          const nullMx = await watch.race(hasNullMx(options.resolve ?? (dnsResolve as ResolveFn), domain)).catch(() => 'out of time' as const);
          if (nullMx === 'out of time') return notSent();
          if (nullMx) return rcpts.map((rcpt) => ({ rcpt, code: 556, reply: `556 5.1.10 local: ${domain} accepts no mail: it publishes a null MX (RFC 7505)` }));
        }
        return connectFailure(rcpts, e);
      } finally {
        watch.stop();
      }
      results = await deliverVia(conn, rcpts, message);
      if (!results.every((r) => r.code === 0 || r.code === 421)) return results;
      skipHosts.push(conn.host);
    }
    return results;
  }

  return {
    async send(message) {
      const groups = [...groupByDomain(message.rcptTo)];
      const results: RecipientResult[] = [];
      for (let i = 0; i < groups.length; i += concurrency) {
        const batch = await Promise.all(groups.slice(i, i + concurrency).map(([domain, rcpts]) => deliverDomain(domain, rcpts, message)));
        results.push(...batch.flat());
      }
      return results;
    },
  };
}
