import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import { testEnv } from '../support/env.js';
import { eventually, gql, subscribeEvents, tokenFor } from '../support/graphql.js';

// The thin path through the real stack: api → PostgreSQL (task + outbox) → relay → Temporal
// (reminder workflow) and Dapr → Kafka → audit-service and sync-service → graphql-ws client.

const TASK_EVENTS = /* GraphQL */ `
  subscription {
    taskEvents {
      id
      type
      sequence
      taskId
      time
      data
    }
  }
`;
const CREATE = /* GraphQL */ `
  mutation Create($input: CreateTaskInput!) {
    createTask(input: $input) {
      id
      title
      dueAt
      nextReminderAt
      status
      version
    }
  }
`;

let sql: postgres.Sql;
before(() => {
  sql = postgres(testEnv.databaseUrl, { max: 2, onnotice: () => {} });
});
after(async () => {
  await sql.end({ timeout: 2 });
});

test('a task due in a few seconds: reminder fires once, audit and the owner’s subscriber get both events', async () => {
  const run = Date.now().toString(36);
  const owner = `e2e-owner-${run}`;
  const stranger = `e2e-stranger-${run}`;
  const ownerSub = await subscribeEvents(await tokenFor(owner), TASK_EVENTS);
  const strangerSub = await subscribeEvents(await tokenFor(stranger), TASK_EVENTS);
  try {
    const dueAt = new Date(Date.now() + 5_000);
    const { body } = await gql<{
      createTask: { id: string; nextReminderAt: string; status: string };
    }>(
      CREATE,
      { input: { title: 'Water the plants', dueAt: dueAt.toISOString(), remindBefore: 'PT2S' } },
      { token: await tokenFor(owner) },
    );
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    const task = body.data!.createTask;
    assert.equal(task.status, 'OPEN');
    const scheduledFor = new Date(dueAt.getTime() - 2_000);
    assert.equal(task.nextReminderAt, scheduledFor.toISOString());

    // The audit log holds task.created and, after the timer, reminder.fired: each once.
    const audit = await eventually('both events in the audit log', async () => {
      const rows = await sql<{ type: string; eventId: string }[]>`
        SELECT type, event_id AS "eventId" FROM audit.events WHERE subject = ${task.id} ORDER BY sequence`;
      return rows.length >= 2 ? rows : undefined;
    });
    assert.deepEqual(
      audit.map((r) => r.type),
      ['task.created', 'reminder.fired'],
    );

    // The owner's subscriber received both events, in order, with the audit log's event ids.
    const delivered = await eventually('both events at the owner’s subscriber', () =>
      ownerSub.received.length >= 2 ? ownerSub.received : undefined,
    );
    const events = delivered.map(
      (d) => d.taskEvents as { id: string; type: string; taskId: string; sequence: number },
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ['task.created', 'reminder.fired'],
    );
    assert.deepEqual(
      events.map((e) => e.id),
      audit.map((r) => r.eventId),
    );
    assert.ok(events.every((e) => e.taskId === task.id));
    assert.ok(events[0]!.sequence < events[1]!.sequence, 'per-user sequence increases');

    // The reminder fired on time, and exactly once.
    const notifications = await sql<{ deliveredAt: Date }[]>`
      SELECT delivered_at AS "deliveredAt" FROM notifications WHERE task_id = ${task.id}`;
    assert.equal(notifications.length, 1);
    assert.ok(notifications[0]!.deliveredAt.getTime() >= scheduledFor.getTime(), 'not early');

    // Give a duplicate the chance to show up before declaring there is none.
    await new Promise((r) => setTimeout(r, 2_000));
    const [{ count }] = await sql<[{ count: string }]>`
      SELECT count(*) FROM audit.events WHERE subject = ${task.id} AND type = 'reminder.fired'`;
    assert.equal(Number(count), 1);
    assert.equal(ownerSub.received.length, 2);
    assert.deepEqual(ownerSub.errors, []);
    assert.deepEqual(strangerSub.received, [], 'another user receives nothing');
  } finally {
    await ownerSub.close();
    await strangerSub.close();
  }
});

test('a subscription without a valid token is refused', async () => {
  await assert.rejects(
    subscribeEvents('not-a-jwt', TASK_EVENTS),
    /closed before connecting: 4401 invalid token/,
  );
});
