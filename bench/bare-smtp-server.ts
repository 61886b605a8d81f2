// The bench's baseline: a bare smtp-server that accepts anything (STARTTLS
// and AUTH included) and discards the data — the library's own ceiling.
import { SMTPServer } from 'smtp-server';
import { generate } from 'selfsigned';

const pems = await generate([{ name: 'commonName', value: 'bench.local' }], { keySize: 2048 } as never);
const server = new SMTPServer({
  logger: false, disableReverseLookup: true, authOptional: true, key: pems.private, cert: pems.cert, size: 25 * 1024 * 1024,
  onAuth(_auth, _s, cb) { cb(null, { user: 'x' }); },
  onData(stream, _s, cb) { stream.on('data', () => {}); stream.on('end', () => cb(null, 'Ok')); },
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ event: 'BARE_READY', port: (server.server.address() as { port: number }).port }) + '\n'));
process.on('SIGINT', () => process.exit(0)); // a clean exit (writes --cpu-prof profiles)
