// The SMTP submission server (587 with STARTTLS, optionally 465 implicit TLS).
// Thin: each smtp-server callback gathers facts, asks core (policy,
// reputation) and maps a DomainError to its SMTP reply. A 250 after DATA is
// sent only once the spool file and its log + queue record are durable.
import { SMTPServer, type SMTPServerAddress, type SMTPServerAuthentication, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Socket } from 'node:net';
import { DomainError, toSmtpReply } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Identity, Tenant } from '../core/model.js';
import type { Clock, Intake, Notifier, SenderStore, SpoolStore, TenantStore } from '../core/ports.js';
import { acceptedRecord } from '../core/pipeline/accept.js';
import { checkSenderOwnership } from '../core/policy/sender-ownership.js';
import { checkRecipientAddress } from '../core/policy/recipient.js';
import { checkAddressEncoding } from '../core/policy/smtputf8.js';
import { asciiAddress, canonicalAddress, canonicalDomain, senderKey } from '../core/policy/sender-key.js';
import { LoginThrottle, DEFAULT_LOGIN_THROTTLE, type LoginThrottleOptions } from '../core/policy/login-throttle.js';
import { checkSenderAllowed, recordLogin } from '../core/reputation/index.js';
import { makePasswordProbe, textContainsPassword, type PasswordProbe } from '../core/reputation/password-probe.js';
import { verifyPassword } from '../core/tenants/password.js';
import { VerifiedLoginCache } from './auth-cache.js';
import { IpUserCache } from './ip-user-cache.js';
import { TenantCache } from './tenant-cache.js';
import { DataTap } from './data-tap.js';
import { receivedHeader } from './received-header.js';
import { missingHeaders } from '../core/message/missing-headers.js';
import { installSmtpServerPatches } from './smtp-server-patches.js';
import { compileIpUsers } from '../core/policy/ip-match.js';
import { BackgroundNotifier } from './background-notifier.js';
import { problemLogOf, type ProblemLog } from '../core/log.js';

export interface IngressDeps {
  clock: Clock;
  tenants: TenantStore;
  senders: SenderStore;
  spool: SpoolStore;
  intake: Intake;
  /**
   * The tenants' webhook. The sender policy called here tells a tenant when
   * MAIL FROM lifts an expired automatic lock (`sender.unlocked`) and when
   * login evidence at AUTH locks a sender (`sender.locked`). Deliveries run in
   * the background (background-notifier.ts): an SMTP reply never waits for
   * one, and a failed one is logged. @default none: those events are not posted
   */
  notifier?: Notifier;
  /** Where handled problems (a failed webhook) are reported. @default stderr */
  log?: ProblemLog;
}

export interface IngressOptions {
  /** Name in the greeting and the Received header. */
  hostname: string;
  key: string | Buffer;
  cert: string | Buffer;
  /** Implicit TLS (port 465) instead of STARTTLS. @default false */
  secure?: boolean;
  /** Largest message accepted (advertised with SIZE; bigger gets 552). @default 25 MB */
  maxMessageBytes?: number;
  /** Recipients per message; more get 452. @default 100 */
  maxRecipients?: number;
  /** Simultaneous connections per client address; more get 421. @default 20 */
  maxConnectionsPerIp?: number;
  /** Simultaneous connections in all. @default 2000 */
  maxClients?: number;
  /** Idle time before the session is closed. @default 60 s */
  idleTimeoutMs?: number;
  /** Longest a session may last at all. @default 30 min */
  sessionTimeoutMs?: number;
  /** Early-talker wait before the greeting, for addresses that are neither IP users nor trusted. @default 100 ms */
  greetingDelayMs?: number;
  /** CIDRs greeted without the early-talker wait (they still must log in). @default loopback */
  trustedNetworks?: string[];
  /** How long deferred mail is retried (stamped on the record as its expiry). @default 48 h */
  retrySeconds?: number;
  loginThrottle?: LoginThrottleOptions;
  /** On close, how long to wait for webhook deliveries still in flight (they keep their own retries). @default 10 s */
  notifyDrainMs?: number;
}

interface SessionState {
  /** Salted digest of this session's login password, to spot it in the message (a leaked-credential probe). */
  probe?: PasswordProbe;
  identity?: Identity;
  tenant?: Tenant;
  sender?: string;
}

/** How much of a message the password probe reads: credential checks are short notes. */
const PROBE_BYTES = 64 * 1024;

/**
 * This MAIL FROM carried SMTPUTF8 (RFC 6531). Read from the command itself, not
 * from session.envelope.smtpUtf8: smtp-server sets that flag before onMailFrom
 * and never clears it when the command is refused, so a refused MAIL FROM … SMTPUTF8
 * would leave it set for the next MAIL FROM of the transaction.
 */
const declaresSmtpUtf8 = (mailFrom: SMTPServerAddress | false): boolean => !!mailFrom && !!mailFrom.args && mailFrom.args.SMTPUTF8 === true;

const smtpError = (err: unknown): Error & { responseCode: number } => {
  const { code, message } = toSmtpReply(err);
  return Object.assign(new Error(message), { responseCode: code });
};

export interface Ingress {
  server: SMTPServer;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export function createIngress(deps: IngressDeps, options: IngressOptions): Ingress {
  installSmtpServerPatches();
  const o = {
    secure: false, maxMessageBytes: 25 * 1024 * 1024, maxRecipients: 100, maxConnectionsPerIp: 20, maxClients: 2000,
    idleTimeoutMs: 60_000, sessionTimeoutMs: 30 * 60_000, greetingDelayMs: 100, trustedNetworks: ['127.0.0.0/8', '::1/128'],
    retrySeconds: 48 * 3600, loginThrottle: DEFAULT_LOGIN_THROTTLE, notifyDrainMs: 10_000, ...options,
  };
  // What the sender policy gets here: the stores, and the webhook fire-and-forget.
  const notifier = deps.notifier ? new BackgroundNotifier(deps.notifier, deps.log ? { log: deps.log } : {}) : undefined;
  const policyDeps = { clock: deps.clock, tenants: deps.tenants, senders: deps.senders, ...(notifier ? { notifier } : {}), ...(deps.log ? { log: deps.log } : {}) };
  const isTrusted = compileIpUsers(o.trustedNetworks.map((cidr, i) => ({ id: `trusted-${i}`, tenantId: '', cidr, createdAt: '' })));
  const ipUsers = new IpUserCache(deps.tenants, deps.clock);
  const tenants = new TenantCache(deps.tenants, deps.clock);
  const throttle = new LoginThrottle(deps.clock, o.loginThrottle);
  const loginCache = new VerifiedLoginCache();
  // Keyed by smtp-server's session object (one per connection, kept across RSET): a callback that finishes after
  // the client left cannot leave an entry behind, as one keyed by id did after onClose had run.
  const sessions = new WeakMap<SMTPServerSession, SessionState>();
  const perIp = new Map<string, number>();
  const state = (s: SMTPServerSession): SessionState => {
    let st = sessions.get(s);
    if (!st) sessions.set(s, (st = {}));
    return st;
  };
  void ipUsers.refresh().catch(() => {});

  async function authenticate(auth: SMTPServerAuthentication, session: SMTPServerSession): Promise<Identity> {
    const ip = session.remoteAddress;
    throttle.check(ip);
    // Usernames are stored canonical: an IDN domain (a domain user, or a mailbox's domain) typed in Unicode is the same login.
    const typed = (auth.username ?? '').trim();
    const username = typed.includes('@') ? canonicalAddress(typed) : canonicalDomain(typed);
    const password = auth.password ?? '';
    const user = username ? await deps.tenants.getUser(username) : undefined;
    const now = deps.clock.now().getTime();
    const ok = !!user && (loginCache.has(username, password, user.passwordHash, now) || (await verifyPassword(password, user.passwordHash)));
    if (!ok || !user) {
      throttle.fail(ip);
      // Counting the failure must not change the answer: a wrong password is a 535 even while the store is busy.
      if (user) await recordLogin(policyDeps, { tenantId: user.tenantId, username, clientIp: ip, success: false }).catch((err: unknown) => problemLogOf(deps).problem('LOGIN_RECORD_FAILED', { username, error: String(err) }));
      throw new DomainError('AUTH_FAILED', 'Authentication credentials invalid');
    }
    loginCache.add(username, password, user.passwordHash, now);
    const probe = makePasswordProbe(password);
    if (probe) state(session).probe = probe;
    throttle.succeed(ip);
    await recordLogin(policyDeps, { tenantId: user.tenantId, username, clientIp: ip, success: true });
    return { kind: 'smtp-user', tenantId: user.tenantId, username: user.username, userKind: user.kind };
  }

  async function mailFrom(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    checkAddressEncoding(address.address, declaresSmtpUtf8(address));
    const st = state(session);
    let identity = session.user as Identity | undefined;
    if (!identity) {
      const ipUser = await ipUsers.match(session.remoteAddress);
      if (!ipUser) throw new DomainError('AUTH_REQUIRED', 'Authentication required: log in with your SMTP credentials after STARTTLS');
      identity = { kind: 'ip-user', tenantId: ipUser.tenantId, ipUserId: ipUser.id, cidr: ipUser.cidr };
    }
    const tenant = await tenants.tenant(identity.tenantId);
    if (!tenant) throw new DomainError('AUTH_FAILED', 'This account no longer exists');
    // Both take the address as the client wrote it: they compare its canonical form (an IDN's domain in
    // punycode, as domains are stored), core/policy/sender-key.ts.
    if (identity.kind === 'smtp-user') {
      const owned = identity.userKind === 'domain' ? await tenants.domains(tenant.id) : [];
      checkSenderOwnership(identity, address.address, owned);
    }
    const sender = senderKey(identity, address.address);
    await checkSenderAllowed(policyDeps, { tenant, sender, clientIp: session.remoteAddress, identity });
    Object.assign(st, { identity, tenant, sender });
  }

  async function data(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const st = state(session);
    const { identity, tenant } = st;
    if (!identity || !tenant || !st.sender) throw new DomainError('TEMPORARY', 'Session state lost, please retry');
    const now = deps.clock.now();
    const id = newId(now);
    const envelope = {
      // smtp-server hands the addresses over with their domains decoded to Unicode, even when the client sent ASCII.
      mailFrom: session.envelope.mailFrom ? asciiAddress(session.envelope.mailFrom.address) : '',
      rcptTo: session.envelope.rcptTo.map((r) => asciiAddress(r.address)),
    };
    // A Date and Message-ID are added when the message has none (RFC 6409 §8), at the end of its header block.
    const tap = new DataTap(o.maxMessageBytes, st.probe ? PROBE_BYTES : 0, (facts) => missingHeaders(facts, { id, hostname: o.hostname, now }));
    const trace = receivedHeader({ session, hostname: o.hostname, id, mailFrom: envelope.mailFrom, authenticated: identity.kind === 'smtp-user', now });
    let stored = false;
    try {
      const { size } = await deps.spool.put(id, tap.pipe(stream as AsyncIterable<Buffer>, Buffer.from(trace)));
      stored = true;
      // Past the tap's limit the put itself fails (DataTap.pipe ends in MESSAGE_TOO_BIG); this is smtp-server's own count.
      if (stream.sizeExceeded) throw new DomainError('MESSAGE_TOO_BIG', `Message exceeds the size limit of ${o.maxMessageBytes} bytes`);
      if (tap.bareLineEnding) throw new DomainError('SMUGGLING', 'Message refused: bare LF or CR line endings are not allowed (use CRLF)');
      const headers = tap.headerFacts();
      let sender = st.sender;
      if (identity.kind === 'ip-user' && headers.xAuthUser) {
        sender = senderKey(identity, envelope.mailFrom, headers.xAuthUser);
        if (sender !== st.sender) await checkSenderAllowed(policyDeps, { tenant, sender, clientIp: session.remoteAddress, identity });
      }
      const passwordInMessage = !!st.probe && textContainsPassword(tap.keptText(), st.probe);
      const record = acceptedRecord({ id, identity, envelope, clientIp: session.remoteAddress, sender, size, headers, now, retrySeconds: o.retrySeconds, passwordInMessage, smtpUtf8: declaresSmtpUtf8(session.envelope.mailFrom) });
      await deps.intake.accept(record);
      return `2.0.0 Ok: queued as ${id}`;
    } catch (err) {
      for await (const _ of stream) { /* drain what is left so the session can go on */ }
      if (stored) await deps.spool.delete(id).catch(() => {});
      throw err;
    }
  }

  const server = new SMTPServer({
    name: o.hostname,
    banner: 'Relayguard ESMTP submission',
    secure: o.secure,
    key: o.key,
    cert: o.cert,
    logger: false,
    disableReverseLookup: true,
    // Every reply carries an enhanced status code (RFC 3463), ours as well as the library's, so EHLO says so (RFC 2034).
    hideENHANCEDSTATUSCODES: false,
    // SMTPUTF8 is advertised (RFC 6531): a non-ASCII local part is taken only in a transaction whose MAIL FROM
    // declares it, else 553 5.6.7 at that MAIL FROM or RCPT TO (core/policy/smtputf8.ts); the record keeps the flag.
    hideSMTPUTF8: false,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: true,
    allowInsecureAuth: false,
    size: o.maxMessageBytes,
    maxRecipients: o.maxRecipients,
    maxClients: o.maxClients,
    socketTimeout: o.idleTimeoutMs,
    closeTimeout: 5000,
    greetingDelayMs: (ip: string) => (isTrusted(ip) || ipUsers.matchCached(ip) ? 0 : o.greetingDelayMs),
    onConnect(session, cb) {
      const n = (perIp.get(session.remoteAddress) ?? 0) + 1;
      perIp.set(session.remoteAddress, n);
      if (n > o.maxConnectionsPerIp) return cb(Object.assign(new Error(`4.7.0 Too many connections from ${session.remoteAddress}, try again later`), { responseCode: 421 }));
      cb();
    },
    onClose(session) {
      const n = (perIp.get(session.remoteAddress) ?? 1) - 1;
      if (n <= 0) perIp.delete(session.remoteAddress);
      else perIp.set(session.remoteAddress, n);
      sessions.delete(session);
    },
    onAuth(auth, session, cb) {
      authenticate(auth, session).then((user) => cb(null, { user }), (err) => cb(smtpError(err)));
    },
    onMailFrom(address, session, cb) {
      mailFrom(address, session).then(() => cb(), (err) => cb(smtpError(err)));
    },
    onRcptTo(address, session, cb) {
      try { checkRecipientAddress(address.address, { smtpUtf8: declaresSmtpUtf8(session.envelope.mailFrom) }); cb(); } catch (err) { cb(smtpError(err)); }
    },
    onData(stream, session, cb) {
      data(stream, session).then((msg) => cb(null, msg), (err) => cb(smtpError(err)));
    },
  } as ConstructorParameters<typeof SMTPServer>[0] & { greetingDelayMs: (ip: string) => number });

  // A hard ceiling on a session's length, whatever it does (slow-drip DATA included).
  server.server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), o.sessionTimeoutMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
  server.on('error', () => { /* per-connection errors (resets, TLS failures) end that session only */ });

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(port, host, () => {
          server.server.off('error', reject);
          resolve((server.server.address() as { port: number }).port);
        });
      });
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await notifier?.drain(o.notifyDrainMs);
    },
  };
}
