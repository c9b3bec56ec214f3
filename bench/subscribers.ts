import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

// The fan-out benchmark's WebSocket clients: one socket, one taskEvents subscription each.
// Two implementations of the same client, so the cost of the client library itself can be
// measured (10,000 of them share one Node process with 2 cores for the whole stack):
// - 'graphql-ws': the graphql-ws library's createClient, as a real client would use it;
// - 'raw': the graphql-transport-ws protocol written out on a bare `ws` socket.

export type ClientKind = 'graphql-ws' | 'raw';
export const CLIENT_KINDS: readonly ClientKind[] = ['graphql-ws', 'raw'];

export const TASK_EVENTS = 'subscription { taskEvents { id sequence type time } }';

export interface TaskEventMessage {
  id: string;
  sequence: number;
  type: string;
  time: string;
}

export interface Subscriber {
  /** Event id → when it arrived (Date.now(), the clock the api stamps events with). */
  received: Map<string, number>;
  /** Deliveries of an event this subscriber already had. */
  duplicates: number;
  /** Set when the socket closed or the subscription failed before close() was called. */
  failure: string | undefined;
  close(): Promise<void>;
}

function record(s: Subscriber, e: TaskEventMessage, at: number): void {
  if (s.received.has(e.id)) s.duplicates++;
  else s.received.set(e.id, at);
}

/** Opens a socket, authenticates in connection_init and subscribes; resolves once acked. */
export function openSubscriber(kind: ClientKind, url: string, token: string): Promise<Subscriber> {
  return kind === 'raw' ? openRaw(url, token) : openGraphqlWs(url, token);
}

async function openGraphqlWs(url: string, token: string): Promise<Subscriber> {
  let closing = false;
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    // A dropped socket is a finding (it shows as lost deliveries), not something to paper over.
    retryAttempts: 0,
    onNonLazyError: () => {},
  });
  const s: Subscriber = {
    received: new Map(),
    duplicates: 0,
    failure: undefined,
    async close() {
      closing = true;
      await client.dispose();
    },
  };
  await new Promise<void>((resolve, reject) => {
    const off = client.on('connected', () => {
      off();
      resolve();
    });
    client.on('closed', (e) => {
      const { code, reason } = e as { code?: number; reason?: string };
      if (!closing) s.failure ??= `closed: ${code} ${reason}`;
      reject(new Error(`closed before connecting: ${code} ${reason}`));
    });
  });
  client.subscribe<{ taskEvents: TaskEventMessage }>(
    { query: TASK_EVENTS },
    {
      next: (msg) => {
        if (msg.data) record(s, msg.data.taskEvents, Date.now());
      },
      error: (err) => (s.failure ??= `subscription error: ${JSON.stringify(err).slice(0, 200)}`),
      complete: () => {
        if (!closing) s.failure ??= 'subscription completed by the server';
      },
    },
  );
  return s;
}

async function openRaw(url: string, token: string): Promise<Subscriber> {
  let closing = false;
  const ws = new WebSocket(url, 'graphql-transport-ws');
  const s: Subscriber = {
    received: new Map(),
    duplicates: 0,
    failure: undefined,
    async close() {
      closing = true;
      if (ws.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1000);
      });
    },
  };
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () =>
      ws.send(
        JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }),
      ),
    );
    ws.on('error', reject);
    ws.on('close', (code, reason) => {
      if (!closing) s.failure ??= `closed: ${code} ${reason.toString()}`;
      reject(new Error(`closed: ${code} ${reason.toString()}`));
    });
    ws.on('message', (raw) => {
      const at = Date.now();
      const msg = JSON.parse(raw.toString()) as {
        type: string;
        payload?: { data?: { taskEvents: TaskEventMessage } };
      };
      switch (msg.type) {
        case 'connection_ack':
          ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: TASK_EVENTS } }));
          resolve();
          return;
        case 'next':
          if (msg.payload?.data) record(s, msg.payload.data.taskEvents, at);
          return;
        case 'ping':
          ws.send(JSON.stringify({ type: 'pong' }));
          return;
        case 'error':
          s.failure ??= `subscription error: ${JSON.stringify(msg.payload).slice(0, 200)}`;
          return;
        case 'complete':
          if (!closing) s.failure ??= 'subscription completed by the server';
          return;
      }
    });
  });
  return s;
}
