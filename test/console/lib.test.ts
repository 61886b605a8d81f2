// The console's pure pieces: CSV in (mailbox-user import) and out (log export),
// and the per-sender hourly series behind the sparklines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsv, planUserImport, toCsv } from '../../console/src/lib/csv.js';
import { senderSparklines } from '../../console/src/lib/stats.js';

describe('CSV parsing', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    assert.deepEqual(parseCsv('a,"b,c","say ""hi""","two\nlines"\r\nx,y\n'), [['a', 'b,c', 'say "hi"', 'two\nlines'], ['x', 'y']]);
  });

  it('drops a byte-order mark and keeps a last line without a line end', () => {
    assert.deepEqual(parseCsv('\ufeffu1,p1\nu2'), [['u1', 'p1'], ['u2']]);
  });
});

describe('mailbox-user import plan', () => {
  it('skips the header and blank lines and keeps optional passwords', () => {
    const plan = planUserImport('username,password\r\nalice@example.com,S3cret-pass\r\n\r\nbob@example.com\r\n');
    assert.deepEqual(plan.rows, [
      { line: 2, username: 'alice@example.com', password: 'S3cret-pass' },
      { line: 4, username: 'bob@example.com' },
    ]);
    assert.deepEqual(plan.problems, []);
  });

  it('reports malformed addresses, duplicates and extra columns by line, before anything is sent', () => {
    const plan = planUserImport('alice@example.com\nnot-an-address\nALICE@example.com\ncarol@example.com,pw,extra\n');
    assert.deepEqual(plan.rows.map((r) => r.username), ['alice@example.com']);
    assert.deepEqual(plan.problems, [
      { line: 2, message: '"not-an-address" is not an email address' },
      { line: 3, message: 'ALICE@example.com appears more than once' },
      { line: 4, message: 'expected at most two columns: username, password' },
    ]);
  });

  it('refuses rows past the limit instead of sending an unbounded batch', () => {
    const text = Array.from({ length: 5 }, (_, i) => `u${i}@example.com`).join('\n');
    const plan = planUserImport(text, 3);
    assert.equal(plan.rows.length, 3);
    assert.deepEqual(plan.problems.map((p) => p.line), [4, 5]);
  });
});

describe('CSV export', () => {
  it('quotes what needs quoting and round-trips through the parser', () => {
    const csv = toCsv(['id', 'subject'], [['m1', 'Hello, "world"'], ['m2', 'two\nlines']]);
    assert.equal(csv, 'id,subject\r\nm1,"Hello, ""world"""\r\nm2,"two\nlines"\r\n');
    assert.deepEqual(parseCsv(csv), [['id', 'subject'], ['m1', 'Hello, "world"'], ['m2', 'two\nlines']]);
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    assert.equal(toCsv(['subject'], [['=HYPERLINK("http://x")'], ['+1'], ['-2'], ['@cmd']]),
      'subject\r\n"\'=HYPERLINK(""http://x"")"\r\n\'+1\r\n\'-2\r\n\'@cmd\r\n');
  });
});

describe('sender sparklines', () => {
  it('counts each sender\'s messages per hour over the last 24 hours, oldest first', () => {
    const now = new Date('2026-03-01T12:30:00Z');
    const series = senderSparklines([
      { sender: 'a@x.test', receivedAt: '2026-03-01T12:05:00Z' },
      { sender: 'a@x.test', receivedAt: '2026-03-01T12:59:59Z' },
      { sender: 'a@x.test', receivedAt: '2026-02-28T13:00:00Z' }, // first slot
      { sender: 'a@x.test', receivedAt: '2026-02-28T12:59:59Z' }, // too old
      { sender: 'b@x.test', receivedAt: '2026-03-01T11:00:00Z' },
    ], now);
    const a = series.get('a@x.test')!;
    assert.equal(a.length, 24);
    assert.equal(a[23], 2);
    assert.equal(a[0], 1);
    assert.equal(a.reduce((x, y) => x + y, 0), 3);
    assert.equal(series.get('b@x.test')![22], 1);
  });
});
