// Starts a real clamd (Debian clamav-daemon) in the foreground on loopback
// with a signature database the test writes itself: no download needed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { ClamdScanner } from '../../../adapters/clamd/clamd-scanner.js';
import { EICAR } from './messages.js';
import { freePort } from '../../helpers/free-port.js';

export const CLAMD_BINARY = ['/usr/sbin/clamd', '/usr/bin/clamd'].find((p) => existsSync(p));

export interface RunningClamd {
  port: number;
  socketPath: string;
  dir: string;
  stop(): Promise<void>;
}

/** A test-only signature in .ndb form: any file containing this hex marker is "infected". */
export const TEST_MARKER = 'RELAYGUARD-TEST-MALWARE-MARKER-7f3a';

export async function startClamd(): Promise<RunningClamd> {
  if (!CLAMD_BINARY) throw new Error('clamd not installed: apt-get install clamav-daemon (.ci/apt-packages lists it)');
  const dir = mkdtempSync(join(tmpdir(), 'relayguard-clamd-'));
  const db = join(dir, 'db');
  mkdirSync(db);
  // .hdb: md5:size:name of the EICAR file; .ndb: a hex body signature for our own marker.
  writeFileSync(join(db, 'test.hdb'), `${createHash('md5').update(EICAR).digest('hex')}:${EICAR.length}:Eicar-Test-Signature\n`);
  writeFileSync(join(db, 'test.ndb'), `Relayguard-Test-Marker:0:*:${Buffer.from(TEST_MARKER).toString('hex')}\n`);
  const port = await freePort();
  const socketPath = join(dir, 'clamd.sock');
  const conf = join(dir, 'clamd.conf');
  writeFileSync(conf, [
    'Foreground yes', `TCPSocket ${port}`, 'TCPAddr 127.0.0.1', `LocalSocket ${socketPath}`,
    `DatabaseDirectory ${db}`, `LogFile ${join(dir, 'clamd.log')}`, `PidFile ${join(dir, 'clamd.pid')}`,
    'ScanMail yes', 'ScanArchive yes', 'StreamMaxLength 25M', 'MaxThreads 2', 'Bytecode no',
  ].join('\n') + '\n');
  const child: ChildProcess = spawn(CLAMD_BINARY, ['--config-file', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => { output += d; });
  child.stderr?.on('data', (d) => { output += d; });
  let exited = false;
  child.on('exit', () => { exited = true; });
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const probe = new ClamdScanner({ port, timeoutMs: 1000 });
  for (let i = 0; i < 120; i++) { // up to 60 s: clamd loads its (tiny) database first
    if (exited) break;
    if (await probe.ping()) return { port, socketPath, dir, stop };
    await new Promise((r) => setTimeout(r, 500));
  }
  let log = '';
  try { log = readFileSync(join(dir, 'clamd.log'), 'utf8'); } catch { /* no log yet */ }
  await stop();
  throw new Error(`clamd did not start: ${output}\n${log}`);
}
