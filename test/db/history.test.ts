import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { appendAuditEvent, listEventsAfter, listHistory } from '../../db/audit.js';
import { createSql, type Sql } from '../../db/sql.js';
import { buildEvent, type EventType, type TicklerEvent } from '../../domain/events.js';
import type { EventId, TaskId, UserId } from '../../domain/ids.js';
import { snapshot } from '../support/fixtures.js';
import { testEnv } from '../support/env.js';

// The audit log's read queries, on the stack's database: every user here is new, so the rows
// other tests (and the running services) append never show up.

const run = Date.now().toString(36);
let n = 0;
const newUser = () => `history-db-${run}-${++n}` as UserId;

let sql: Sql;
before(() => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-history', max: 3 });
});
after(async () => {
  await sql.end({ timeout: 2 });
});

function taskEvent(
  userId: UserId,
  taskId: TaskId,
  sequence: number,
  type: Extract<EventType, 'task.created' | 'task.completed' | 'task.deleted'>,
  time: string,
): TicklerEvent {
  return buildEvent({
    id: randomUUID() as EventId,
    type,
    source: 'tickler/api',
    time: new Date(time),
    subject: taskId,
    userId,
    sequence,
    data: { task: snapshot({ id: taskId, title: `task at ${sequence}` }) },
  });
}

/** Appends the events in the order given (which the log does not rely on). */
async function appendAll(events: TicklerEvent[]): Promise<void> {
  for (const e of events) assert.equal(await appendAuditEvent(sql, e), 'appended');
}

describe('listHistory', () => {
  const user = newUser();
  const other = newUser();
  const a = randomUUID() as TaskId;
  const b = randomUUID() as TaskId;
  before(async () => {
    // Arrival order differs from sequence order, as it does across tasks in the real stack.
    await appendAll([
      taskEvent(user, a, 1, 'task.created', '2026-03-01T10:00:00Z'),
      taskEvent(user, b, 3, 'task.created', '2026-03-02T10:00:00Z'),
      taskEvent(user, a, 2, 'task.completed', '2026-03-01T11:00:00Z'),
      taskEvent(user, b, 4, 'task.deleted', '2026-03-03T10:00:00Z'),
      taskEvent(other, a, 1, 'task.created', '2026-03-01T10:00:00Z'),
    ]);
  });
  const seqs = (rows: { event: TicklerEvent }[]) => rows.map((r) => r.event.sequence);

  test('newest first, with when each was recorded', async () => {
    const rows = await listHistory(sql, user, { limit: 10 });
    assert.deepEqual(seqs(rows), [4, 3, 2, 1]);
    assert.ok(rows.every((r) => r.recordedAt instanceof Date));
    assert.equal(rows[0]!.event.type, 'task.deleted');
  });

  test("only the user's own events", async () => {
    assert.deepEqual(seqs(await listHistory(sql, other, { limit: 10 })), [1]);
    assert.deepEqual(seqs(await listHistory(sql, newUser(), { limit: 10 })), []);
    // A subject of another user's finds nothing for this one.
    assert.deepEqual(seqs(await listHistory(sql, newUser(), { subject: a, limit: 10 })), []);
  });

  test('filters by subject, type and time of the change', async () => {
    assert.deepEqual(seqs(await listHistory(sql, user, { subject: a, limit: 10 })), [2, 1]);
    assert.deepEqual(
      seqs(await listHistory(sql, user, { types: ['task.created'], limit: 10 })),
      [3, 1],
    );
    assert.deepEqual(
      seqs(
        await listHistory(sql, user, {
          since: new Date('2026-03-01T11:00:00Z'),
          until: new Date('2026-03-03T10:00:00Z'),
          limit: 10,
        }),
      ),
      [3, 2],
    );
  });

  test('pages continue below a sequence', async () => {
    assert.deepEqual(seqs(await listHistory(sql, user, { limit: 2 })), [4, 3]);
    assert.deepEqual(seqs(await listHistory(sql, user, { beforeSequence: 3, limit: 2 })), [2, 1]);
    assert.deepEqual(seqs(await listHistory(sql, user, { beforeSequence: 1, limit: 2 })), []);
  });
});

describe('listEventsAfter', () => {
  const user = newUser();
  const t = randomUUID() as TaskId;
  const events = [1, 2, 3, 4, 5].map((s) =>
    taskEvent(user, t, s, s === 1 ? 'task.created' : 'task.completed', '2026-03-01T10:00:00Z'),
  );
  before(async () => {
    await appendAll([events[0]!, events[3]!, events[1]!, events[4]!, events[2]!]);
    await appendAll([taskEvent(newUser(), t, 9, 'task.created', '2026-03-01T10:00:00Z')]);
  });

  test('the stored events after a sequence, ascending, and the head', async () => {
    const page = await listEventsAfter(sql, user, 2, 500);
    assert.equal(page.head, 5);
    assert.deepEqual(
      page.events.map((e) => e.sequence),
      [3, 4, 5],
    );
    assert.deepEqual(page.events[0], events[2]);
  });

  test('at most limit events; the head says more are there', async () => {
    const page = await listEventsAfter(sql, user, 0, 2);
    assert.deepEqual(
      page.events.map((e) => e.sequence),
      [1, 2],
    );
    assert.equal(page.head, 5);
  });

  test('nothing after the head; a user without events has head 0', async () => {
    assert.deepEqual(await listEventsAfter(sql, user, 5, 500), { events: [], head: 5 });
    assert.deepEqual(await listEventsAfter(sql, newUser(), 0, 500), { events: [], head: 0 });
  });
});
