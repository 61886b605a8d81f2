// A loopback stand-in for AWS Secrets Manager, since no emulator of it runs
// offline here: it answers GetSecretValue over the service's JSON protocol
// for the secrets it is given (by ARN), ResourceNotFoundException for any
// other, and records each request, so a test can say what was asked.
import { createServer } from 'node:http';

export interface SecretsStandIn {
  endpoint: string;
  /** Each request: its X-Amz-Target and JSON body. */
  asked: { target: string; body: any }[];
  close(): Promise<void>;
}

export async function startSecretsStandIn(secrets: Record<string, string>): Promise<SecretsStandIn> {
  const asked: SecretsStandIn['asked'] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse(text || '{}');
      asked.push({ target, body });
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      const value = target === 'secretsmanager.GetSecretValue' ? secrets[body.SecretId] : undefined;
      if (value !== undefined) {
        res.end(JSON.stringify({ ARN: body.SecretId, Name: 'relayguard-webhook', SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'] }));
        return;
      }
      res.statusCode = 400;
      res.setHeader('x-amzn-errortype', 'ResourceNotFoundException');
      res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    asked,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
