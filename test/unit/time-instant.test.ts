import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HistoryQueryParams } from '../../domain/history.js';
import { resolveWhen } from '../../domain/natural-time.js';
import { RecurrenceInput } from '../../domain/recurrence/input.js';
import { ReminderInput, SnoozeInput } from '../../domain/reminder.js';
import { CreateTaskInput } from '../../domain/task.js';
import { AppError } from '../../domain/errors.js';
import {
  Instant,
  INSTANT_FORMAT_MESSAGE,
  INSTANT_RANGE_MESSAGE,
  InstantText,
  IsoInstant,
} from '../../domain/time/instant.js';

// Five schemas checked instants with different limits (a reminder's `at` took year 0001, an
// exdate any year); the one Instant now holds every edge to 1970-01-01 … 9999-12-31.

describe('Instant', () => {
  test('an offset or Z is required; the result is that instant', () => {
    assert.equal(
      Instant.parse('2026-03-30T09:00:00+02:00').toISOString(),
      '2026-03-30T07:00:00.000Z',
    );
    assert.equal(InstantText.parse('2026-03-30T09:00:00+02:00'), '2026-03-30T07:00:00.000Z');
    for (const bad of ['2026-03-30T09:00:00', '2026-03-30', 'tomorrow', '2027-02-29T00:00:00Z']) {
      const parsed = Instant.safeParse(bad);
      assert.equal(parsed.success, false, bad);
      assert.equal(parsed.error!.issues[0]!.message, INSTANT_FORMAT_MESSAGE);
    }
  });

  test('the range is 1970-01-01 to 9999-12-31 inclusive', () => {
    assert.ok(Instant.safeParse('1970-01-01T00:00:00Z').success);
    assert.ok(Instant.safeParse('9999-12-31T23:59:59Z').success);
    for (const bad of ['1969-12-31T23:59:59Z', '0001-01-01T00:00:00Z']) {
      const parsed = Instant.safeParse(bad);
      assert.equal(parsed.success, false, bad);
      assert.equal(parsed.error!.issues[0]!.message, INSTANT_RANGE_MESSAGE);
    }
  });

  test('IsoInstant (events) checks the syntax and keeps the text', () => {
    assert.equal(IsoInstant.parse('2026-03-30T09:00:00+02:00'), '2026-03-30T09:00:00+02:00');
    assert.equal(IsoInstant.safeParse('2026-03-30T09:00:00').success, false);
  });
});

describe('every edge takes an instant within the one range', () => {
  const early = '0001-01-01T00:00:00Z';
  const edges: [string, () => { success: boolean; error?: { issues: { message: string }[] } }][] = [
    ['task dueAt', () => CreateTaskInput.safeParse({ title: 't', dueAt: early })],
    ['reminder at', () => ReminderInput.safeParse({ at: early })],
    ['snooze until', () => SnoozeInput.safeParse({ taskId: 't', reminderId: 'r', until: early })],
    [
      'series exdate',
      () =>
        RecurrenceInput.safeParse({
          rrule: 'FREQ=DAILY',
          dtstart: '2026-05-01T09:00',
          timeZone: 'UTC',
          exdates: [early],
        }),
    ],
    ['history since', () => HistoryQueryParams.safeParse({ since: early })],
  ];
  for (const [name, parse] of edges) {
    test(`${name}: year 0001 is refused as out of range`, () => {
      const parsed = parse();
      assert.equal(parsed.success, false);
      assert.ok(parsed.error!.issues.some((i) => i.message === INSTANT_RANGE_MESSAGE));
    });
  }

  test('natural-language dates: the same range and message', () => {
    assert.throws(
      () => resolveWhen(early, 'UTC', new Date('2026-01-01T00:00:00Z')),
      (err: unknown) =>
        err instanceof AppError && err.problems[0]!.message === INSTANT_RANGE_MESSAGE,
    );
  });
});
