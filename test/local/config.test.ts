import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeConfig, loadConfig } from '../../local/config.js';

test('configuration fails fast naming the key, the value given and the rule', () => {
  assert.throws(() => loadConfig({ SMTP_PORT: '70000' }), /SMTP_PORT="70000"/);
  assert.throws(() => loadConfig({ TLS_CERT: '/x.pem' }), /TLS_CERT and TLS_KEY must be set together/);
});

test('comma lists become arrays and secrets are masked when the configuration is printed', () => {
  const c = loadConfig({ URL_BLOCKLISTS: 'dbl.example, multi.example,', OPERATOR_TOKEN: 'rgop_0123456789abcdef' });
  assert.deepEqual(c.URL_BLOCKLISTS, ['dbl.example', 'multi.example']);
  assert.deepEqual(c.TRUSTED_NETWORKS, ['127.0.0.0/8', '::1/128']);
  const printed = describeConfig(c);
  assert.match(printed, /^OPERATOR_TOKEN=\*{8}$/m);
  assert.doesNotMatch(printed, /rgop_0123456789abcdef/);
});
