import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type postgres from 'postgres';
import { apiUser, openDb } from '../support/api-client.js';
import {
  assertExactlyInOrder,
  auditedEvents,
  committedEvents,
  openEventStream,
} from '../support/event-stream.js';
import { eventually } from '../support/graphql.js';
import { stackControl } from '../support/stack-control.js';

// Kafka stopped for 30 s while the user keeps changing tasks: the api keeps accepting every
// mutation (the outbox holds the events), and once Kafka is back the backlog drains: the audit
// log holds every committed event exactly once, and the subscriber that stayed connected
// throughout received all of them in sequence order, no gap, no duplicate.

const OUTAGE_MS = 30_000;
/** How long Dapr, Kafka and the relay's backoff get to recover and drain the backlog. */
const RECOVERY_MS = 120_000;

const RENAME = /* GraphQL */ `
  mutation ($input: UpdateTaskInput!) {
    updateTask(input: $input) {
      id
      version
    }
  }
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sql: postgres.Sql;
before(() => {
  sql = openDb();
});
after(async () => {
  // Whatever happened above, the tests after this file get their Kafka back.
  await stackControl.startKafka();
  await sql.end({ timeout: 2 });
});

test(
  'Kafka down for 30 s while mutations continue: audit log and subscriber get every event once, in order',
  { timeout: 300_000 },
  async () => {
    const u = await apiUser('kafka-outage');
    const stream = await openEventStream(u.token, { resume: false });
    try {
      // The whole path works before Kafka goes away.
      const first = await u.createTask({ title: 'before the outage' });
      await eventually(
        'the first event at the subscriber',
        () => (stream.received.length >= 1 ? true : undefined),
        60_000,
      );
      await eventually(
        'the first event in the audit log',
        async () => ((await auditedEvents(sql, u.id)).length >= 1 ? true : undefined),
        60_000,
      );

      await stackControl.stopKafka();
      const tasks = [first.id];
      let mutations = 0;
      for (const end = Date.now() + OUTAGE_MS; Date.now() < end; mutations++) {
        // Several tasks: the relay orders per task, the client must still see one user order.
        if (mutations % 4 === 0)
          tasks.push((await u.createTask({ title: `during the outage ${mutations}` })).id);
        else
          await u.ok(RENAME, {
            input: { id: tasks[mutations % tasks.length], title: `renamed ${mutations}` },
          });
        await sleep(200);
      }
      assert.deepEqual(
        (await auditedEvents(sql, u.id)).map((e) => e.sequence),
        [1],
        'nothing reached the audit log while Kafka was down',
      );
      await stackControl.startKafka();

      const committed = await committedEvents(sql, u.id);
      assert.equal(committed.length, 1 + mutations, 'the api accepted every mutation');
      const deadline = Date.now() + RECOVERY_MS;
      await eventually(
        `all ${committed.length} events in the audit log`,
        async () =>
          (await auditedEvents(sql, u.id)).length >= committed.length ? true : undefined,
        deadline - Date.now(),
      );
      await eventually(
        `all ${committed.length} events at the subscriber`,
        () => (stream.received.length >= committed.length ? true : undefined),
        Math.max(0, deadline - Date.now()),
      );
      // Time for a late duplicate to show up before declaring there is none.
      await sleep(2_000);
      assertExactlyInOrder('audit log', await auditedEvents(sql, u.id), committed);
      assertExactlyInOrder('subscriber', stream.received, committed);
      assert.deepEqual(stream.errors, []);
      assert.deepEqual(stream.drops, [], 'the subscriber stayed connected');

      // Kafka is healthy again for the tests after this one: a fresh event goes through.
      const fresh = await u.createTask({ title: 'after the outage' });
      await eventually(
        'a fresh event in the audit log',
        async () => {
          const rows = await sql`SELECT 1 FROM audit.events WHERE subject = ${fresh.id}`;
          return rows.length > 0 ? true : undefined;
        },
        60_000,
      );
    } finally {
      await stream.close();
    }
  },
);
