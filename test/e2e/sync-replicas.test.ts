import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type postgres from 'postgres';
import { apiUser, openDb, type ApiUser } from '../support/api-client.js';
import {
  assertExactlyInOrder,
  committedEvents,
  openEventStream,
  type EventStream,
} from '../support/event-stream.js';
import { eventually } from '../support/graphql.js';
import { stackControl } from '../support/stack-control.js';

// Two sync-service replicas, each with its own sidecar and so its own Kafka consumer group:
// both see every event, and each hands an event only to its owner's clients. User 1 has a
// client on each replica, user 2 one on the extra replica: every client receives exactly its
// user's events, all of them, in order, and never one of the other user's.

const RENAME = /* GraphQL */ `
  mutation ($input: UpdateTaskInput!) {
    updateTask(input: $input) {
      id
      version
    }
  }
`;
const ROUNDS = 8;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sql: postgres.Sql;
let replica: { port: number; url: string } | undefined;
before(() => {
  sql = openDb();
});
after(async () => {
  // The tests after this one run against the stack as it was.
  if (replica) await stackControl.stopSyncReplica(replica.port);
  await sql.end({ timeout: 2 });
});

/** A task, then renames of it: `ROUNDS` events, interleaved with the other user's. */
async function changes(u: ApiUser, round: number, taskId: string | undefined): Promise<string> {
  if (!taskId) return (await u.createTask({ title: `${u.id} round ${round}` })).id;
  await u.ok(RENAME, { input: { id: taskId, title: `${u.id} round ${round}` } });
  return taskId;
}

test(
  'two sync replicas: every client gets all of its user’s events and none of another’s',
  { timeout: 300_000 },
  async () => {
    replica = await stackControl.startSyncReplica();
    const [u1, u2] = await Promise.all([apiUser('replicas-one'), apiUser('replicas-two')]);
    const streams: { name: string; user: ApiUser; stream: EventStream }[] = [];
    try {
      const open = async (name: string, user: ApiUser, url?: string) =>
        streams.push({
          name,
          user,
          stream: await openEventStream(user.token, { url, resume: false }),
        });
      await open('user 1 on the stack’s replica', u1);
      await open('user 1 on the extra replica', u1, replica.url);
      await open('user 2 on the extra replica', u2, replica.url);
      let t1: string | undefined;
      let t2: string | undefined;
      for (let round = 0; round < ROUNDS; round++) {
        t1 = await changes(u1, round, round % 4 === 0 ? undefined : t1);
        t2 = await changes(u2, round, round % 3 === 0 ? undefined : t2);
      }
      const committed = new Map([
        [u1.id, await committedEvents(sql, u1.id)],
        [u2.id, await committedEvents(sql, u2.id)],
      ]);
      // A new replica's consumer group starts at the newest offset and may join after the
      // first of these were published: what it did not get live it replays from the audit log.
      const deadline = Date.now() + 120_000;
      for (const { name, user, stream } of streams) {
        const mine = committed.get(user.id)!;
        await eventually(
          `all ${mine.length} events of ${name}`,
          () => (stream.received.length >= mine.length ? true : undefined),
          Math.max(0, deadline - Date.now()),
        );
      }
      // Time for a late duplicate or a stray event to show up before declaring there is none.
      await sleep(2_000);
      for (const { name, user, stream } of streams) {
        const theirs = new Set(
          [...committed].filter(([id]) => id !== user.id).flatMap(([, es]) => es.map((e) => e.id)),
        );
        assert.deepEqual(
          stream.received.filter((e) => theirs.has(e.id)),
          [],
          `${name}: no other user's event`,
        );
        assertExactlyInOrder(name, stream.received, committed.get(user.id)!);
        assert.deepEqual(stream.errors, [], name);
        assert.deepEqual(stream.drops, [], `${name}: stayed connected`);
      }
    } finally {
      await Promise.all(streams.map((s) => s.stream.close()));
    }
  },
);
