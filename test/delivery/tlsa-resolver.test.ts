import { strict as assert } from 'node:assert';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTlsaResolver } from '../../adapters/transport/tlsa-resolver.js';

const HASH = Buffer.alloc(32, 0xab);

/** A DNS server on 127.0.0.1 answering TLSA queries from a table: name -> how to answer. */
type Behaviour = { rcode?: number; ad?: boolean; records?: Buffer[] } | 'silent';

function answer(query: Buffer, b: Exclude<Behaviour, 'silent'>): Buffer {
  let end = 12;
  while (query[end] !== 0) end += query[end]! + 1;
  const question = query.subarray(12, end + 5);
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(0x8180 | (b.ad ? 0x0020 : 0) | (b.rcode ?? 0), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(b.records?.length ?? 0, 6);
  const rrs = (b.records ?? []).map((rdata) => {
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
    rr.writeUInt16BE(52, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(300, 6);
    rr.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([rr, rdata]);
  });
  return Buffer.concat([header, question, ...rrs]);
}

function questionName(query: Buffer): string {
  const labels: string[] = [];
  for (let o = 12; query[o] !== 0; o += query[o]! + 1) labels.push(query.subarray(o + 1, o + 1 + query[o]!).toString());
  return labels.join('.');
}

describe('TLSA resolver over UDP', () => {
  const table: Record<string, Behaviour> = {
    '_25._tcp.signed.test': { ad: true, records: [Buffer.concat([Buffer.from([3, 1, 1]), HASH])] },
    '_25._tcp.unsigned.test': { ad: false, records: [Buffer.concat([Buffer.from([3, 1, 1]), HASH])] },
    '_25._tcp.broken.test': { rcode: 2 },
    '_25._tcp.slow.test': 'silent',
  };
  let server: dgram.Socket;
  let address: string;
  before(async () => {
    server = dgram.createSocket('udp4');
    server.on('message', (msg, rinfo) => {
      const b = table[questionName(msg)] ?? { rcode: 3 };
      if (b !== 'silent') server.send(answer(msg, b), rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('returns the TLSA records of a DNSSEC-validated answer', async () => {
    const records = await createTlsaResolver({ servers: [address] })('_25._tcp.signed.test');
    assert.deepEqual(records, [{ usage: 3, selector: 1, mtype: 1, cert: HASH }]);
  });

  it('ignores records the resolver did not validate, as RFC 7672 requires', async () => {
    assert.deepEqual(await createTlsaResolver({ servers: [address] })('_25._tcp.unsigned.test'), []);
    assert.equal((await createTlsaResolver({ servers: [address], requireAuthenticated: false })('_25._tcp.unsigned.test')).length, 1);
  });

  it('reports a missing name as ENOTFOUND, which mx-connect reads as "no DANE"', async () => {
    await assert.rejects(createTlsaResolver({ servers: [address] })('_25._tcp.nothing.test'), { code: 'ENOTFOUND' });
  });

  it('reports a server failure and a timeout as errors, which defer delivery', async () => {
    await assert.rejects(createTlsaResolver({ servers: [address] })('_25._tcp.broken.test'), { code: 'ESERVFAIL' });
    await assert.rejects(createTlsaResolver({ servers: [address], timeoutMs: 200 })('_25._tcp.slow.test'), { code: 'ETIMEOUT' });
  });
});
