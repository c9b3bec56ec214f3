import { testEnv } from './env.js';

// The tests' side of stack/test-control.ts: break the running stack on purpose and mend it.
// A sync-service instance is named by its port (the stack's own: syncPortOf(testEnv.syncUrl)).

async function call<T extends object = Record<string, never>>(
  method: 'POST' | 'DELETE',
  path: string,
): Promise<T> {
  const res = await fetch(new URL(path, testEnv.stackControl), {
    method,
    // Starting Kafka or a replica takes a while on a busy machine; never forever.
    signal: AbortSignal.timeout(180_000),
  });
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`stack control ${method} ${path}: ${res.status} ${body.error}`);
  return body;
}

export const syncPortOf = (url: string): number => Number(new URL(url).port);

export const stackControl = {
  /** SIGTERM to Kafka; returns once it has exited. */
  stopKafka: () => call('POST', '/kafka/stop'),
  /** Kafka again on the same ports and data; returns once it listens. No-op when running. */
  startKafka: () => call('POST', '/kafka/start'),
  /** PostgreSQL's fast shutdown (its sessions are terminated); returns once it has exited. */
  stopPostgres: () => call('POST', '/postgres/stop'),
  /** PostgreSQL again on the same port and data; returns once it answers. No-op when running. */
  startPostgres: () => call('POST', '/postgres/start'),
  /** An extra sync-service replica with its own sidecar (own Kafka consumer group). */
  startSyncReplica: () => call<{ port: number; url: string }>('POST', '/sync'),
  /** SIGKILL a sync-service instance; with `sidecar`, its Dapr sidecar too. */
  killSync: (port: number, { sidecar = false } = {}) =>
    call('POST', `/sync/${port}/kill${sidecar ? '?sidecar' : ''}`),
  /** A killed instance again on the same port; returns once it is ready. No-op when running. */
  startSync: (port: number) => call<{ url: string }>('POST', `/sync/${port}/start`),
  /** Stops an extra replica and its sidecar. */
  stopSyncReplica: (port: number) => call('DELETE', `/sync/${port}`),
};
