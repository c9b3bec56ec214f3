import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createWebhookDestinations } from '../../platform/webhook-destination.js';

/**
 * The destination check with the test-only switch on (http, loopback), as the test stack sets
 * it for the api and the worker: the receiver below lives on loopback. Everything else is still
 * refused.
 */
export const testWebhooks = createWebhookDestinations({
  policy: { allowHttp: true, allowLoopback: true },
});

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver answers: a status, or a status with headers (a redirect's Location). */
export type Answer = number | { status: number; headers: Record<string, string> };

/**
 * A loopback HTTP server standing in for a user's webhook endpoint: records every request and
 * answers with the next of `answers` (then 200).
 */
export async function webhookReceiver(answers: Answer[] = []) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      const next = answers.shift() ?? 200;
      if (typeof next === 'number') res.writeHead(next).end();
      else res.writeHead(next.status, next.headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
