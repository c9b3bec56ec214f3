import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decideDelivery,
  type DeliveryFacts,
  type DeliveryThresholds,
} from '../../domain/reminder-delivery.js';
import type { TaskId, UserId } from '../../domain/ids.js';
import type { Reminder } from '../../domain/reminder.js';

// The reminder delivery decision on its own: every way a firing ends, from the rows the
// activity read. One task with one absolute reminder at FIRE_AT (09:00 in Berlin), fired on time
// unless said; the stack tests (test/activities/reminders.test.ts) cover the writes.

const FIRE_AT = new Date('2031-03-01T08:00:00.000Z');
const USER = 'user-1' as UserId;
const TASK = '00000000-0000-4000-8000-000000000001' as TaskId;
const limits: DeliveryThresholds = { graceMs: 3_600_000, lateAfterMs: 60_000 };
const after = (ms: number) => new Date(FIRE_AT.getTime() + ms);
const due = { taskId: TASK, userId: USER, reminderId: 'r1', fireAt: FIRE_AT };

const reminder = (over: Partial<Reminder> = {}): Reminder => ({
  id: 'r1',
  offsetMs: null,
  at: FIRE_AT,
  snoozedUntil: null,
  dismissedAt: null,
  armedAt: new Date('2031-01-01T00:00:00Z'),
  ...over,
});
type TaskFacts = NonNullable<DeliveryFacts['task']>;
const task = (over: Partial<TaskFacts> = {}): TaskFacts => ({
  userId: USER,
  status: 'OPEN',
  title: 'Call the dentist',
  dueAt: null,
  muted: false,
  reminders: [reminder()],
  ...over,
});
const facts = (over: Partial<DeliveryFacts> = {}): DeliveryFacts => ({
  task: task(),
  deferral: undefined,
  fired: false,
  settings: { timeZone: 'Europe/Berlin', quietHours: null, notificationPreferences: {} },
  ...over,
});
const decide = (f: DeliveryFacts, now = after(1_500)) => decideDelivery(due, f, now, limits);
/** 08:30–10:00 in Berlin: FIRE_AT (09:00 local) is inside. */
const quiet = (over: Partial<DeliveryFacts['settings']> = {}) => ({
  settings: {
    timeZone: 'Europe/Berlin',
    quietHours: { startMinute: 8 * 60 + 30, endMinute: 10 * 60 },
    notificationPreferences: {},
    ...over,
  },
});
const what = {
  taskId: TASK,
  reminderId: 'r1',
  title: 'Call the dentist',
  fireAt: FIRE_AT.toISOString(),
};

describe('reminder delivery: sent, late, missed', () => {
  test('on time: a notification and reminder.fired', () => {
    assert.deepEqual(decide(facts()), {
      kind: 'fire',
      outcome: 'sent',
      firing: { inApp: true, late: false, missed: false, muted: false },
      event: {
        type: 'reminder.fired',
        data: { ...what, firedAt: after(1_500).toISOString(), late: false },
      },
    });
  });

  test('later than lateAfterMs, within the grace period: late', () => {
    assert.equal(decide(facts(), after(60_000)).outcome, 'sent', 'exactly lateAfterMs is on time');
    const d = decide(facts(), after(60_001));
    assert.equal(d.outcome, 'late');
    assert.ok(d.kind === 'fire');
    assert.deepEqual(d.firing, { inApp: true, late: true, missed: false, muted: false });
    assert.equal(d.event.type === 'reminder.fired' && d.event.data.late, true);
  });

  test('beyond the grace period (an outage): recorded as missed, not sent', () => {
    assert.equal(decide(facts(), after(3_600_000)).outcome, 'late', 'exactly graceMs is late');
    assert.deepEqual(decide(facts(), after(3_600_001)), {
      kind: 'fire',
      outcome: 'missed',
      firing: { inApp: true, late: true, missed: true, muted: false },
      event: {
        type: 'reminder.missed',
        data: { ...what, recordedAt: after(3_600_001).toISOString() },
      },
    });
  });

  test('inApp off: fired without a notification row, and the event says so', () => {
    const off = facts({
      settings: { timeZone: 'UTC', quietHours: null, notificationPreferences: { inApp: false } },
    });
    const d = decide(off);
    assert.ok(d.kind === 'fire');
    assert.equal(d.outcome, 'sent');
    assert.deepEqual(d.firing, { inApp: false, late: false, missed: false, muted: false });
    assert.equal(d.event.data.inApp, false);
    const m = decide(off, after(3_600_001));
    assert.ok(m.kind === 'fire');
    assert.deepEqual(m.event, {
      type: 'reminder.missed',
      data: { ...what, recordedAt: after(3_600_001).toISOString(), inApp: false },
    });
  });
});

describe('reminder delivery: skipped', () => {
  const skipped = { kind: 'none', outcome: 'skipped' };
  test('the task was deleted', () => {
    assert.deepEqual(decide(facts({ task: undefined })), skipped);
  });
  test('the task was completed', () => {
    assert.deepEqual(decide(facts({ task: task({ status: 'COMPLETED' }) })), skipped);
  });
  test('the task belongs to someone else', () => {
    assert.deepEqual(decide(facts({ task: task({ userId: 'user-2' as UserId }) })), skipped);
  });
  test('the reminder was removed', () => {
    assert.deepEqual(decide(facts({ task: task({ reminders: [] }) })), skipped);
  });
  test('the reminder was dismissed', () => {
    const dismissed = reminder({ dismissedAt: after(-1) });
    assert.deepEqual(decide(facts({ task: task({ reminders: [dismissed] }) })), skipped);
  });
  test('the reminder was moved or snoozed to another time', () => {
    const moved = reminder({ at: after(3_600_000) });
    assert.deepEqual(decide(facts({ task: task({ reminders: [moved] }) })), skipped);
    const snoozed = reminder({ snoozedUntil: after(600_000) });
    assert.deepEqual(decide(facts({ task: task({ reminders: [snoozed] }) })), skipped);
  });
  test('a relative reminder fires from the due date as stored now', () => {
    const relative = reminder({ at: null, offsetMs: -600_000 });
    const dueAt = after(600_000);
    assert.equal(decide(facts({ task: task({ dueAt, reminders: [relative] }) })).outcome, 'sent');
    const moved = task({ dueAt: after(1), reminders: [relative] });
    assert.deepEqual(decide(facts({ task: moved })), skipped);
  });
});

describe('reminder delivery: an earlier attempt', () => {
  test('recorded the firing: duplicate, whatever changed since', () => {
    const duplicate = { kind: 'none', outcome: 'duplicate' };
    assert.deepEqual(decide(facts({ fired: true })), duplicate);
    assert.deepEqual(decide(facts({ fired: true, task: task({ muted: true }) })), duplicate);
    assert.deepEqual(decide(facts({ fired: true, ...quiet() })), duplicate);
  });
  test('deferred it: deferred again, nothing new recorded, same digest time', () => {
    const deferredUntil = after(3_600_000);
    assert.deepEqual(decide(facts({ deferral: { deferredUntil, settledAt: null } })), {
      kind: 'defer',
      outcome: 'deferred',
      until: deferredUntil,
      record: false,
    });
  });
  test('deferred it and its digest ran: duplicate', () => {
    const deferral = { deferredUntil: after(3_600_000), settledAt: after(3_600_000) };
    assert.deepEqual(decide(facts({ deferral })), { kind: 'none', outcome: 'duplicate' });
  });
});

describe('reminder delivery: quiet hours and mute', () => {
  test('inside quiet hours: deferred to their end', () => {
    assert.deepEqual(decide(facts(quiet())), {
      kind: 'defer',
      outcome: 'deferred',
      until: new Date('2031-03-01T09:00:00.000Z'),
      record: true,
    });
  });
  test('outside quiet hours: sent', () => {
    assert.equal(decide(facts(quiet({ timeZone: 'UTC' }))).outcome, 'sent');
  });
  test('missed in quiet hours: recorded missed, not deferred', () => {
    const now = after(3_600_001);
    const inside = facts(quiet({ quietHours: { startMinute: 0, endMinute: 23 * 60 } }));
    assert.equal(decide(inside, now).outcome, 'missed');
  });
  test('muted: recorded silently with the event marked, before quiet hours and grace', () => {
    const muted = facts({ ...quiet(), task: task({ muted: true }) });
    assert.deepEqual(decide(muted), {
      kind: 'fire',
      outcome: 'muted',
      firing: { inApp: false, late: false, missed: false, muted: true },
      event: {
        type: 'reminder.fired',
        data: {
          ...what,
          firedAt: after(1_500).toISOString(),
          late: false,
          inApp: false,
          muted: true,
        },
      },
    });
    const long = decide(muted, after(3_600_001));
    assert.equal(long.outcome, 'muted');
    assert.ok(long.kind === 'fire');
    assert.deepEqual(long.firing, { inApp: false, late: true, missed: true, muted: true });
  });
});
