import type { FastifyInstance } from 'fastify';
import { daprApiHeaders } from './dapr-tokens.js';

export type ReadinessCheck = () => Promise<unknown>;

/**
 * `/healthz`: the process is alive. `/readyz`: every dependency answered within the timeout;
 * the body names each check, so an operator sees which one is failing.
 */
export function registerHealth(
  app: FastifyInstance,
  checks: Record<string, ReadinessCheck>,
  timeoutMs = 2000,
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), timeoutMs);
          return [name, 'ok'] as const;
        } catch (err) {
          return [name, err instanceof Error ? err.message : String(err)] as const;
        }
      }),
    );
    const ready = results.every(([, r]) => r === 'ok');
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Readiness of a Dapr sidecar: its outbound API is up (components loaded). Dapr exempts its
 * healthz routes from the API token; it is sent anyway, like on every call to the sidecar.
 */
export const daprSidecarCheck =
  (host: string, port: number, apiToken?: string): ReadinessCheck =>
  async () => {
    const res = await fetch(`http://${host}:${port}/v1.0/healthz/outbound`, {
      headers: daprApiHeaders(apiToken),
    });
    if (!res.ok) throw new Error(`dapr sidecar answered ${res.status}`);
  };
