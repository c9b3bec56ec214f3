import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type postgres from 'postgres';
import { apiUser, openDb, type ApiUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';
import { assertExactlyInOrder, committedEvents, openEventStream } from '../support/event-stream.js';
import { eventually } from '../support/graphql.js';
import { stackControl, syncPortOf } from '../support/stack-control.js';

// The sync service SIGKILLed while a client is connected, changes made while it is down, then
// it is started again on the same port: the client reconnects with `after: <the last sequence
// it saw>` and receives every missed event in order, then the live ones; no gap, no duplicate.
// The client comes back either at once (the missed events may still be on their way through
// Dapr) or late, once the restarted service is live again: it received them with nobody to
// hand them to, or, when its sidecar was killed too, may never receive them (only a replay can
// bring them back).

const RENAME = /* GraphQL */ `
  mutation ($input: UpdateTaskInput!) {
    updateTask(input: $input) {
      id
      version
    }
  }
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const port = () => syncPortOf(testEnv.syncUrl);

let sql: postgres.Sql;
before(() => {
  sql = openDb();
});
after(async () => {
  // The tests after these get their sync service back, whatever happened here.
  await stackControl.startSync(port());
  await sql.end({ timeout: 2 });
});

const rename = (u: ApiUser, id: string, title: string) => u.ok(RENAME, { input: { id, title } });

/**
 * task-events Dapr delivered to the sync service since it started (the HTTP metrics of its
 * internal listener, where Dapr delivers).
 */
async function taskEventsDelivered(): Promise<number> {
  const res = await fetch(`${testEnv.syncInternalUrl}/metrics`);
  return (await res.text())
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('http_requests_total{') &&
        l.includes('route="/events/task-events"') &&
        l.includes('status="200"'),
    )
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

/**
 * Waits until a restarted sidecar delivers to its app again, i.e. its Kafka consumer has its
 * partitions. Until then nothing reaches the service live, and it can take a while: the
 * SIGKILLed consumer holds the replica's group until its session times out (10 s), and a
 * partition on which the group has no committed offset (the sidecar commits only what it
 * delivered, once a second) then starts at the newest offset (pubsub-broadcast.yaml), so what
 * was published on it meanwhile never arrives. A probe user's events are published, one a
 * second, until one is delivered; the service was just restarted, so its counter starts at 0.
 */
async function sidecarDeliveringAgain(what: string): Promise<void> {
  const probe = await apiUser(`${what}-probe`);
  const task = await probe.createTask({ title: 'probe' });
  let probedAt = Date.now();
  await eventually(
    'the restarted sidecar to deliver again',
    async () => {
      if ((await taskEventsDelivered()) > 0) return true;
      if (Date.now() - probedAt >= 1_000) {
        probedAt = Date.now();
        await rename(probe, task.id, `probe ${probedAt}`);
      }
      return undefined;
    },
    60_000,
  );
}

async function killedAndRestarted(
  what: string,
  { sidecar, late }: { sidecar: boolean; late: boolean },
): Promise<void> {
  const u = await apiUser(what);
  // Restarting takes a while on a busy machine: the client keeps trying meanwhile.
  const stream = await openEventStream(u.token, { reconnectForMs: 150_000 });
  try {
    const task = await u.createTask({ title: 'before the crash' });
    await rename(u, task.id, 'before the crash, renamed');
    await rename(u, task.id, 'before the crash, renamed again');
    await eventually(
      'the first three events at the client',
      () => (stream.received.length >= 3 ? true : undefined),
      60_000,
    );
    const lastSeen = stream.received.at(-1)!.sequence;

    const release = late ? stream.holdReconnects() : () => {};
    await stackControl.killSync(port(), { sidecar });
    await eventually('the client to see the drop', () => stream.drops[0], 10_000);
    // Changes the client cannot see live.
    const other = await u.createTask({ title: 'while it is down' });
    for (let i = 1; i <= 3; i++) await rename(u, other.id, `while it is down ${i}`);
    await rename(u, task.id, 'renamed while it is down');
    const missed = 5;

    await stackControl.startSync(port());
    // A sidecar that kept running delivers the missed events to the restarted app; a restarted
    // one resumes from its group's committed offsets, and may have none on this user's
    // partition (see sidecarDeliveringAgain): then they never reach the service.
    if (sidecar) await sidecarDeliveringAgain(what);
    else if (late)
      await eventually(
        'the restarted sync service to receive the missed events',
        async () => ((await taskEventsDelivered()) >= missed ? true : undefined),
        90_000,
      );
    release();
    await eventually(
      'the client to connect again',
      () => (stream.connections.length >= 2 ? true : undefined),
      60_000,
    );
    // Live again.
    for (let i = 1; i <= 3; i++) await rename(u, task.id, `after the restart ${i}`);

    const committed = await committedEvents(sql, u.id);
    await eventually(
      `all ${committed.length} events at the client`,
      () => (stream.received.length >= committed.length ? true : undefined),
      120_000,
    );
    // Time for a late duplicate to show up before declaring there is none.
    await sleep(2_000);
    assertExactlyInOrder('the client', stream.received, committed);
    assert.deepEqual(
      stream.connections.slice(0, 2),
      [undefined, lastSeen],
      'it subscribed again after the last sequence it saw',
    );
    assert.deepEqual(stream.errors, []);
  } finally {
    await stream.close();
  }
}

const CASES = [
  { what: 'the app', user: 'sync-kill-app', sidecar: false },
  { what: 'the app and its sidecar', user: 'sync-kill-pod', sidecar: true },
].flatMap((c) => [
  { ...c, late: false, back: 'at once' },
  { ...c, late: true, back: 'late' },
]);

describe('the sync service killed while a client is connected', () => {
  for (const { what, user, sidecar, late, back } of CASES)
    test(
      `${what} SIGKILLed, the client back ${back}: it resumes from its sequence, misses nothing`,
      { timeout: 300_000 },
      () => killedAndRestarted(`${user}-${back.replace(' ', '-')}`, { sidecar, late }),
    );
});
