// A tiny DNS server on 127.0.0.1 for the blocklist adapter tests: answers A
// queries from a table, NXDOMAIN otherwise, or stays silent when told to.
import { createSocket } from 'node:dgram';

export interface TestDnsServer {
  port: number;
  queries: string[];
  /** When true, queries are read and never answered (an unreachable resolver). */
  silent: boolean;
  close(): Promise<void>;
}

export async function startDnsServer(records: Record<string, string>): Promise<TestDnsServer> {
  const sock = createSocket('udp4');
  const server: TestDnsServer = { port: 0, queries: [], silent: false, close: () => new Promise((r) => sock.close(() => r())) };
  sock.on('message', (msg, rinfo) => {
    let p = 12;
    const labels: string[] = [];
    while (msg[p]! > 0 && p < msg.length) { labels.push(msg.subarray(p + 1, p + 1 + msg[p]!).toString('latin1')); p += msg[p]! + 1; }
    const qEnd = p + 5; // zero label, QTYPE, QCLASS
    const name = labels.join('.').toLowerCase();
    server.queries.push(name);
    if (server.silent) return;
    const ip = records[name];
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(ip ? 0x8180 : 0x8183, 2); // response, recursion available; NXDOMAIN when unknown
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(ip ? 1 : 0, 6);
    const question = msg.subarray(12, qEnd);
    const parts = [header, question];
    if (ip) {
      const answer = Buffer.alloc(16);
      answer.writeUInt16BE(0xc00c, 0); answer.writeUInt16BE(1, 2); answer.writeUInt16BE(1, 4);
      answer.writeUInt32BE(60, 6); answer.writeUInt16BE(4, 10);
      ip.split('.').forEach((o, i) => { answer[12 + i] = Number(o); });
      parts.push(answer);
    }
    sock.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  server.port = sock.address().port;
  return server;
}
