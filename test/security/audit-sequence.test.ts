import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createAppendEvent } from '../../audit-service/append-event.js';
import { appendAuditEvent } from '../../db/audit.js';
import { createSql, type Sql } from '../../db/sql.js';
import { AppError, ErrorCode } from '../../domain/errors.js';
import { buildEvent, type TicklerEvent } from '../../domain/events.js';
import type { EventId, TaskId, UserId } from '../../domain/ids.js';
import { createLogger } from '../../platform/logger.js';
import { testEnv } from '../support/env.js';
import { snapshot } from '../support/fixtures.js';
import { eventually, gql, tokenFor } from '../support/graphql.js';

// The audit log holds one event per (user_id, sequence) (db/migrations/0012): a redelivery of
// an event (same id) stays harmless, a different event claiming a sequence the log already
// holds is refused, and through the whole stack it ends in the dead letters, not in the log.

const run = Date.now().toString(36);
let sql: Sql;
before(() => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-audit-seq', max: 2 });
});
after(() => sql.end({ timeout: 2 }));

function taskCreated(userId: UserId, sequence: number, title: string): TicklerEvent {
  const taskId = randomUUID() as TaskId;
  return buildEvent({
    id: randomUUID() as EventId,
    type: 'task.created',
    source: 'tickler/api',
    time: new Date(),
    subject: taskId,
    userId,
    sequence,
    data: { task: snapshot({ id: taskId, title }) },
  });
}

describe('appending to the audit log', () => {
  const user = `audit-seq-${run}` as UserId;
  const first = taskCreated(user, 1, 'the real first');
  const forged = taskCreated(user, 1, 'a forged first');

  test('the first event of a sequence is appended; its redelivery is a duplicate', async () => {
    assert.equal(await appendAuditEvent(sql, first), 'appended');
    assert.equal(await appendAuditEvent(sql, first), 'duplicate');
  });

  test('another event with the same (user, sequence) is refused and leaves the log as it was', async () => {
    assert.equal(await appendAuditEvent(sql, forged), 'sequence-taken');
    const rows = await sql<{ eventId: string }[]>`
      SELECT event_id FROM audit.events WHERE user_id = ${user} ORDER BY recorded_at`;
    assert.deepEqual(
      rows.map((r) => r.eventId),
      [first.id],
    );
  });

  test('the constraint itself refuses a direct insert', async () => {
    await assert.rejects(
      sql`
        INSERT INTO audit.events (event_id, user_id, subject, type, sequence, occurred_at, event)
        VALUES (${randomUUID()}, ${user}, ${randomUUID()}, 'task.created', 1, now(), '{}')`,
      (err: { code?: string; constraint_name?: string }) => {
        assert.equal(err.code, '23505');
        assert.equal(err.constraint_name, 'audit_events_user_sequence');
        return true;
      },
    );
  });

  test("the audit service's handler answers BAD_EVENT (Dapr: DROP) for the forged one only", async () => {
    const handle = createAppendEvent({ sql, log: createLogger('test', 'silent') });
    await handle(first); // a redelivery: SUCCESS
    await assert.rejects(handle(forged), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, ErrorCode.BAD_EVENT);
      return true;
    });
  });
});

test('through the stack: an event claiming a taken sequence is dead-lettered, the log keeps the real one', async () => {
  const user = `audit-seq-e2e-${run}`;
  const token = await tokenFor(user);
  const created = await gql<{ createTask: { id: string } }>(
    `mutation { createTask(input: { title: "the real one" }) { id } }`,
    {},
    { token },
  );
  const taskId = created.body.data!.createTask.id;
  const real = await eventually(
    'the task.created event in the audit log',
    async () => {
      const [row] = await sql<{ eventId: string; sequence: string }[]>`
        SELECT event_id, sequence FROM audit.events WHERE subject = ${taskId}`;
      return row;
    },
    60_000,
  );

  // A well-formed event with a new id and the user's taken sequence, published to Kafka
  // through a sidecar exactly as the relay publishes (raw CloudEvent).
  const forged = taskCreated(user as UserId, Number(real.sequence), 'forged');
  const daprToken = process.env.TICKLER_DAPR_API_TOKEN;
  const res = await fetch(
    `${testEnv.apiDaprHttp}/v1.0/publish/pubsub/task-events?metadata.rawPayload=true` +
      `&metadata.partitionKey=${encodeURIComponent(user)}`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/cloudevents+json',
        ...(daprToken ? { 'dapr-api-token': daprToken } : {}),
      },
      body: JSON.stringify(forged),
    },
  );
  assert.ok(res.ok, `publish answered ${res.status} ${await res.text()}`);

  await eventually(
    'the forged event in audit.dead_letters',
    async () => {
      const rows = await sql`
        SELECT 1 FROM audit.dead_letters WHERE strpos(message::text, ${forged.id}) > 0`;
      return rows.length > 0 ? true : undefined;
    },
    60_000,
  );
  const kept = await sql<{ eventId: string }[]>`
    SELECT event_id FROM audit.events WHERE user_id = ${user} AND sequence = ${real.sequence}`;
  assert.deepEqual(
    kept.map((r) => r.eventId),
    [real.eventId],
  );
});
