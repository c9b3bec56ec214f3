import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError, ErrorCode } from '../../domain/errors.js';
import { CLIENT_WALK_DAYS } from '../../domain/recurrence/expansion.js';
import { RecurrenceInput } from '../../domain/recurrence/input.js';
import { occurrencesAfter } from '../../domain/recurrence/occurrences.js';
import { parseRecurrenceText } from '../../domain/recurrence/parse-text.js';

// Every client-driven expansion ends: by the calendar (year 9999), by an empty 400-year cycle,
// or by the work budget (CLIENT_WALK_DAYS examined days), whichever comes first.

const NOW = new Date('2026-11-29T12:00:00Z');

describe('recurrence work bounds', () => {
  test(
    '"starting 9999-12-31 until Jan 1" is refused, not searched forever',
    { timeout: 5000 },
    () => {
      const r = parseRecurrenceText('every day starting 9999-12-31 until Jan 1', 'UTC', NOW);
      assert.equal(r.ok, false);
    },
  );

  test('"every year on feb 29 starting 9999-01-01" ends with a problem', { timeout: 5000 }, () => {
    const r = parseRecurrenceText('every year on feb 29 starting 9999-01-01', 'UTC', NOW);
    assert.equal(r.ok, false);
  });

  test('a sparse rule previewed from 1900 stops at the work budget with TOO_EXPENSIVE', () => {
    const r = RecurrenceInput.parse({
      rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO',
      dtstart: '1900-01-01T09:00:00',
      timeZone: 'UTC',
    });
    assert.throws(
      () => occurrencesAfter(r, null, 500, CLIENT_WALK_DAYS),
      (err: unknown) =>
        err instanceof AppError &&
        err.code === ErrorCode.TOO_EXPENSIVE &&
        /too sparse/.test(err.message),
    );
    // A few of them are within reach.
    assert.equal(occurrencesAfter(r, null, 5, CLIENT_WALK_DAYS).length, 5);
  });

  test('500 occurrences of dense rules fit in the client budget', () => {
    for (const rrule of [
      'FREQ=DAILY',
      'FREQ=WEEKLY;BYDAY=MO,WE,FR',
      'FREQ=MONTHLY;BYMONTHDAY=-1',
      'FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=27',
      'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1',
    ]) {
      const r = RecurrenceInput.parse({ rrule, dtstart: '2026-01-01T09:00:00', timeZone: 'UTC' });
      assert.equal(occurrencesAfter(r, null, 500, CLIENT_WALK_DAYS).length, 500, rrule);
    }
  });

  test('a rule with no occurrence within the client budget is refused as input, naming rrule', () => {
    const r = RecurrenceInput.safeParse({
      rrule: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO',
      dtstart: '2029-03-01T09:00:00',
      timeZone: 'UTC',
    });
    // The next Feb 29 that is a Monday (2044) is within the budget; Feb 30 never comes.
    assert.equal(r.success, true);
    const never = RecurrenceInput.safeParse({
      rrule: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30',
      dtstart: '2029-03-01T09:00:00',
      timeZone: 'UTC',
    });
    assert.equal(never.success, false);
    assert.deepEqual(never.error?.issues[0]?.path, ['rrule']);
  });

  test('error messages quote at most a short prefix of what they reject', () => {
    const r = parseRecurrenceText(`every ${'x'.repeat(5000)}`, 'UTC', NOW);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.problem.length < 200, !r.ok ? r.problem : '');
    const z = RecurrenceInput.safeParse({
      rrule: 'FREQ=DAILY',
      dtstart: '2026-01-01T09:00:00',
      timeZone: 'Q'.repeat(5000),
    });
    assert.equal(z.success, false);
    assert.ok(z.error!.issues.every((i) => i.message.length < 200));
  });

  test(
    'random phrases over extreme dates all finish (property test, seeded)',
    { timeout: 20_000 },
    () => {
      let seed = 42;
      const rand = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
      const words = [
        'every',
        'every!',
        'other',
        'day',
        'days',
        'week',
        'weeks',
        'month',
        'months',
        'year',
        'years',
        'weekday',
        'weekend',
        'on',
        'the',
        'of',
        'and',
        'at',
        'until',
        'starting',
        'for',
        'times',
        'first',
        'last',
        'second',
        '3rd',
        'monday',
        'sunday',
        'jan',
        'feb',
        'dec',
        '29',
        '30',
        '31',
        '1',
        '2',
        '9am',
        '11:59pm',
        '0:00',
        '9999-12-31',
        '9999-01-01',
        '1900-01-01',
        '2096-02-29',
        'tomorrow',
        'today',
        'noon',
        'midnight',
      ];
      const zones = ['UTC', 'Pacific/Kiritimati', 'America/New_York', 'Australia/Lord_Howe'];
      let slowest = 0;
      for (let i = 0; i < 3000; i++) {
        const phrase = Array.from({ length: 1 + rand(12) }, () => words[rand(words.length)]).join(
          ' ',
        );
        const t0 = performance.now();
        try {
          parseRecurrenceText(phrase, zones[rand(zones.length)]!, NOW);
        } catch (err) {
          // TOO_EXPENSIVE is an answer; anything else is a bug.
          assert.ok(
            err instanceof AppError && err.code === ErrorCode.TOO_EXPENSIVE,
            `${phrase}: ${err}`,
          );
        }
        slowest = Math.max(slowest, performance.now() - t0);
      }
      // Not a speed assertion: a sanity bound far above the ~10 ms the budget allows, so an
      // unbounded search fails here rather than hanging the suite.
      assert.ok(slowest < 2000, `slowest phrase took ${Math.round(slowest)} ms`);
    },
  );
});
