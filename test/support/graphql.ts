import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { mintHs256Token } from '../../platform/auth.js';
import { testEnv } from './env.js';

export const tokenFor = (userId: string): Promise<string> =>
  mintHs256Token(testEnv.jwtSecret, userId);

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: {
    message: string;
    path?: string[];
    extensions?: { code?: string; problems?: { path: string; message: string }[] };
  }[];
}

export async function gql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
  opts: { token?: string; url?: string } = {},
): Promise<{ status: number; body: GraphQLResponse<T> }> {
  const res = await fetch(opts.url ?? testEnv.apiUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GraphQLResponse<T> };
}

/** A graphql-ws client that collects every event a subscription delivers. */
export async function subscribeEvents(token: string, query: string) {
  const received: Record<string, unknown>[] = [];
  const errors: unknown[] = [];
  const client: Client = createClient({
    url: testEnv.syncUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {},
  });
  await new Promise<void>((resolve, reject) => {
    const offConnected = client.on('connected', () => {
      offConnected();
      resolve();
    });
    client.on('closed', (e) => {
      const { code, reason } = e as { code?: number; reason?: string };
      reject(new Error(`closed before connecting: ${code} ${reason}`));
    });
  });
  const unsubscribe = client.subscribe<Record<string, unknown>>(
    { query },
    {
      next: (msg) => {
        if (msg.data) received.push(msg.data);
        if (msg.errors) errors.push(msg.errors);
      },
      error: (err) => errors.push(err),
      complete: () => {},
    },
  );
  return {
    received,
    errors,
    async close() {
      unsubscribe();
      await client.dispose();
    },
  };
}

/** Polls until `check` returns a value, or fails after `timeoutMs` saying what it waited for. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
