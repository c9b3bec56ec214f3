import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { insertOutbox, outboxStats, type OutboxRow } from '../../db/outbox.js';
import { AppError, ErrorCode } from '../../domain/errors.js';
import { buildEvent, topicOf, type TicklerEvent } from '../../domain/events.js';
import type { EventId, TaskId, UserId } from '../../domain/ids.js';
import { createLogger } from '../../platform/logger.js';
import { createRelay, deliverEach, type Relay } from '../../worker/relay.js';
import { eventually } from '../support/graphql.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/throwaway-db.js';
import { snapshot } from '../support/fixtures.js';

// The stack's worker runs a relay on the stack's database that would claim any row we insert
// there, so these tests get a database of their own.

const log = createLogger('test', 'silent');
let db: ThrowawayDatabase;
before(async () => {
  db = await createThrowawayDatabase('relay');
});
after(async () => {
  await db?.drop();
});

let sequence = 0;
function event(subject: TaskId, title = 'relayed'): TicklerEvent {
  return buildEvent({
    id: randomUUID() as EventId,
    type: 'task.created',
    source: 'test',
    time: new Date(),
    subject,
    userId: 'relay-user' as UserId,
    sequence: ++sequence,
    data: {
      task: snapshot({ id: subject, title }),
    },
  });
}

async function insert(e: TicklerEvent): Promise<TicklerEvent> {
  await insertOutbox(db.sql, topicOf(e.type), e);
  return e;
}

interface RowState {
  attempts: number;
  lastError: string | null;
  delivered: boolean;
}
async function stateOf(id: string): Promise<RowState> {
  const [row] = await db.sql<
    { attempts: number; lastError: string | null; deliveredAt: Date | null }[]
  >`
    SELECT attempts, last_error, delivered_at FROM outbox_deliveries
    WHERE event_id = ${id} AND destination = 'publish'`;
  assert.ok(row, `outbox row ${id}`);
  return { attempts: row.attempts, lastError: row.lastError, delivered: row.deliveredAt !== null };
}

/** A relay whose deliver records every call and may be told to throw or to wait. */
function fakeRelay(
  opts: {
    sweepMs?: number;
    maxBackoffMs?: number;
    batchSize?: number;
    batchesInFlight?: number;
  } = {},
) {
  const calls: { id: string; attempts: number; at: number }[] = [];
  const delivered: string[] = [];
  let behaviour: (row: OutboxRow) => Promise<void> = async () => {};
  const relay: Relay = createRelay({
    sql: db.sql,
    log,
    sweepMs: opts.sweepMs ?? 100,
    maxBackoffMs: opts.maxBackoffMs ?? 200,
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
    ...(opts.batchesInFlight ? { batchesInFlight: opts.batchesInFlight } : {}),
    deliver: deliverEach(async (row) => {
      calls.push({ id: row.id, attempts: row.attempts, at: Date.now() });
      await behaviour(row);
      delivered.push(row.id);
    }),
  });
  return {
    relay,
    calls,
    delivered,
    callsFor: (id: string) => calls.filter((c) => c.id === id),
    behave(b: (row: OutboxRow) => Promise<void>) {
      behaviour = b;
    },
  };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `promise`, or a failure saying `what` did not happen within `ms`; the timer never outlives it. */
async function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('outbox relay', () => {
  test('delivers each row once and marks it delivered', async () => {
    const fake = fakeRelay();
    await fake.relay.start();
    try {
      const events: TicklerEvent[] = [];
      for (let i = 0; i < 5; i++)
        events.push(await insert(event(randomUUID() as TaskId, `row ${i}`)));
      await eventually(
        'all rows delivered',
        async () => {
          const states = await Promise.all(events.map((e) => stateOf(e.id)));
          return states.every((s) => s.delivered) ? true : undefined;
        },
        10_000,
      );
      await settle(400); // a few sweeps: a second delivery would show up now
      for (const e of events) {
        assert.equal(fake.callsFor(e.id).length, 1, `${e.id} delivered once`);
        assert.deepEqual(await stateOf(e.id), { attempts: 1, lastError: null, delivered: true });
      }
      assert.deepEqual(
        fake.delivered,
        events.map((e) => e.id),
        'in insertion order',
      );
      const passed = fake.calls.find((c) => c.id === events[0]!.id);
      assert.equal(passed?.attempts, 0, 'the row is handed over as claimed');
    } finally {
      await fake.relay.stop();
    }
  });

  test('hands deliver the stored event unchanged', async () => {
    const fake = fakeRelay();
    const seen: OutboxRow[] = [];
    fake.behave(async (row) => void seen.push(row));
    await fake.relay.start();
    try {
      const e = await insert(event(randomUUID() as TaskId, 'exact'));
      await eventually(
        'row delivered',
        () => (seen.some((r) => r.id === e.id) ? true : undefined),
        10_000,
      );
      const row = seen.find((r) => r.id === e.id)!;
      assert.equal(row.topic, 'task-events');
      assert.equal(row.subject, e.subject);
      assert.deepEqual(row.event, e);
    } finally {
      await fake.relay.stop();
    }
  });

  test('a failing row is retried after a backoff, holds back its subject, and not other subjects', async () => {
    const fake = fakeRelay({ sweepMs: 100, maxBackoffMs: 200 });
    const subject = randomUUID() as TaskId;
    const first = await insert(event(subject, 'first'));
    const second = await insert(event(subject, 'second'));
    const other = await insert(event(randomUUID() as TaskId, 'other subject'));

    // First attempt at `first` fails; the second attempt waits until the test lets it go.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let secondAttemptStarted!: () => void;
    const atSecondAttempt = new Promise<void>((r) => (secondAttemptStarted = r));
    fake.behave(async (row) => {
      if (row.id !== first.id) return;
      if (row.attempts === 0) throw new Error('sidecar unavailable');
      secondAttemptStarted();
      await released;
    });

    await fake.relay.start();
    try {
      await within(
        atSecondAttempt,
        10_000,
        () => `no retry of the failed row; calls: ${JSON.stringify(fake.calls)}`,
      );
      // While the retry is in flight, the committed state is that of the failed first attempt.
      assert.deepEqual(await stateOf(first.id), {
        attempts: 1,
        lastError: 'sidecar unavailable',
        delivered: false,
      });
      assert.deepEqual(await stateOf(second.id), {
        attempts: 0,
        lastError: null,
        delivered: false,
      });
      assert.equal(fake.callsFor(second.id).length, 0, 'a later row of the same subject waits');
      assert.equal((await stateOf(other.id)).delivered, true, 'another subject is not held back');

      const [failed, retried] = fake.callsFor(first.id);
      assert.ok(failed && retried);
      assert.ok(
        retried.at - failed.at >= 100,
        `retried after a backoff, not at once (${retried.at - failed.at} ms)`,
      );

      release();
      await eventually(
        'the held-back row delivered',
        async () => ((await stateOf(second.id)).delivered ? true : undefined),
        10_000,
      );
      assert.deepEqual(await stateOf(first.id), { attempts: 2, lastError: null, delivered: true });
      assert.deepEqual(await stateOf(second.id), { attempts: 1, lastError: null, delivered: true });
      const order = fake.delivered.filter((id) => id === first.id || id === second.id);
      assert.deepEqual(order, [first.id, second.id], 'per-subject order kept');
      assert.equal(fake.callsFor(other.id).length, 1);
    } finally {
      release();
      await fake.relay.stop();
    }
  });

  test('a row that keeps failing keeps its attempts and error, and is delivered once the failure stops', async () => {
    const fake = fakeRelay({ sweepMs: 100, maxBackoffMs: 200 });
    const e = await insert(event(randomUUID() as TaskId, 'flaky'));
    let failing = true;
    fake.behave(async (row) => {
      if (row.id === e.id && failing) throw new Error(`attempt ${row.attempts + 1} failed`);
    });
    await fake.relay.start();
    try {
      await eventually(
        'three failed attempts',
        () => (fake.callsFor(e.id).length >= 3 ? true : undefined),
        10_000,
      );
      failing = false;
      await eventually(
        'delivered after the failure stopped',
        async () => ((await stateOf(e.id)).delivered ? true : undefined),
        10_000,
      );
      const state = await stateOf(e.id);
      assert.equal(state.lastError, null);
      assert.equal(state.attempts, fake.callsFor(e.id).length, 'every attempt counted');
      assert.ok(state.attempts >= 4);
      assert.deepEqual(
        fake.callsFor(e.id).map((c) => c.attempts),
        [...Array(state.attempts).keys()],
      );
    } finally {
      await fake.relay.stop();
    }
  });

  test('a poison row is quarantined with its reason and no longer holds back its subject', async () => {
    const fake = fakeRelay({ sweepMs: 100, maxBackoffMs: 200 });
    const subject = randomUUID() as TaskId;
    const poison = await insert(event(subject, 'poison'));
    const next = await insert(event(subject, 'after the poison'));
    fake.behave(async (row) => {
      if (row.id === poison.id)
        throw new AppError(ErrorCode.BAD_EVENT, 'Dapr refused it: HTTP 400');
    });
    await fake.relay.start();
    try {
      await eventually(
        'the next row of the subject delivered',
        async () => ((await stateOf(next.id)).delivered ? true : undefined),
        10_000,
      );
      await settle(500);
      assert.equal(fake.callsFor(poison.id).length, 1, 'tried once, never again');
      const [row] = await db.sql<{ quarantinedAt: Date | null; lastError: string | null }[]>`
        SELECT quarantined_at, last_error FROM outbox_deliveries
        WHERE event_id = ${poison.id} AND destination = 'publish'`;
      assert.ok(row?.quarantinedAt, 'quarantined');
      assert.equal(row.lastError, 'Dapr refused it: HTTP 400');
      const stats = await outboxStats(db.sql);
      assert.equal(stats.find((s) => s.destination === 'publish')!.quarantined, 1);
    } finally {
      await fake.relay.stop();
    }
  });

  test('a NOTIFY wakes it long before the next sweep', async () => {
    const fake = fakeRelay({ sweepMs: 60_000 });
    await fake.relay.start();
    try {
      await settle(300); // let the first (empty) drain finish and the relay go to sleep
      const e = await insert(event(randomUUID() as TaskId, 'notified'));
      await eventually(
        'delivered through NOTIFY',
        () => (fake.delivered.includes(e.id) ? true : undefined),
        5_000,
      );
    } finally {
      await fake.relay.stop();
    }
  });

  test('several batches in flight deliver each row once, in order per subject', async () => {
    // Small batches, three loops and a slow delivery: the loops overlap, and a subject's next
    // row is only claimable once its previous row's batch has committed.
    const fake = fakeRelay({ batchSize: 2, batchesInFlight: 3 });
    const inFlight = new Set<string>();
    let overlapped = false;
    fake.behave(async (row) => {
      inFlight.add(row.id);
      if (inFlight.size > 2) overlapped = true;
      await settle(20);
      inFlight.delete(row.id);
    });
    const subjects = Array.from({ length: 4 }, () => randomUUID() as TaskId);
    const events: TicklerEvent[] = [];
    for (let i = 0; i < 6; i++)
      for (const subject of subjects) events.push(await insert(event(subject, `row ${i}`)));
    await fake.relay.start();
    try {
      await eventually(
        'all rows delivered',
        async () => {
          const states = await Promise.all(events.map((e) => stateOf(e.id)));
          return states.every((s) => s.delivered) ? true : undefined;
        },
        20_000,
      );
      await settle(400); // a few sweeps: a second delivery would show up now
      assert.ok(overlapped, 'more than one batch was out at once');
      for (const e of events) assert.equal(fake.callsFor(e.id).length, 1, `${e.id} delivered once`);
      for (const subject of subjects) {
        const own = events.filter((e) => e.subject === subject).map((e): string => e.id);
        assert.deepEqual(
          fake.delivered.filter((id) => own.includes(id)),
          own,
          `subject ${subject} in insertion order`,
        );
      }
    } finally {
      await fake.relay.stop();
    }
  });

  test('delivers nothing after stop()', async () => {
    const fake = fakeRelay();
    await fake.relay.start();
    await fake.relay.stop();
    const e = await insert(event(randomUUID() as TaskId, 'after stop'));
    await settle(400);
    assert.equal(fake.calls.length, 0);
    assert.equal((await stateOf(e.id)).delivered, false);
  });
});
