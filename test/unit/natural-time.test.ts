import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../domain/errors.js';
import {
  MAX_WHEN_CHARS,
  resolveDuration,
  resolveInstant,
  resolveWhen,
} from '../../domain/natural-time.js';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

/** [zone, now, text, the ISO echo (zone's offset), allDay, the instant in UTC]. */
type Case = [string, string, string, string, boolean, string];

function check([zone, now, text, iso, allDay, utc]: Case): void {
  test(`${zone} at ${now}: ${JSON.stringify(text)} → ${iso}`, () => {
    const when = resolveWhen(text, zone, new Date(now), 'dueAt');
    assert.equal(when.iso, iso);
    assert.equal(when.allDay, allDay);
    assert.equal(when.at.toISOString(), utc);
  });
}

/** The BAD_USER_INPUT resolveWhen throws for `text`. */
function refusal(
  text: string,
  fn: () => unknown = () => resolveWhen(text, BERLIN, new Date(), 'dueAt'),
) {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.code, 'BAD_USER_INPUT');
    assert.equal(err.problems.length, 1);
    return err.problems[0]!;
  }
  assert.fail(`${JSON.stringify(text)} was accepted`);
}

// 2027: Berlin springs forward on 28 March (02:00 → 03:00), New York on 14 March.
// 2026: Berlin falls back on 25 October (03:00 → 02:00), New York on 1 November (02:00 → 01:00).
describe('resolveWhen around the DST changes', () => {
  // prettier-ignore
  const cases: Case[] = [
    // The day before spring forward: tomorrow's 5pm is in summer time, not now's offset.
    [BERLIN, '2027-03-27T10:00:00+01:00', 'tomorrow at 5pm', '2027-03-28T17:00:00+02:00', false, '2027-03-28T15:00:00.000Z'],
    [NEW_YORK, '2027-03-13T10:00:00-05:00', 'tomorrow at 5pm', '2027-03-14T17:00:00-04:00', false, '2027-03-14T21:00:00.000Z'],
    // The day before fall back: tomorrow's 5pm is in winter time.
    [BERLIN, '2026-10-24T10:00:00+02:00', 'tomorrow at 5pm', '2026-10-25T17:00:00+01:00', false, '2026-10-25T16:00:00.000Z'],
    [NEW_YORK, '2026-10-31T10:00:00-04:00', 'tomorrow at 5pm', '2026-11-01T17:00:00-05:00', false, '2026-11-01T22:00:00.000Z'],
    // "in 2 hours" across a change is two real hours: the wall clock shows one or three.
    [BERLIN, '2027-03-28T01:30:00+01:00', 'in 2 hours', '2027-03-28T04:30:00+02:00', false, '2027-03-28T02:30:00.000Z'],
    [NEW_YORK, '2027-03-14T01:30:00-05:00', 'in 2 hours', '2027-03-14T04:30:00-04:00', false, '2027-03-14T08:30:00.000Z'],
    [BERLIN, '2026-10-25T01:30:00+02:00', 'in 2 hours', '2026-10-25T02:30:00+01:00', false, '2026-10-25T01:30:00.000Z'],
    [NEW_YORK, '2026-11-01T00:30:00-04:00', 'in 2 hours', '2026-11-01T01:30:00-05:00', false, '2026-11-01T06:30:00.000Z'],
    [NEW_YORK, '2026-11-01T00:30:00-04:00', '2 hours from now', '2026-11-01T01:30:00-05:00', false, '2026-11-01T06:30:00.000Z'],
    [BERLIN, '2026-10-25T01:30:00+02:00', 'in 1 hour 30 minutes', '2026-10-25T02:00:00+01:00', false, '2026-10-25T01:00:00.000Z'],
    [BERLIN, '2027-03-28T01:58:00+01:00', 'now', '2027-03-28T01:58:00+01:00', false, '2027-03-28T00:58:00.000Z'],
    [BERLIN, '2027-03-28T01:58:00+01:00', 'in 5 minutes', '2027-03-28T03:03:00+02:00', false, '2027-03-28T01:03:00.000Z'],
    // A time in the gap moves past it (02:30 does not exist: 03:30); a doubled one is its first.
    [BERLIN, '2027-03-27T10:00:00+01:00', 'tomorrow at 2:30am', '2027-03-28T03:30:00+02:00', false, '2027-03-28T01:30:00.000Z'],
    [NEW_YORK, '2027-03-13T10:00:00-05:00', 'tomorrow at 2:30am', '2027-03-14T03:30:00-04:00', false, '2027-03-14T07:30:00.000Z'],
    [BERLIN, '2026-10-24T10:00:00+02:00', 'tomorrow at 2:30am', '2026-10-25T02:30:00+02:00', false, '2026-10-25T00:30:00.000Z'],
    [NEW_YORK, '2026-10-31T10:00:00-04:00', 'tomorrow at 1:30am', '2026-11-01T01:30:00-04:00', false, '2026-11-01T05:30:00.000Z'],
    // A day without a time is all-day, from the local midnight that starts it.
    [BERLIN, '2027-03-27T10:00:00+01:00', 'next Friday', '2027-04-02T00:00:00+02:00', true, '2027-04-01T22:00:00.000Z'],
    [NEW_YORK, '2027-03-13T10:00:00-05:00', 'next Friday', '2027-03-19T00:00:00-04:00', true, '2027-03-19T04:00:00.000Z'],
    [BERLIN, '2027-03-27T10:00:00+01:00', 'tomorrow', '2027-03-28T00:00:00+01:00', true, '2027-03-27T23:00:00.000Z'],
    [BERLIN, '2027-03-27T10:00:00+01:00', 'end of month', '2027-03-31T00:00:00+02:00', true, '2027-03-30T22:00:00.000Z'],
    [NEW_YORK, '2026-10-31T10:00:00-04:00', 'end of the month', '2026-10-31T00:00:00-04:00', true, '2026-10-31T04:00:00.000Z'],
    [BERLIN, '2026-10-21T10:00:00+02:00', 'end of week', '2026-10-25T00:00:00+02:00', true, '2026-10-24T22:00:00.000Z'],
    // "today at 9" is today's 9 even when it has passed (a task may be overdue).
    [BERLIN, '2027-03-27T10:00:00+01:00', 'today at 9', '2027-03-27T09:00:00+01:00', false, '2027-03-27T08:00:00.000Z'],
    [NEW_YORK, '2026-11-01T08:00:00-05:00', 'today at 9', '2026-11-01T09:00:00-05:00', false, '2026-11-01T14:00:00.000Z'],
    // Weekdays look forward: "friday" on a Wednesday is in two days, on a Friday it is today.
    [BERLIN, '2027-03-24T10:00:00+01:00', 'friday', '2027-03-26T00:00:00+01:00', true, '2027-03-25T23:00:00.000Z'],
    [BERLIN, '2027-04-02T10:00:00+02:00', 'friday at 5pm', '2027-04-02T17:00:00+02:00', false, '2027-04-02T15:00:00.000Z'],
    // The local date is the user's, not UTC's: 23:30 in New York is already tomorrow in UTC.
    [NEW_YORK, '2027-03-13T23:30:00-05:00', 'tomorrow at 5pm', '2027-03-14T17:00:00-04:00', false, '2027-03-14T21:00:00.000Z'],
    // Words around the date that change nothing are fine.
    [BERLIN, '2027-03-27T10:00:00+01:00', 'tomorrow at 5pm or so', '2027-03-28T17:00:00+02:00', false, '2027-03-28T15:00:00.000Z'],
    [BERLIN, '2027-03-27T10:00:00+01:00', 'due by Friday 9am', '2027-04-02T09:00:00+02:00', false, '2027-04-02T07:00:00.000Z'],
    // ISO-8601 with an offset is that instant, echoed with the user's offset.
    [NEW_YORK, '2027-03-27T10:00:00+01:00', '2027-03-30T17:00:00+02:00', '2027-03-30T11:00:00-04:00', false, '2027-03-30T15:00:00.000Z'],
    [BERLIN, '2027-03-27T10:00:00+01:00', '2027-03-30T15:00:00Z', '2027-03-30T17:00:00+02:00', false, '2027-03-30T15:00:00.000Z'],
    // Without an offset: that wall-clock time in the user's zone.
    [NEW_YORK, '2027-03-13T10:00:00-05:00', '2027-03-14T17:00', '2027-03-14T17:00:00-04:00', false, '2027-03-14T21:00:00.000Z'],
  ];
  for (const c of cases) check(c);
});

describe('resolveWhen refuses what it cannot read', () => {
  for (const text of [
    'banana',
    'buy milk tomorrow',
    'tomorrow or friday',
    '',
    '   ',
    'when pigs fly',
  ])
    test(`${JSON.stringify(text)}: BAD_USER_INPUT on the field, with examples`, () => {
      const problem = refusal(text);
      assert.equal(problem.path, 'dueAt');
      assert.match(problem.message, /is not a date Tickler can read/);
      assert.match(problem.message, /"tomorrow at 5pm"/);
    });

  test(`over ${MAX_WHEN_CHARS} characters: refused before parsing, not echoed`, () => {
    const text = `tomorrow at 5pm ${'x'.repeat(MAX_WHEN_CHARS)}`;
    const problem = refusal(text);
    assert.equal(problem.path, 'dueAt');
    assert.equal(problem.message, `must be at most ${MAX_WHEN_CHARS} characters`);
  });

  test('a long unreadable text is quoted at most 40 characters', () => {
    const problem = refusal('y'.repeat(MAX_WHEN_CHARS));
    assert.ok(!problem.message.includes('y'.repeat(41)), problem.message);
  });

  test('an ISO date that does not exist is unreadable', () => {
    assert.match(refusal('2027-02-30T10:00:00Z').message, /is not a date Tickler can read/);
  });

  test('an instant outside 1970..9999 is refused', () => {
    assert.match(refusal('0001-01-01T00:00:00Z').message, /between 1970-01-01 and 9999-12-31/);
  });

  test('the path given is the one named', () => {
    const problem = refusal('banana', () =>
      resolveWhen('banana', NEW_YORK, new Date(), 'tasks.3.dueAt'),
    );
    assert.equal(problem.path, 'tasks.3.dueAt');
  });
});

describe('resolveDuration', () => {
  const cases: [string, number][] = [
    ['PT1H', 3_600_000],
    ['P1DT2H', 93_600_000],
    ['1 hour', 3_600_000],
    ['an hour', 3_600_000],
    ['half an hour', 1_800_000],
    ['30 minutes', 1_800_000],
    ['90 min', 5_400_000],
    ['1h30m', 5_400_000],
    ['1 hour and 30 minutes', 5_400_000],
    ['1.5 hours', 5_400_000],
    ['2 days', 172_800_000],
    ['a week', 604_800_000],
    ['in 5 minutes', 300_000],
    ['for 10 secs', 10_000],
  ];
  for (const [text, ms] of cases)
    test(`${JSON.stringify(text)} → ${ms} ms`, () => assert.equal(resolveDuration(text), ms));

  for (const text of ['banana', '1 month', '2 years', 'am', '', 'hour', '5', '1 hour banana'])
    test(`${JSON.stringify(text)}: BAD_USER_INPUT with examples`, () => {
      const problem = refusal(text, () => resolveDuration(text, 'snooze'));
      assert.equal(problem.path, 'snooze');
      assert.match(problem.message, /is not a length of time; write e\.g\. "30 minutes"/);
    });

  test('negative and over-long are refused', () => {
    assert.equal(refusal('-PT1H', () => resolveDuration('-PT1H')).message, 'must not be negative');
    const long = '1 hour and '.repeat(20);
    assert.match(refusal(long, () => resolveDuration(long)).message, /at most 100 characters/);
  });
});

describe('resolveInstant (what fires: a reminder, a snooze)', () => {
  // Saturday 27 March 2027, 10:00 in Berlin; the clocks go forward that night.
  const now = new Date('2027-03-27T09:00:00Z');

  test('"in 2 days" is 48 real hours from now, not that day at midnight', () => {
    const at = resolveInstant('in 2 days', BERLIN, now, 'at');
    assert.equal(at.at.toISOString(), '2027-03-29T09:00:00.000Z');
    assert.equal(at.allDay, false);
    assert.equal(at.iso, '2027-03-29T11:00:00+02:00');
  });

  test('a time is kept as resolveWhen reads it', () => {
    assert.equal(resolveInstant('tomorrow at 9am', BERLIN, now).iso, '2027-03-28T09:00:00+02:00');
    assert.equal(
      resolveInstant('in 10 minutes', BERLIN, now).at.toISOString(),
      '2027-03-27T09:10:00.000Z',
    );
  });

  test('a day without a time is refused, naming the field and asking for a time', () => {
    assert.throws(
      () => resolveInstant('tomorrow', BERLIN, now, 'reminders.0.at'),
      (err: unknown) =>
        err instanceof AppError &&
        err.problems[0]?.path === 'reminders.0.at' &&
        /no time/.test(err.problems[0].message),
    );
  });
});
