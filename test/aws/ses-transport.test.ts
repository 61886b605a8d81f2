// The SES transport against the SES emulator: a message to more recipients
// than SES takes in one SendEmail goes out in several.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSesClient, SesTransport } from '../../adapters/aws/ses-transport.js';
import { DUMMY_CREDENTIALS, startSesLocal } from './emulators.js';

describe('the SES transport', () => {
  test('a message to 100 recipients goes out in sends of at most 50 (SES refuses more in one), every recipient accepted', async () => {
    const ses = await startSesLocal();
    const client = createSesClient({ region: 'us-east-1', credentials: DUMMY_CREDENTIALS, endpoints: { ses: ses.endpoint } });
    try {
      const rcptTo = Array.from({ length: 100 }, (_, i) => `r${i}@example.net`);
      const raw = Buffer.from('From: alice@example.com\r\nTo: list@example.net\r\nSubject: hundred\r\n\r\nhello\r\n');
      const results = await new SesTransport(client, { messageId: 'msg-100' }).send({ mailFrom: 'alice@example.com', rcptTo, raw });
      assert.deepEqual(results.map((r) => r.rcpt), rcptTo);
      assert.ok(results.every((r) => r.code === 250), 'every recipient accepted');
      // The emulator keeps each send (its stored destination is the raw message's To header, not the envelope).
      assert.equal((await ses.sent()).length, 2, 'two sends of 50');
    } finally { client.destroy(); await ses.stop(); }
  });
});
