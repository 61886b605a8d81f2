// Contract: the spool keeps bytes exactly and the intake both records and schedules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isDomainError } from '../../core/errors.js';
import { TestClock, chunks, messageRecord, type StoresFactory } from './factory.js';

export function spoolAndIntakeContract(factory: StoresFactory): void {
  test('a spooled body streamed in chunks reads back byte for byte with its size', async () => {
    const s = await factory(new TestClock());
    try {
      const body = [Buffer.from('Subject: hi\r\n\r\n'), randomBytes(70_000), Buffer.from('\r\n.\r\n')];
      const { size } = await s.spool.put('msg-0000001', chunks(...body));
      assert.equal(size, 70_000 + 15 + 5);
      assert.deepEqual(await s.spool.get('msg-0000001'), Buffer.concat(body));
    } finally { await s.close(); }
  });

  test('a body larger than one multipart part is stored whole', async () => {
    const s = await factory(new TestClock());
    try {
      const parts = Array.from({ length: 7 }, () => randomBytes(1024 * 1024));
      const { size } = await s.spool.put('msg-big-0001', chunks(...parts));
      assert.equal(size, 7 * 1024 * 1024);
      assert.deepEqual(await s.spool.get('msg-big-0001'), Buffer.concat(parts));
    } finally { await s.close(); }
  });

  test('reading a deleted or never-stored spool key fails with NOT_FOUND', async () => {
    const s = await factory(new TestClock());
    try {
      await s.spool.put('msg-0000002', chunks('x'));
      await s.spool.delete('msg-0000002');
      await assert.rejects(s.spool.get('msg-0000002'), (e) => isDomainError(e, 'NOT_FOUND'));
      await assert.rejects(s.spool.get('msg-never-01'), (e) => isDomainError(e, 'NOT_FOUND'));
    } finally { await s.close(); }
  });

  test('a spool key with a path separator is refused', async () => {
    const s = await factory(new TestClock());
    try {
      await assert.rejects(s.spool.put('../../etc/passwd', chunks('x')), (e) => isDomainError(e, 'VALIDATION'));
    } finally { await s.close(); }
  });

  test('an accepted message is in the log and has exactly one score job', async () => {
    const s = await factory(new TestClock());
    try {
      await Promise.all(['msg-a000001', 'msg-a000002'].map((id) => s.intake.accept(messageRecord(id))));
      assert.equal((await s.messages.get('msg-a000001'))?.status, 'accepted');
      const jobs = await s.receiveScoreJobs();
      assert.deepEqual(jobs.map((j) => j.messageId).sort(), ['msg-a000001', 'msg-a000002']);
      assert.deepEqual(await s.receiveScoreJobs(), [], 'a received job is hidden from other workers');
    } finally { await s.close(); }
  });
}
