// TLSA lookups over UDP (RFC 6698 records, type 52) for node versions
// without dns.resolveTlsa (added in 22.15; the local runtime is node 20).
//
// DANE is only as good as DNSSEC: RFC 7672 section 2.2 says TLSA records
// that are not DNSSEC-validated must be ignored. node's resolver does not
// report validation, so this one asks with the AD bit set and, by default,
// returns no records unless the answer comes back with AD=1 — trust that
// only from a validating resolver you control (a local unbound, say).
import dgram from 'node:dgram';
import { getServers } from 'node:dns';
import { randomInt } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { TlsaRecord } from './direct-mx.js';

export interface TlsaResolverOptions {
  /** Resolver addresses (`ip` or `ip:port`, `[v6]:port`). @default node's configured DNS servers */
  servers?: string[];
  /** Per query. @default 3000 */
  timeoutMs?: number;
  /** Ignore answers the resolver did not DNSSEC-validate (AD=0). @default true */
  requireAuthenticated?: boolean;
}

const TYPE_TLSA = 52;

function dnsError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

export function encodeQuery(id: number, name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.');
  const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([Buffer.byteLength(l)]), Buffer.from(l)])), Buffer.from([0])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0120, 2); // RD + AD: ask the resolver to say whether it validated (RFC 6840 5.7)
  header.writeUInt16BE(1, 4); // one question
  header.writeUInt16BE(1, 10); // one additional: the EDNS0 OPT record
  const question = Buffer.alloc(4);
  question.writeUInt16BE(TYPE_TLSA, 0);
  question.writeUInt16BE(1, 2); // class IN
  // OPT: root name, type 41, UDP payload 1232, no extended flags, no options.
  const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, qname, question, opt]);
}

function skipName(buf: Buffer, offset: number): number {
  for (let guard = 0; guard < 128; guard++) {
    const len = buf[offset];
    if (len === undefined) throw dnsError('truncated name in DNS answer', 'EBADRESP');
    if (len === 0) return offset + 1;
    if ((len & 0xc0) === 0xc0) return offset + 2; // compression pointer ends the name
    offset += len + 1;
  }
  throw dnsError('name too long in DNS answer', 'EBADRESP');
}

export interface TlsaAnswer {
  records: TlsaRecord[];
  authenticated: boolean;
}

/** Parses a response to `encodeQuery(id, ...)`; NXDOMAIN throws ENOTFOUND, other failures ESERVFAIL/EBADRESP. */
export function decodeResponse(buf: Buffer, id: number): TlsaAnswer {
  if (buf.length < 12 || buf.readUInt16BE(0) !== id) throw dnsError('DNS answer does not match the query', 'EBADRESP');
  const flags = buf.readUInt16BE(2);
  const rcode = flags & 0x0f;
  if (rcode === 3) throw dnsError('no such name', 'ENOTFOUND');
  if (rcode !== 0) throw dnsError(`DNS server failure (rcode ${rcode})`, 'ESERVFAIL');
  if (flags & 0x0200) throw dnsError('truncated DNS answer', 'EBADRESP');
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let offset = 12;
  for (let i = 0; i < qd; i++) offset = skipName(buf, offset) + 4;
  const records: TlsaRecord[] = [];
  for (let i = 0; i < an; i++) {
    offset = skipName(buf, offset);
    if (offset + 10 > buf.length) throw dnsError('truncated DNS record', 'EBADRESP');
    const type = buf.readUInt16BE(offset);
    const rdlength = buf.readUInt16BE(offset + 8);
    const rdata = buf.subarray(offset + 10, offset + 10 + rdlength);
    if (rdata.length !== rdlength) throw dnsError('truncated DNS record', 'EBADRESP');
    if (type === TYPE_TLSA && rdlength > 3) {
      records.push({ usage: rdata[0]!, selector: rdata[1]!, mtype: rdata[2]!, cert: Buffer.from(rdata.subarray(3)) });
    }
    offset += 10 + rdlength;
  }
  return { records, authenticated: (flags & 0x0020) !== 0 };
}

function parseServer(server: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (bracketed) return { host: bracketed[1]!, port: Number(bracketed[2] ?? 53) };
  if (isIPv6(server)) return { host: server, port: 53 };
  const [host, port] = server.split(':');
  return { host: host!, port: Number(port ?? 53) };
}

function queryOnce(server: { host: string; port: number }, name: string, timeoutMs: number): Promise<TlsaAnswer> {
  const id = randomInt(0, 65536);
  const socket = dgram.createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
  return new Promise<TlsaAnswer>((resolve, reject) => {
    const timer = setTimeout(() => finish(dnsError(`TLSA query for ${name} timed out`, 'ETIMEOUT')), timeoutMs);
    function finish(err: Error | null, answer?: TlsaAnswer) {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(answer!);
    }
    socket.on('error', (err) => finish(err));
    socket.on('message', (msg, rinfo) => {
      if (rinfo.port !== server.port) return; // not from the server we asked
      try {
        finish(null, decodeResponse(msg, id));
      } catch (err) {
        if ((err as { code?: string }).code === 'EBADRESP' && msg.length >= 2 && msg.readUInt16BE(0) !== id) return; // a stray packet
        finish(err as Error);
      }
    });
    socket.send(encodeQuery(id, name), server.port, server.host);
  });
}

/** A `resolveTlsa` for DirectMxOptions.dane; tries each server in turn on timeouts and failures. */
export function createTlsaResolver(options: TlsaResolverOptions = {}): (name: string) => Promise<TlsaRecord[]> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const requireAuthenticated = options.requireAuthenticated ?? true;
  return async (name) => {
    const servers = (options.servers ?? getServers()).map(parseServer);
    if (servers.length === 0) throw dnsError('no DNS servers configured for TLSA lookups', 'ESERVFAIL');
    let last: Error | undefined;
    for (const server of servers) {
      try {
        const answer = await queryOnce(server, name, timeoutMs);
        // Unvalidated TLSA records must not be used (RFC 7672 2.2): the MX is then treated as having none.
        return requireAuthenticated && !answer.authenticated ? [] : answer.records;
      } catch (err) {
        if ((err as { code?: string }).code === 'ENOTFOUND') throw err;
        last = err as Error;
      }
    }
    throw last!;
  };
}
