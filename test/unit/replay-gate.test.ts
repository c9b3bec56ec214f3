import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../domain/errors.js';
import type { UserId } from '../../domain/ids.js';
import { createReplayGate } from '../../sync-service/replay-gate.js';
import type { ReplaySource } from '../../sync-service/replay-source.js';

// The replay gate bounds reads of the audit log: in total and per user, served in arrival order,
// and an abandoned read leaves the queue.

function heldSource() {
  const pending: { userId: string; finish: () => void }[] = [];
  let peak = 0;
  let inFlight = 0;
  const source: ReplaySource = {
    eventsAfter: (userId) =>
      new Promise((resolve) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        pending.push({
          userId,
          finish: () => {
            inFlight--;
            resolve({ events: [], head: 0 });
          },
        });
      }),
  };
  return { source, pending, peak: () => peak };
}

const flush = () => new Promise((r) => setImmediate(r));
const u = (id: string) => id as UserId;

test('at most maxConcurrent reads at once; the others wait their turn', async () => {
  const held = heldSource();
  const gate = createReplayGate({ maxConcurrent: 3, maxPerUser: 3, maxWaiting: 100 });
  const gated = gate.wrap(held.source);
  const reads = Array.from({ length: 10 }, (_, i) => gated.eventsAfter(u(`user-${i}`), 0, 10));
  await flush();
  assert.equal(held.pending.length, 3);
  assert.deepEqual(gate.stats(), { running: 3, waiting: 7 });
  for (let i = 0; i < 10; i++) {
    held.pending.shift()!.finish();
    await flush();
  }
  await Promise.all(reads);
  assert.equal(held.peak(), 3);
  assert.deepEqual(gate.stats(), { running: 0, waiting: 0 });
});

test("one user's reads cannot take every slot", async () => {
  const held = heldSource();
  const gate = createReplayGate({ maxConcurrent: 4, maxPerUser: 2, maxWaiting: 100 });
  const gated = gate.wrap(held.source);
  const greedy = Array.from({ length: 6 }, () => gated.eventsAfter(u('greedy'), 0, 10));
  const other = gated.eventsAfter(u('other'), 0, 10);
  await flush();
  assert.deepEqual(
    held.pending.map((p) => p.userId),
    ['greedy', 'greedy', 'other'],
  );
  while (held.pending.length) {
    held.pending.shift()!.finish();
    await flush();
  }
  await Promise.all([...greedy, other]);
});

test('an aborted waiting read leaves the queue and rejects with its reason', async () => {
  const held = heldSource();
  const gate = createReplayGate({ maxConcurrent: 1, maxPerUser: 1, maxWaiting: 100 });
  const gated = gate.wrap(held.source);
  const first = gated.eventsAfter(u('a'), 0, 10);
  const stop = new AbortController();
  const second = gated.eventsAfter(u('b'), 0, 10, stop.signal);
  await flush();
  assert.deepEqual(gate.stats(), { running: 1, waiting: 1 });
  stop.abort(new Error('subscription ended'));
  await assert.rejects(second, /subscription ended/);
  assert.deepEqual(gate.stats(), { running: 1, waiting: 0 });
  held.pending.shift()!.finish();
  await first;
  assert.deepEqual(gate.stats(), { running: 0, waiting: 0 });
});

test('beyond maxWaiting a read is UNAVAILABLE at once; the queue does not grow', async () => {
  const held = heldSource();
  const gate = createReplayGate({ maxConcurrent: 1, maxPerUser: 1, maxWaiting: 2 });
  const gated = gate.wrap(held.source);
  const admitted = ['a', 'b', 'c'].map((id) => gated.eventsAfter(u(id), 0, 10));
  await flush();
  assert.deepEqual(gate.stats(), { running: 1, waiting: 2 });
  await assert.rejects(
    gated.eventsAfter(u('d'), 0, 10),
    (err: unknown) => err instanceof AppError && err.code === 'UNAVAILABLE',
  );
  assert.deepEqual(gate.stats(), { running: 1, waiting: 2 });
  while (held.pending.length || gate.stats().running) {
    held.pending.shift()?.finish();
    await flush();
  }
  await Promise.all(admitted);
});
