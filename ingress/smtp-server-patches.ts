// Two small, deliberate changes to smtp-server's connection class, active
// only on servers created with our `greetingDelayMs` option:
//
// 1. Replies whose text already starts with an enhanced status code
//    ("5.7.1 Sender is locked") keep it; the library would otherwise prefix
//    its generic code for the number (550 → 5.1.1), which misleads clients.
//
// 2. smtp-server waits a fixed 100 ms before its greeting to catch clients that
// talk before they are greeted. On a submission port every sender must log
// in or be a registered IP user, so that wait buys little there, and it caps
// a sender that opens one connection per message at 10 messages/s. We keep
// the check where it still earns its cost — unknown addresses, where
// password-guessing bots connect — and greet registered IP users and loopback
// at once. The delay is chosen per connection by `greetingDelayMs(ip)`.
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

type DelayFn = (remoteAddress: string) => number;

interface PatchedConnection {
  _server: { options: { greetingDelayMs?: DelayFn; maxClients?: number }; connections: Set<unknown> };
  remoteAddress: string;
  name: string;
  _setListeners(cb: () => void): void;
  connectionReady(): void;
  send(code: number, msg: unknown, context?: unknown): void;
}

const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3} /;

let installed = false;

/** Installs both patches (idempotent); servers without `greetingDelayMs` keep the library's 100 ms. */
export function installSmtpServerPatches(): void {
  if (installed) return;
  installed = true;
  const proto = (SMTPConnection as unknown as { prototype: PatchedConnection & { init(): void } }).prototype;
  const originalSend = proto.send;
  proto.send = function (this: PatchedConnection, code: number, data: unknown, context?: unknown) {
    if (this._server.options.greetingDelayMs && typeof data === 'string' && ENHANCED.test(data)) context = false;
    return originalSend.call(this, code, data, context);
  };
  const original = proto.init;
  proto.init = function (this: PatchedConnection) {
    const delayFn = this._server.options.greetingDelayMs;
    if (!delayFn) return original.call(this);
    this._setListeners(() => {
      const { maxClients } = this._server.options;
      if (maxClients && this._server.connections.size > maxClients) {
        return this.send(421, this.name + ' 4.7.0 Too many connected clients, try again in a moment', false);
      }
      const delay = delayFn(this.remoteAddress);
      if (delay <= 0) return this.connectionReady();
      setTimeout(() => this.connectionReady(), delay).unref();
    });
  };
}
