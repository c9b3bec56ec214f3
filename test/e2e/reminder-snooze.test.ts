import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import { testEnv } from '../support/env.js';
import { eventually, gql, tokenFor } from '../support/graphql.js';

// Through the real stack: a reminder fires, is snoozed for a few seconds, and fires again —
// each time exactly once; the notifications query lists both, newest first.

let sql: postgres.Sql;
before(() => {
  sql = postgres(testEnv.databaseUrl, { max: 2, onnotice: () => {} });
});
after(() => sql.end({ timeout: 2 }));

test('a fired reminder snoozed for 3 s fires again, once; notifications list both', async () => {
  const token = await tokenFor(`e2e-snooze-${Date.now().toString(36)}`);
  const at = new Date(Date.now() + 3_000).toISOString();
  const created = await gql<{ createTask: { id: string; reminders: { id: string }[] } }>(
    `mutation($input: CreateTaskInput!) { createTask(input: $input) { id reminders { id } } }`,
    { input: { title: 'Stretch', reminders: [{ at }] } },
    { token },
  );
  assert.equal(created.body.errors, undefined, JSON.stringify(created.body.errors));
  const task = created.body.data!.createTask;
  const reminderId = task.reminders[0]!.id;

  const fired = (n: number) =>
    eventually(`${n} deliveries`, async () => {
      const rows = await sql<
        { fireAt: Date }[]
      >`SELECT fire_at AS "fireAt" FROM notifications WHERE task_id = ${task.id} ORDER BY fire_at`;
      return rows.length >= n ? rows : undefined;
    });
  await fired(1);
  const snoozed = await gql(
    `mutation($t: ID!, $r: ID!) { snoozeReminder(taskId: $t, reminderId: $r, for: "PT3S") { id } }`,
    { t: task.id, r: reminderId },
    { token },
  );
  assert.equal(snoozed.body.errors, undefined, JSON.stringify(snoozed.body.errors));
  const rows = await fired(2);
  await new Promise((r) => setTimeout(r, 1_500));
  const [{ count }] = await sql<
    [{ count: string }]
  >`SELECT count(*) FROM notifications WHERE task_id = ${task.id}`;
  assert.equal(Number(count), 2, 'each fire time once');
  assert.ok(rows[1]!.fireAt.getTime() > rows[0]!.fireAt.getTime());

  const list = await gql<{
    notifications: { edges: { node: { taskId: string; read: boolean } }[] };
  }>(`{ notifications(unreadOnly: true) { edges { node { taskId read } } } }`, {}, { token });
  assert.deepEqual(
    list.body.data!.notifications.edges.map((e) => e.node),
    [
      { taskId: task.id, read: false },
      { taskId: task.id, read: false },
    ],
  );
  const marked = await gql<{ markNotificationsRead: number }>(
    `mutation { markNotificationsRead(all: true) }`,
    {},
    { token },
  );
  assert.equal(marked.body.data!.markNotificationsRead, 2);
  const unread = await gql<{ notifications: { edges: unknown[] } }>(
    `{ notifications(unreadOnly: true) { edges { cursor } } }`,
    {},
    { token },
  );
  assert.deepEqual(unread.body.data!.notifications.edges, []);
});
