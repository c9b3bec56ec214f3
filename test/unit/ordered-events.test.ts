import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TicklerEvent } from '../../domain/events.js';
import type { UserId } from '../../domain/ids.js';
import { createEventHub } from '../../sync-service/hub.js';
import {
  defaultStreamLimits,
  orderedEvents,
  type StreamLimits,
} from '../../sync-service/ordered-events.js';
import type { ReplaySource } from '../../sync-service/replay-source.js';
import { idle, manualClock, type ManualClock } from './support/manual-clock.js';

// The ordering logic of one subscription, with the real hub and an in-memory stand-in for the
// audit log (the unit does not own the audit service; the e2e tests use the real one). Time is a
// manual clock: the waits (gap, settle, retry) take no real time and always happen in one order.

const USER = 'u-1' as UserId;

function event(sequence: number, userid: string = USER): TicklerEvent {
  return {
    specversion: '1.0',
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    source: 'test',
    type: 'task.created',
    time: new Date().toISOString(),
    subject: '00000000-0000-4000-8000-000000000001',
    userid,
    sequence,
    datacontenttype: 'application/json',
    dataversion: 1,
    data: {},
  } as unknown as TicklerEvent;
}

/** An audit log holding `stored`; `calls` counts reads; `failing` makes reads throw. */
function fakeAudit(stored: number[]) {
  const log = { stored: new Set(stored), calls: 0, failing: false };
  const source: ReplaySource = {
    async eventsAfter(userId, after, limit) {
      log.calls++;
      if (log.failing) throw new Error('audit down');
      const seqs = [...log.stored].filter((s) => s > after).sort((a, b) => a - b);
      return {
        events: seqs.slice(0, limit).map((s) => event(s, userId)),
        head: Math.max(0, ...log.stored),
      };
    },
  };
  return { log, source };
}

const limits: StreamLimits = {
  ...defaultStreamLimits,
  gapWaitMs: 20,
  settleMs: 2_000,
  replayPageSize: 3,
  replayRetryMs: 300,
};

/** The next `n` sequences; it waits for events, not for time (see `run`). */
async function take(it: AsyncIterator<TicklerEvent>, n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const result = await it.next();
    assert.ok(!result.done, `the stream ended after ${out.join(',')}`);
    out.push(result.value.sequence);
  }
  return out;
}

/**
 * Settles `p`, moving the clock to each next timer whenever the stream is idle; fails (instead
 * of hanging) when `p` is pending with no timer left.
 */
const run = <T>(clock: ManualClock, p: Promise<T>): Promise<T> => clock.until(p);

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('replays what the client missed in pages, then follows live events', async () => {
  const hub = createEventHub();
  const clock = manualClock();
  const { source } = fakeAudit(range(1, 8));
  const it = orderedEvents({ userId: USER, after: 2, hub, source, limits, clock, onOverflow() {} });
  const first = take(it, 6);
  await idle();
  hub.publish(event(9));
  hub.publish(event(10));
  assert.deepEqual(await run(clock, first), [3, 4, 5, 6, 7, 8]);
  assert.deepEqual(await run(clock, take(it, 2)), [9, 10]);
  await it.return!();
  assert.equal(hub.listenerCount(), 0, 'unsubscribed from the hub');
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('live events that overlap the replay, or arrive twice, are delivered once', async () => {
  const hub = createEventHub();
  const clock = manualClock();
  const { source } = fakeAudit(range(1, 4));
  const it = orderedEvents({ userId: USER, after: 0, hub, source, limits, clock, onOverflow() {} });
  // Already listening: these arrive while the replay is still to be read.
  const got = take(it, 6);
  hub.publish(event(3));
  hub.publish(event(5));
  hub.publish(event(5));
  hub.publish(event(4));
  hub.publish(event(6));
  assert.deepEqual(await run(clock, got), [1, 2, 3, 4, 5, 6]);
  hub.publish(event(6));
  hub.publish(event(2));
  hub.publish(event(7));
  assert.deepEqual(await run(clock, take(it, 1)), [7]);
  await it.return!();
});

test('live events out of order are held until the missing one arrives', async () => {
  const hub = createEventHub();
  const clock = manualClock();
  const { source } = fakeAudit([]);
  const it = orderedEvents({ userId: USER, after: 0, hub, source, limits, clock, onOverflow() {} });
  const got = take(it, 4);
  await idle();
  hub.publish(event(2));
  hub.publish(event(4));
  hub.publish(event(1));
  hub.publish(event(3));
  assert.deepEqual(await run(clock, got), [1, 2, 3, 4]);
  await it.return!();
});

test('a gap the live stream never fills is filled from the audit log', async () => {
  const hub = createEventHub();
  const clock = manualClock();
  const audit = fakeAudit([1]);
  const it = orderedEvents({
    userId: USER,
    after: undefined, // starts after the latest recorded event: 1
    hub,
    source: audit.source,
    limits,
    clock,
    onOverflow() {},
  });
  const got = take(it, 3);
  await idle();
  hub.publish(event(4)); // 2 and 3 went by before this replica saw them; the audit log has them
  // Two looks at the audit log (after gapWaitMs, then twice that) find nothing yet.
  await clock.advance(limits.gapWaitMs * 3);
  const looked = audit.log.calls;
  assert.ok(looked >= 3, `the audit log was asked about the gap (${looked} reads)`);
  audit.log.stored.add(2).add(3);
  assert.deepEqual(await run(clock, got), [2, 3, 4]);
  await it.return!();
});

test('events the audit log stores only after the catch-up are still found (settling)', async () => {
  const hub = createEventHub();
  const clock = manualClock();
  const audit = fakeAudit([1, 2]);
  const it = orderedEvents({
    userId: USER,
    after: 1,
    hub,
    source: audit.source,
    limits,
    clock,
    onOverflow() {},
  });
  assert.deepEqual(await run(clock, take(it, 1)), [2]);
  const t0 = clock.now();
  audit.log.stored.add(3); // the audit service was behind when the client came back
  assert.deepEqual(await run(clock, take(it, 1)), [3]);
  // Found by the first settling look, half a second after the catch-up.
  assert.equal(clock.now() - t0, 500);
  await it.return!();
});

test('a client that does not read is cut off once its buffer is full', async () => {
  const hub = createEventHub();
  const clock = manualClock();
  const { source } = fakeAudit([]);
  let overflowed = 0;
  const it = orderedEvents({
    userId: USER,
    after: 0,
    hub,
    source,
    limits: { ...limits, maxBuffered: 5 },
    clock,
    onOverflow: () => overflowed++,
  });
  const pending = it.next(); // starts the stream; the client then stops reading
  hub.publish(event(1));
  assert.equal((await run(clock, pending)).value?.sequence, 1);
  for (let s = 2; s <= 8; s++) hub.publish(event(s));
  const after = await run(clock, it.next());
  assert.equal(after.done, true, 'the stream ends');
  assert.equal(overflowed, 1);
});

test('another user’s events never reach the subscription', async () => {
  const hub = createEventHub();
  const clock = manualClock();
  const { source } = fakeAudit([]);
  const it = orderedEvents({ userId: USER, after: 0, hub, source, limits, clock, onOverflow() {} });
  const got = take(it, 2);
  await idle();
  hub.publish(event(1, 'someone-else'));
  hub.publish(event(1));
  hub.publish(event(2, 'someone-else'));
  hub.publish(event(2));
  assert.deepEqual(await run(clock, got), [1, 2]);
  await it.return!();
});

test('an audit log that stays down ends the catch-up with UNAVAILABLE', async () => {
  const hub = createEventHub();
  const clock = manualClock();
  const audit = fakeAudit([1, 2]);
  audit.log.failing = true;
  const it = orderedEvents({
    userId: USER,
    after: 0,
    hub,
    source: audit.source,
    limits,
    clock,
    onOverflow() {},
  });
  const t0 = clock.now();
  await assert.rejects(run(clock, it.next()), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'UNAVAILABLE');
    assert.match(err.message, /audit down/);
    return true;
  });
  // Retried after 200 and 400 ms; the read at 600 ms is past replayRetryMs (300) and ends it.
  assert.equal(audit.log.calls, 3);
  assert.equal(clock.now() - t0, 600);
  assert.equal(hub.listenerCount(), 0);
});

test('a gap that never fills is given up on after gapGiveUpMs, and reported', async () => {
  const hub = createEventHub();
  const clock = manualClock();
  const { source } = fakeAudit([]);
  const skipped: [number, number][] = [];
  const it = orderedEvents({
    userId: USER,
    after: 0,
    hub,
    source,
    limits: { ...limits, gapGiveUpMs: 150 },
    clock,
    onOverflow() {},
    onGapSkipped: (from, to) => skipped.push([from, to]),
  });
  const got = take(it, 2);
  await idle();
  const t0 = clock.now();
  hub.publish(event(3));
  hub.publish(event(4));
  assert.deepEqual(await run(clock, got), [3, 4]);
  assert.deepEqual(skipped, [[1, 2]]);
  // It looks after waits of 20, 40, 80 and 160 ms (gapWaitMs doubling): the look at 300 ms is
  // the first past gapGiveUpMs.
  assert.equal(clock.now() - t0, 20 + 40 + 80 + 160);
  await it.return!();
});

test('returning while it waits for events ends at once', async () => {
  const hub = createEventHub();
  const clock = manualClock();
  const { source } = fakeAudit([]);
  const it = orderedEvents({ userId: USER, after: 0, hub, source, limits, clock, onOverflow() {} });
  const pending = it.next();
  await idle();
  const t0 = clock.now();
  // No clock movement is allowed here: `until` fails if the return needed a timer to fire.
  await it.return!();
  assert.equal((await pending).done, true);
  assert.equal(clock.now(), t0);
  assert.equal(hub.listenerCount(), 0);
});
