import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { buildEvent, type EventData, type EventType } from '../../domain/events.js';
import { AppError } from '../../domain/errors.js';
import {
  changesOf,
  decodeHistoryCursor,
  encodeHistoryCursor,
  toHistoryEntry,
} from '../../domain/history.js';
import type { EventId, TaskId, UserId } from '../../domain/ids.js';
import { snapshot } from '../support/fixtures.js';

const taskId = randomUUID() as TaskId;
const userId = 'user-history' as UserId;

const event = <T extends EventType>(type: T, data: EventData<T>, source = 'tickler/api') =>
  buildEvent({
    id: randomUUID() as EventId,
    type,
    source,
    time: new Date('2026-03-30T07:00:00.000Z'),
    subject: taskId,
    userId,
    sequence: 7,
    data,
  });

const completed = snapshot({
  id: taskId,
  status: 'COMPLETED',
  completedAt: '2026-03-30T07:00:00.000Z',
});

describe('history entries from events', () => {
  test('status changes are derived from the snapshot', () => {
    assert.deepEqual(changesOf(event('task.completed', { task: completed })), [
      { field: 'status', before: 'OPEN', after: 'COMPLETED' },
      { field: 'completedAt', before: null, after: '2026-03-30T07:00:00.000Z' },
    ]);
    assert.deepEqual(changesOf(event('task.reopened', { task: snapshot({ id: taskId }) })), [
      { field: 'status', before: 'COMPLETED', after: 'OPEN' },
    ]);
    assert.deepEqual(changesOf(event('task.deleted', { task: snapshot({ id: taskId }) })), [
      { field: 'deleted', before: false, after: true },
    ]);
  });

  test('reminder facts', () => {
    const reminder = {
      id: 'r1',
      offsetMs: -60_000,
      at: null,
      snoozedUntil: '2026-03-30T08:00:00.000Z',
      dismissed: false,
      armedAt: '2026-03-30T06:00:00.000Z',
    };
    const task = snapshot({ id: taskId, reminders: [reminder] });
    assert.deepEqual(changesOf(event('reminder.snoozed', { task, reminderId: 'r1' })), [
      { field: 'reminderId', before: null, after: 'r1' },
      { field: 'snoozedUntil', before: null, after: '2026-03-30T08:00:00.000Z' },
    ]);
    assert.deepEqual(changesOf(event('reminder.dismissed', { task, reminderId: 'r1' })), [
      { field: 'reminderId', before: null, after: 'r1' },
      { field: 'dismissed', before: false, after: true },
    ]);
  });

  test('actor: the api is the user, anything else the system', () => {
    const e = event('task.completed', { task: completed });
    const entry = toHistoryEntry(e, new Date('2026-03-30T07:00:01.000Z'));
    assert.deepEqual(entry.actor, { kind: 'USER', id: userId });
    assert.equal(entry.taskId, taskId);
    assert.equal(entry.recordedAt, '2026-03-30T07:00:01.000Z');
    const byWorker = event(
      'reminder.missed',
      {
        taskId,
        reminderId: 'r1',
        title: 't',
        fireAt: '2026-03-30T06:00:00.000Z',
        recordedAt: '2026-03-30T07:00:00.000Z',
      },
      'tickler/worker',
    );
    assert.deepEqual(toHistoryEntry(byWorker, new Date()).actor, { kind: 'SYSTEM', id: null });
  });
});

describe('history cursors', () => {
  test('round-trip a sequence', () => {
    assert.equal(decodeHistoryCursor(encodeHistoryCursor(123456)), 123456);
  });
  test('anything else is bad input naming the argument', () => {
    for (const bad of ['', 'abc', encodeHistoryCursor(0), Buffer.from('-4').toString('base64url')])
      assert.throws(
        () => decodeHistoryCursor(bad),
        (err) => err instanceof AppError && err.problems[0]?.path === 'after',
      );
  });
});
