import assert from 'node:assert/strict';
import { createClient, type Client } from 'graphql-ws';
import type postgres from 'postgres';
import WebSocket from 'ws';
import { testEnv } from './env.js';

// A live-updates client as an app would write one: it subscribes to the caller's task events
// and, when the connection drops, connects again with the last sequence it saw, so the server
// sends what it missed. Plus the ground truth to compare what it received with.

export const TASK_EVENTS_AFTER = /* GraphQL */ `
  subscription ($after: Int) {
    taskEvents(after: $after) {
      id
      type
      sequence
      time
      subject
      taskId
      traceparent
      dataVersion
      data
    }
  }
`;

export interface TaskEventMessage {
  id: string;
  type: string;
  sequence: number;
  time: string;
  subject: string;
  taskId: string | null;
  traceparent: string | null;
  dataVersion: number;
  data: unknown;
}

export interface EventStream {
  /** Every event received, in arrival order, over every connection. */
  received: TaskEventMessage[];
  /** GraphQL errors, and drops it did not (or could not) recover from. */
  errors: unknown[];
  /** One entry per successful connection: the `after` it subscribed with. */
  connections: (number | undefined)[];
  /** Why each connection ended (close codes), for failure messages. */
  drops: string[];
  /**
   * Holds any reconnection until the returned function is called: a client whose backoff
   * makes it come back late, after the server has already handled what it missed.
   */
  holdReconnects(): () => void;
  close(): Promise<void>;
}

export interface EventStreamOptions {
  url?: string;
  /** The first subscription's `after`; none: the server starts from the latest sequence. */
  after?: number;
  /** Connect again after a drop (a client that only watches one connection: false). */
  resume?: boolean;
  /** How long to keep trying to connect again after a drop. */
  reconnectForMs?: number;
}

const describeDrop = (reason: unknown): string => {
  const { code, reason: why } = (reason ?? {}) as { code?: unknown; reason?: unknown };
  if (code !== undefined) return `closed ${String(code)} ${String(why ?? '')}`.trim();
  return reason instanceof Error ? reason.message : JSON.stringify(reason);
};

/** Opens the stream; resolves once the first connection is acknowledged. */
export async function openEventStream(
  token: string,
  { url = testEnv.syncUrl, after, resume = true, reconnectForMs = 60_000 }: EventStreamOptions = {},
): Promise<EventStream> {
  const received: TaskEventMessage[] = [];
  const errors: unknown[] = [];
  const connections: (number | undefined)[] = [];
  const drops: string[] = [];
  let client: Client | undefined;
  let closing = false;
  let held: Promise<void> | undefined;

  const lastSeen = (): number | undefined => received.at(-1)?.sequence ?? after;

  async function connect(from: number | undefined): Promise<void> {
    const c = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      // Reconnecting is this client's own job: it must change `after` each time.
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => {},
    });
    client = c;
    await new Promise<void>((resolve, reject) => {
      const offConnected = c.on('connected', () => {
        offConnected();
        offClosed();
        resolve();
      });
      const offClosed = c.on('closed', (e) => {
        offConnected();
        offClosed();
        reject(new Error(`closed before connecting: ${describeDrop(e)}`));
      });
    }).catch(async (err: unknown) => {
      await c.dispose();
      throw err;
    });
    connections.push(from);
    let ended = false;
    const end = (reason: unknown) => {
      if (ended) return;
      ended = true;
      if (closing) return;
      // GraphQL errors (an operation the server refuses) are not cured by connecting again.
      const refused = Array.isArray(reason);
      if (!refused) drops.push(describeDrop(reason));
      if (resume && !refused) void reconnect();
      else errors.push(reason);
    };
    c.subscribe<{ taskEvents: TaskEventMessage }>(
      { query: TASK_EVENTS_AFTER, variables: from === undefined ? {} : { after: from } },
      {
        next: (msg) => {
          if (msg.data) received.push(msg.data.taskEvents);
          if (msg.errors) errors.push(msg.errors);
        },
        error: end,
        // The server ends a subscription only when it drops the client: resume as well.
        complete: () => end('completed by the server'),
      },
    );
  }

  async function reconnect(): Promise<void> {
    await client?.dispose();
    await held;
    const deadline = Date.now() + reconnectForMs;
    let lastError: unknown;
    while (!closing && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      try {
        await connect(lastSeen());
        return;
      } catch (err) {
        lastError = err;
      }
    }
    if (!closing)
      errors.push(new Error(`gave up reconnecting after ${reconnectForMs} ms: ${lastError}`));
  }

  await connect(after);
  return {
    received,
    errors,
    connections,
    drops,
    holdReconnects() {
      let release = () => {};
      held = new Promise<void>((resolve) => (release = resolve));
      return release;
    },
    async close() {
      closing = true;
      await client?.dispose();
    },
  };
}

export interface CommittedEvent {
  id: string;
  sequence: number;
}

/**
 * What was committed for the user: the outbox is written in the mutation's own transaction,
 * so it is the ground truth every consumer is measured against. In sequence order.
 */
export async function committedEvents(
  sql: postgres.Sql,
  userId: string,
): Promise<CommittedEvent[]> {
  const rows = await sql<{ id: string; sequence: string }[]>`
    SELECT id, event->>'sequence' AS sequence FROM outbox
    WHERE event->>'userid' = ${userId} ORDER BY (event->>'sequence')::bigint`;
  return rows.map((r) => ({ id: r.id, sequence: Number(r.sequence) }));
}

/** The user's entries in the audit log, in sequence order. */
export async function auditedEvents(sql: postgres.Sql, userId: string): Promise<CommittedEvent[]> {
  const rows = await sql<{ id: string; sequence: string }[]>`
    SELECT event_id AS id, sequence FROM audit.events WHERE user_id = ${userId}
    ORDER BY sequence, event_id`;
  return rows.map((r) => ({ id: r.id, sequence: Number(r.sequence) }));
}

/**
 * The committed events are 1, 2, 3, … (per-user sequences have no gaps), and `got` holds
 * exactly them: each once, in sequence order.
 */
export function assertExactlyInOrder(
  what: string,
  got: readonly CommittedEvent[],
  committed: readonly CommittedEvent[],
): void {
  assert.deepEqual(
    committed.map((e) => e.sequence),
    committed.map((_, i) => i + 1),
    'the committed sequences are contiguous from 1',
  );
  assert.deepEqual(
    got.map((e) => e.sequence),
    committed.map((e) => e.sequence),
    `${what}: every sequence once, in order`,
  );
  assert.deepEqual(
    got.map((e) => e.id),
    committed.map((e) => e.id),
    `${what}: the committed events themselves`,
  );
}
