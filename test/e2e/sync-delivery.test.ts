import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import WebSocket from 'ws';
import { mintHs256Token } from '../../platform/auth.js';
import { testEnv } from '../support/env.js';
import { eventually, subscribeEvents, tokenFor } from '../support/graphql.js';

// What a connected client gets from the sync service through the real stack: each event once
// although Kafka delivered it twice, the mutation's trace context, its socket closed when its
// token expires, and the replica's metrics.

const EVENTS = /* GraphQL */ `
  subscription {
    taskEvents {
      id
      type
      sequence
      taskId
      traceparent
    }
  }
`;

type Received = { id: string; type: string; sequence: number; taskId: string; traceparent: string };

let sql: postgres.Sql;
before(() => {
  sql = postgres(testEnv.databaseUrl, { max: 2, onnotice: () => {} });
});
after(() => sql.end({ timeout: 2 }));

const userId = () => `sync-${randomBytes(4).toString('hex')}`;

async function createTask(token: string, title: string, headers: Record<string, string> = {}) {
  const res = await fetch(testEnv.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({
      query: 'mutation ($t: String!) { createTask(input: { title: $t }) { id } }',
      variables: { t: title },
    }),
  });
  const body = (await res.json()) as { data?: { createTask: { id: string } } };
  assert.ok(body.data, `createTask failed: ${JSON.stringify(body)}`);
  return body.data.createTask.id;
}

test('an event Kafka delivers twice is one audit entry and one client message', async () => {
  const user = userId();
  const token = await tokenFor(user);
  const sub = await subscribeEvents(token, EVENTS);
  try {
    const first = await createTask(token, 'delivered twice');
    const original = await eventually(
      'the first event in the audit log',
      async () => {
        const [row] = await sql<{ event: Record<string, unknown> }[]>`
          SELECT event FROM audit.events WHERE subject = ${first} AND type = 'task.created'`;
        return row?.event;
      },
      30_000,
    );
    // The same CloudEvent again, twice, on the user's partition: what a producer retry or a
    // consumer rebalance does.
    for (let i = 0; i < 2; i++) {
      const res = await fetch(
        `${testEnv.apiDaprHttp}/v1.0/publish/pubsub/task-events?metadata.partitionKey=${user}`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/cloudevents+json',
            'dapr-api-token': testEnv.daprApiToken,
          },
          body: JSON.stringify(original),
        },
      );
      assert.ok(res.ok, `publish answered ${res.status}`);
    }
    const second = await createTask(token, 'after the duplicates');
    await eventually(
      'the second task on the client',
      () =>
        sub.received.some((m) => (m.taskEvents as Received).taskId === second) ? true : undefined,
      30_000,
    );
    await eventually(
      'the second task in the audit log',
      async () =>
        (await sql`SELECT 1 FROM audit.events WHERE subject = ${second}`).length ? true : undefined,
      30_000,
    );
    // A moment for anything late to show up.
    await new Promise((r) => setTimeout(r, 1_000));
    const got = sub.received.map((m) => m.taskEvents as Received);
    assert.deepEqual(
      got.map((e) => [e.taskId, e.type]),
      [
        [first, 'task.created'],
        [second, 'task.created'],
      ],
      'each event once, in order',
    );
    assert.deepEqual(
      got.map((e) => e.sequence),
      [got[0]!.sequence, got[0]!.sequence + 1],
    );
    const rows = await sql`SELECT 1 FROM audit.events WHERE event_id = ${original.id as string}`;
    assert.equal(rows.length, 1);
    assert.deepEqual(sub.errors, []);
  } finally {
    await sub.close();
  }
});

test("the client receives the mutation's trace context with its event", async () => {
  const token = await tokenFor(userId());
  const sub = await subscribeEvents(token, EVENTS);
  try {
    const traceId = randomBytes(16).toString('hex');
    const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    const id = await createTask(token, 'traced', { traceparent });
    const event = await eventually(
      'the event on the client',
      () => sub.received.map((m) => m.taskEvents as Received).find((e) => e.taskId === id),
      30_000,
    );
    assert.match(event.traceparent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
  } finally {
    await sub.close();
  }
});

test("the socket is closed with 4403 when the token's exp passes", async () => {
  const token = await mintHs256Token(testEnv.jwtSecret, userId(), 2);
  const socket = new WebSocket(testEnv.syncUrl, 'graphql-transport-ws');
  const acked = new Promise<void>((resolve, reject) => {
    socket.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { type: string };
      if (msg.type === 'connection_ack') resolve();
    });
    socket.on('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  socket.on('open', () =>
    socket.send(
      JSON.stringify({
        type: 'connection_init',
        payload: { authorization: `Bearer ${token}` },
      }),
    ),
  );
  await acked;
  const t0 = Date.now();
  const { code, reason } = await Promise.race([
    closed,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('still open 10 s after connecting')), 10_000),
    ),
  ]);
  assert.equal(code, 4403);
  assert.match(reason, /token expired/);
  assert.ok(Date.now() - t0 < 5_000);
});

test('the sync service reports connections, deliveries and delivery latency', async () => {
  // Metrics are on the internal listener (the sidecar's port), not the public one.
  const metricsUrl = `${testEnv.syncInternalUrl}/metrics`;
  const token = await tokenFor(userId());
  const sub = await subscribeEvents(token, EVENTS);
  try {
    await createTask(token, 'counted');
    await eventually('the event', () => (sub.received.length ? true : undefined), 30_000);
    const text = await (await fetch(metricsUrl)).text();
    const value = (name: string) => {
      const line = text.split('\n').find((l) => l.startsWith(name));
      assert.ok(line, `${name} is reported`);
      return Number(line.split(' ').pop());
    };
    assert.ok(value('sync_connections') >= 1);
    assert.ok(value('sync_subscriptions') >= 1);
    assert.ok(value('sync_events_delivered_total') >= 1);
    assert.ok(value('sync_delivery_latency_seconds_count') >= 1);
  } finally {
    await sub.close();
  }
});
