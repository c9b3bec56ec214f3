import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import { testEnv } from '../support/env.js';
import { eventually, gql, tokenFor } from '../support/graphql.js';

// A malformed message on a task topic: the consumers refuse it for good (DROP), Dapr forwards
// it to the dead-letters topic, the audit service keeps it there, and the consumers go on
// with the next valid event.

let sql: postgres.Sql;
before(() => {
  sql = postgres(testEnv.databaseUrl, { max: 2, onnotice: () => {} });
});
after(() => sql.end({ timeout: 2 }));

test('a malformed event goes to dead-letters; the consumers keep running', async () => {
  const marker = randomUUID();
  // Published through a sidecar, as any producer could: Dapr wraps it in a CloudEvent that
  // lacks everything a Tickler event has (user, sequence, a known type).
  const res = await fetch(`${testEnv.apiDaprHttp}/v1.0/publish/pubsub/task-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'dapr-api-token': testEnv.daprApiToken },
    body: JSON.stringify({ marker, not: 'a tickler event' }),
  });
  assert.ok(res.ok, `publish answered ${res.status}`);

  const kept = await eventually(
    'the malformed message in audit.dead_letters',
    async () => {
      const rows = await sql<{ topic: string | null; messageId: string }[]>`
        SELECT topic, message_id AS "messageId" FROM audit.dead_letters
        WHERE message->'data'->>'marker' = ${marker}`;
      return rows.length > 0 ? rows : undefined;
    },
    60_000,
  );
  assert.equal(kept.length, 1, 'kept once, though both consumers dropped it');
  assert.equal(kept[0]!.topic, 'task-events');

  // A valid event after it still reaches the audit log.
  const token = await tokenFor(`dead-letters-${Date.now().toString(36)}`);
  const created = await gql<{ createTask: { id: string } }>(
    `mutation { createTask(input: { title: "after the poison" }) { id } }`,
    {},
    { token },
  );
  const taskId = created.body.data!.createTask.id;
  await eventually(
    'the next event in the audit log',
    async () => {
      const rows = await sql`SELECT 1 FROM audit.events WHERE subject = ${taskId}`;
      return rows.length > 0 ? true : undefined;
    },
    30_000,
  );
  const audited = await sql`SELECT 1 FROM audit.events WHERE event->'data'->>'marker' = ${marker}`;
  assert.equal(audited.length, 0, 'the malformed message is not in the audit log itself');
});
