import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { buildEvent, parseEvent, type EventData, type EventType } from '../../domain/events.js';
import { changesOf } from '../../domain/history.js';
import type { EventId, TaskId, UserId } from '../../domain/ids.js';
import { reminderState, type Delivery, type Reminder } from '../../domain/reminder.js';
import { snapshot } from '../support/fixtures.js';

// The mute and inApp marks were added to the v1 events compatibly: events written before them
// still parse and read as they did; the marks show in history only when they say something.

const taskId = randomUUID() as TaskId;
const event = <T extends EventType>(type: T, data: EventData<T>) =>
  buildEvent({
    id: randomUUID() as EventId,
    type,
    source: 'tickler/worker',
    time: new Date('2031-03-01T12:00:00.000Z'),
    subject: taskId,
    userId: 'user-mute' as UserId,
    sequence: 3,
    data,
  });

const fired = {
  taskId,
  reminderId: 'r1',
  title: 'Exercise',
  fireAt: '2031-03-01T12:00:00.000Z',
  firedAt: '2031-03-01T12:00:00.300Z',
  late: false,
};

describe('mute and inApp in events', () => {
  test('a task event written before muted existed still parses (no dataversion bump)', () => {
    const old = snapshot({ id: taskId });
    delete old.muted;
    const written = event('task.created', { task: old });
    const parsed = parseEvent(JSON.parse(JSON.stringify(written)));
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
    assert.equal(parsed.event.dataversion, 1);
    assert.ok(parsed.event.type === 'task.created');
    assert.equal(parsed.event.data.task.muted, undefined);
  });

  test('history: a task created muted says so; one created unmuted reads as before', () => {
    const fields = (muted: boolean) =>
      changesOf(event('task.created', { task: snapshot({ id: taskId, muted }) })).map(
        (c) => c.field,
      );
    assert.equal(fields(false).includes('muted'), false);
    assert.deepEqual(fields(true).slice(-1), ['muted']);
  });

  test('history: a muted firing and one without an in-app notification are marked', () => {
    const marks = (data: EventData<'reminder.fired'>) =>
      changesOf(event('reminder.fired', data)).filter((c) => ['inApp', 'muted'].includes(c.field));
    assert.deepEqual(marks(fired), []);
    assert.deepEqual(marks({ ...fired, inApp: false }), [
      { field: 'inApp', before: null, after: false },
    ]);
    assert.deepEqual(marks({ ...fired, inApp: false, muted: true }), [
      { field: 'inApp', before: null, after: false },
      { field: 'muted', before: null, after: true },
    ]);
  });
});

describe('reminder state', () => {
  const reminder: Reminder = {
    id: 'r1',
    offsetMs: null,
    at: new Date('2031-03-01T12:00:00.000Z'),
    snoozedUntil: null,
    dismissedAt: null,
    armedAt: new Date('2031-03-01T08:00:00.000Z'),
  };
  const delivery = (d: Partial<Delivery>): Delivery => ({
    reminderId: 'r1',
    fireAt: new Date('2031-03-01T12:00:00.000Z'),
    deliveredAt: new Date('2031-03-01T12:00:00.300Z'),
    late: false,
    missed: false,
    deferredUntil: null,
    muted: false,
    ...d,
  });

  test('MUTED when it came due while muted, even beyond the grace period', () => {
    assert.equal(reminderState(reminder, null, [delivery({ muted: true })]), 'MUTED');
    assert.equal(reminderState(reminder, null, [delivery({ muted: true, missed: true })]), 'MUTED');
    assert.equal(reminderState(reminder, null, [delivery({})]), 'FIRED');
    assert.equal(reminderState(reminder, null, []), 'PENDING');
  });
});
