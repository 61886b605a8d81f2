// A tenant's webhook receiver for the end-to-end tests: a real HTTP server on
// loopback that records every POST as it arrives (raw body, parsed event,
// signature header) and answers it, unless the test holds the answers.
// `verifies` checks a recorded POST's signature as a tenant's receiver would.
import { createServer, type Server } from 'node:http';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../core/notify/signature.js';

export interface WebhookPost { body: string; event: any; signature: string; at: number }

export interface WebhookReceiver {
  server: Server;
  url: string;
  posts: WebhookPost[];
  /** While set, every answer waits for it: a receiver that does not answer until the test lets it. */
  held?: Promise<void>;
  /** POSTs whose sender gave up before the answer came (the notifier's own timeout). */
  abandoned: number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const state: Pick<WebhookReceiver, 'posts' | 'abandoned' | 'held'> = { posts: [], abandoned: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    res.on('close', () => { if (!res.writableEnded) state.abandoned++; });
    req.on('end', () => {
      state.posts.push({ body, event: JSON.parse(body), signature: String(req.headers[SIGNATURE_HEADER] ?? ''), at: Date.now() });
      void (state.held ?? Promise.resolve()).then(() => res.end('ok'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // The same object the request handler reads: setting `held` on it holds the answers.
  return Object.assign(state, {
    server,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/relayguard`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}

/** Whether the POST's signature verifies with the tenant's key (the one /v1/settings shows). */
export const verifies = (key: string, p: WebhookPost): boolean => verifyWebhookSignature(key, p.body, p.signature, Math.floor(Date.now() / 1000));
