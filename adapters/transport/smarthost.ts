// Delivery through one relay (SMARTHOST=host:port): every recipient in one
// SMTP session, STARTTLS when offered (or required), optional AUTH. A
// deadline in the request bounds the session (smtp-session.ts).
import type { ConnectionOptions } from 'node:tls';
import type { Transport } from '../../core/ports.js';
import { deliverOverSmtp } from './smtp-session.js';

export interface SmarthostOptions {
  host: string;
  port: number;
  /** Our name in EHLO. */
  name: string;
  /** Login, when the relay wants one; pair it with requireTLS unless the relay is on a trusted network. */
  auth?: { user: string; pass: string };
  /** Fail (and retry later) when the relay offers no STARTTLS. @default false: opportunistic */
  requireTLS?: boolean;
  /** Implicit TLS from the first byte (port 465). @default false */
  secure?: boolean;
  /** Options for tls.connect. @default certificate checked only when requireTLS or secure is set */
  tls?: ConnectionOptions;
  /** @default 30 s */
  connectTimeoutMs?: number;
  /** With a deadline, no session starts with less than this left. @default MIN_SESSION_MS, 5 s */
  minSessionMs?: number;
}

/** `relay.example.net:2525`, `[2001:db8::1]:25` or a bare host (port 25). */
export function parseSmarthost(value: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(value.trim()) ?? /^([^:]+)(?::(\d+))?$/.exec(value.trim());
  const port = m?.[2] ? Number(m[2]) : 25;
  if (!m || !m[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`SMARTHOST must be host:port (e.g. relay.example.net:587 or [2001:db8::1]:25); got ${JSON.stringify(value)}`);
  }
  return { host: m[1], port };
}

export function createSmarthostTransport(options: SmarthostOptions): Transport {
  const strict = options.requireTLS === true || options.secure === true;
  return {
    send(message) {
      return deliverOverSmtp(
        {
          mx: `${options.host}:${options.port}`,
          ...(options.auth ? { auth: options.auth } : {}),
          ...(options.minSessionMs !== undefined ? { minSessionMs: options.minSessionMs } : {}),
          connection: {
            host: options.host,
            port: options.port,
            name: options.name,
            secure: options.secure ?? false,
            ...(strict ? { requireTLS: !options.secure } : { opportunisticTLS: true }),
            connectionTimeout: options.connectTimeoutMs ?? 30_000,
            tls: { rejectUnauthorized: strict, ...options.tls },
          },
        },
        message,
      );
    },
  };
}
