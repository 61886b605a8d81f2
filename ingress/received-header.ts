// Our trace header, prepended to every accepted message (RFC 5321 §4.4).
import type { SMTPServerSession } from 'smtp-server';

export function receivedHeader(p: { session: SMTPServerSession; hostname: string; id: string; mailFrom: string; authenticated: boolean; now: Date }): string {
  const helo = String(p.session.hostNameAppearsAs || 'unknown').replace(/[^\x21-\x7e]/g, '').slice(0, 255);
  const addr = p.session.remoteAddress.replace(/^::ffff:/, '');
  const ip = addr.includes(':') ? `IPv6:${addr}` : addr; // RFC 5321 4.1.3 address literal
  // RFC 3848 protocol names: the S is TLS, the A is a login.
  const proto = `ESMTP${p.session.secure ? 'S' : ''}${p.authenticated ? 'A' : ''}`;
  const tls = p.session.secure && p.session.tlsOptions ? `\r\n\t(using ${p.session.tlsOptions.version} with cipher ${p.session.tlsOptions.name})` : '';
  return `Received: from ${helo} ([${ip}])${tls}\r\n\tby ${p.hostname} (Relayguard) with ${proto} id ${p.id}\r\n\t(envelope-from <${p.mailFrom}>);\r\n\t${p.now.toUTCString().replace('GMT', '+0000')}\r\n`;
}
