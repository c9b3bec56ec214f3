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
// Dapr) or late, after the restarted service already received them with nobody to hand them
// to (only a replay can bring them back).

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
 * Events Dapr delivered to the sync service since it started, on its streaming subscriptions
 * (redeliveries included; these tests make task events only).
 */
async function eventsReceived(): Promise<number> {
  const res = await fetch(`${testEnv.syncInternalUrl}/metrics`);
  // `sync_events_received_total{service="sync-service"} 12`
  const line = (await res.text())
    .split('\n')
    .find((l) => /^sync_events_received_total[{ ]/.test(l));
  assert.ok(line, 'sync_events_received_total is reported');
  return Number(line.split(' ').at(-1));
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
    if (late)
      await eventually(
        'the restarted sync service to receive the missed events',
        async () => ((await eventsReceived()) >= missed ? true : undefined),
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

/**
 * Only the sidecar SIGKILLed: the app keeps its clients (no drop), reports not ready while its
 * streams are gone, dials the new sidecar, and the events of the outage come from Kafka (its
 * consumer group resumes at the last offset answered SUCCESS), live, in order.
 */
async function sidecarKilledAndRestarted(what: string): Promise<void> {
  const u = await apiUser(what);
  const stream = await openEventStream(u.token, { reconnectForMs: 150_000 });
  const readyz = async () => {
    const res = await fetch(`${new URL(testEnv.syncUrl.replace(/^ws/, 'http')).origin}/readyz`);
    return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
  };
  try {
    const task = await u.createTask({ title: 'before the sidecar goes' });
    await eventually(
      'the first event',
      () => (stream.received.length >= 1 ? true : undefined),
      60_000,
    );
    const before = await eventsReceived();
    // The sidecar's Kafka consumer commits what was answered SUCCESS about once a second (the
    // client's auto-commit): after that, a new consumer of its group resumes right here. (A
    // group that never committed would start at the newest offset, as for a new replica.)
    await sleep(1_500);

    await stackControl.killSyncSidecar(port());
    const down = await eventually(
      'the sync service to report its streams gone',
      async () => {
        const r = await readyz();
        return r.status === 503 && r.body.checks.subscriptions !== 'ok' ? r : undefined;
      },
      15_000,
    );
    assert.match(down.body.checks.subscriptions!, /not subscribed/);
    // Committed while no stream is open: only Kafka holds them for this replica.
    for (let i = 1; i <= 4; i++) await rename(u, task.id, `while the sidecar is down ${i}`);

    await stackControl.startSync(port());
    await eventually(
      'the sync service ready again',
      async () => ((await readyz()).status === 200 ? true : undefined),
      60_000,
    );
    for (let i = 1; i <= 2; i++) await rename(u, task.id, `after the sidecar is back ${i}`);

    const committed = await committedEvents(sql, u.id);
    await eventually(
      `all ${committed.length} events at the client`,
      () => (stream.received.length >= committed.length ? true : undefined),
      120_000,
    );
    await sleep(2_000);
    assertExactlyInOrder('the client', stream.received, committed);
    assert.deepEqual(stream.drops, [], 'the client stayed connected');
    // Through the stream, not a replay from the audit log (which would hide a lost event).
    const through = (await eventsReceived()) - before;
    assert.ok(
      through >= committed.length - 1,
      `every event after the first came through the resumed stream (${through} did)`,
    );
    assert.deepEqual(stream.errors, []);
  } finally {
    await stream.close();
  }
}

test(
  'its sidecar SIGKILLed and restarted: the stream resumes, the client misses nothing',
  { timeout: 300_000 },
  () => sidecarKilledAndRestarted('sync-kill-sidecar'),
);

/**
 * The app frozen (SIGSTOP) while its sidecar streams it events, then SIGKILLed: the events it
 * never answered were not committed, so the restarted app gets them again from Kafka. Without
 * dapr/components/resiliency.yaml's finite streamRedelivery, daprd 1.18.2 keeps retrying them
 * against the dead stream and the new one never subscribes (the app is never ready again).
 */
test(
  'the app frozen with events in flight, then SIGKILLed: the unanswered events come again',
  { timeout: 300_000 },
  async () => {
    const u = await apiUser('sync-frozen');
    const task = await u.createTask({ title: 'before the freeze' });
    // Past the consumer's offset auto-commit (see the sidecar case).
    await sleep(1_500);
    await stackControl.freezeSync(port());
    for (let i = 1; i <= 3; i++) await rename(u, task.id, `unanswered ${i}`);
    // Published and sent to the frozen app, which cannot answer.
    await sleep(2_000);
    await stackControl.killSync(port());
    const t0 = Date.now();
    // Returns once the app is ready, i.e. subscribed again (about 50 s: see streamRedelivery).
    await stackControl.startSync(port());
    const readyAfterMs = Date.now() - t0;
    await eventually(
      'the three unanswered events delivered again',
      async () => ((await eventsReceived()) >= 3 ? true : undefined),
      60_000,
    );
    assert.ok(readyAfterMs < 90_000, `ready again after ${readyAfterMs} ms`);
  },
);

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
