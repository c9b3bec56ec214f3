import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeRecurrence } from '../../domain/recurrence/describe.js';
import { RecurrenceInput } from '../../domain/recurrence/input.js';
import { occurrencesAfter } from '../../domain/recurrence/occurrences.js';
import { type ParsedRecurrence, parseRecurrenceText } from '../../domain/recurrence/parse-text.js';
import type { Recurrence } from '../../domain/recurrence/rule.js';
import { formatWithOffset } from '../../domain/time/local-date-time.js';

const BERLIN = 'Europe/Berlin';
// Wednesday 25 March 2026, 11:00 in Berlin (CET): past the default 09:00, before 17:00.
const NOW = new Date('2026-03-25T10:00:00Z');

const parse = (text: string, now = NOW): ParsedRecurrence => {
  const result = parseRecurrenceText(text, BERLIN, now);
  assert.ok(result.ok, `${text}: ${result.ok ? '' : result.problem}`);
  return result.value;
};

describe('parseRecurrenceText', () => {
  // [text, RRULE, DTSTART, mode]. Without a time the series is at 09:00, which has passed on
  // the 25th, so rules whose day comes from DTSTART start on Thursday the 26th.
  const cases: [string, string, string, ('FIXED' | 'AFTER_COMPLETION')?][] = [
    ['every day', 'FREQ=DAILY', '2026-03-26T09:00:00'],
    ['daily', 'FREQ=DAILY', '2026-03-26T09:00:00'],
    ['every weekday', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', '2026-03-26T09:00:00'],
    ['every weekend', 'FREQ=WEEKLY;BYDAY=SA,SU', '2026-03-28T09:00:00'],
    ['every other week', 'FREQ=WEEKLY;INTERVAL=2', '2026-03-26T09:00:00'],
    ['every Monday and Friday at 9am', 'FREQ=WEEKLY;BYDAY=MO,FR', '2026-03-27T09:00:00'],
    ['every mon, wed and fri at 7:15 am', 'FREQ=WEEKLY;BYDAY=MO,WE,FR', '2026-03-27T07:15:00'],
    ['every Tue, Thu, and Sat', 'FREQ=WEEKLY;BYDAY=TU,TH,SA', '2026-03-26T09:00:00'],
    [
      'every month on the 1st, 10th, and 20th',
      'FREQ=MONTHLY;BYMONTHDAY=1,10,20',
      '2026-04-01T09:00:00',
    ],
    ['every day twice', 'FREQ=DAILY;COUNT=2', '2026-03-26T09:00:00'],
    ['every 2 weeks on Tuesday', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU', '2026-03-31T09:00:00'],
    ['every other Monday', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO', '2026-03-30T09:00:00'],
    ['on the 15th of every month', 'FREQ=MONTHLY;BYMONTHDAY=15', '2026-04-15T09:00:00'],
    ['every month on the 1st and 15th', 'FREQ=MONTHLY;BYMONTHDAY=1,15', '2026-04-01T09:00:00'],
    ['on the last day of every month', 'FREQ=MONTHLY;BYMONTHDAY=-1', '2026-03-31T09:00:00'],
    [
      'on the last day of every other month',
      'FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=-1',
      '2026-03-31T09:00:00',
    ],
    ['every 3rd Friday', 'FREQ=MONTHLY;BYDAY=3FR', '2026-04-17T09:00:00'],
    ['every last Friday', 'FREQ=MONTHLY;BYDAY=-1FR', '2026-03-27T09:00:00'],
    ['monthly on the last friday', 'FREQ=MONTHLY;BYDAY=-1FR', '2026-03-27T09:00:00'],
    ['every 4th Thursday of November', 'FREQ=YEARLY;BYMONTH=11;BYDAY=4TH', '2026-11-26T09:00:00'],
    ['every year on Jan 27', 'FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=27', '2027-01-27T09:00:00'],
    ['every 27th of January', 'FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=27', '2027-01-27T09:00:00'],
    ['every year on Feb 29', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', '2028-02-29T09:00:00'],
    [
      'every 3 days after completion',
      'FREQ=DAILY;INTERVAL=3',
      '2026-03-26T09:00:00',
      'AFTER_COMPLETION',
    ],
    ['every! 3 days', 'FREQ=DAILY;INTERVAL=3', '2026-03-26T09:00:00', 'AFTER_COMPLETION'],
    ['Every! week at 8pm', 'FREQ=WEEKLY', '2026-03-25T20:00:00', 'AFTER_COMPLETION'],
    ['every day starting April 2', 'FREQ=DAILY', '2026-04-02T09:00:00'],
    ['every Monday starting 2026-05-01', 'FREQ=WEEKLY;BYDAY=MO', '2026-05-04T09:00:00'],
    ['every day starting on Jan 5', 'FREQ=DAILY', '2027-01-05T09:00:00'],
    ['every day from tomorrow at 6am', 'FREQ=DAILY', '2026-03-26T06:00:00'],
    // UNTIL is the end of that local day in Berlin: 23:59:59+01:00.
    ['every day until March 1, 2027', 'FREQ=DAILY;UNTIL=20270301T225959Z', '2026-03-26T09:00:00'],
    ['every day until 2026-06-30', 'FREQ=DAILY;UNTIL=20260630T215959Z', '2026-03-26T09:00:00'],
    ['every week until Dec 24', 'FREQ=WEEKLY;UNTIL=20261224T225959Z', '2026-03-26T09:00:00'],
    ['every day for 5 times', 'FREQ=DAILY;COUNT=5', '2026-03-26T09:00:00'],
    ['every day 3 times', 'FREQ=DAILY;COUNT=3', '2026-03-26T09:00:00'],
    ['every day for ten occurrences', 'FREQ=DAILY;COUNT=10', '2026-03-26T09:00:00'],
    ['every day at 9:30pm', 'FREQ=DAILY', '2026-03-25T21:30:00'],
    ['every day at 17:00', 'FREQ=DAILY', '2026-03-25T17:00:00'],
    ['every day at noon', 'FREQ=DAILY', '2026-03-25T12:00:00'],
    ['every day at midnight', 'FREQ=DAILY', '2026-03-26T00:00:00'],
    ['every day at 12am', 'FREQ=DAILY', '2026-03-26T00:00:00'],
    ['every day at 12:30 pm', 'FREQ=DAILY', '2026-03-25T12:30:00'],
    ['every day at 9', 'FREQ=DAILY', '2026-03-26T09:00:00'],
    ['  EVERY   Day   AT  5PM ', 'FREQ=DAILY', '2026-03-25T17:00:00'],
    ['at 7am every weekday', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', '2026-03-26T07:00:00'],
    [
      'every 2 weeks on Tuesday at 9am, for 5 times',
      'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=5',
      '2026-03-31T09:00:00',
    ],
    // Berlin's clocks skip 02:00–03:00 on 29 March: DTSTART keeps the wall-clock 02:30.
    ['every Sunday at 2:30am', 'FREQ=WEEKLY;BYDAY=SU', '2026-03-29T02:30:00'],
  ];
  for (const [text, rrule, dtstart, mode = 'FIXED'] of cases)
    test(`"${text}"`, () => {
      assert.deepEqual(parse(text), { rrule, dtstart, mode });
    });

  test('DTSTART is the first occurrence, never in the past', () => {
    const every3rdFriday = parse('every 3rd friday at 5pm');
    const r = RecurrenceInput.parse({ ...every3rdFriday, timeZone: BERLIN });
    const [first] = occurrencesAfter(r, null, 1);
    assert.equal(formatWithOffset(first!, BERLIN), '2026-04-17T17:00:00+02:00');
    assert.ok(first! > NOW);
  });

  test('"today" is the day in the given zone, not in UTC', () => {
    // 23:30 UTC on the 25th is already the 26th in Berlin.
    const late = new Date('2026-03-25T23:30:00Z');
    assert.equal(parse('every day at 6am', late).dtstart, '2026-03-26T06:00:00');
    const tokyo = parseRecurrenceText('every day at 6am', 'Asia/Tokyo', late);
    assert.deepEqual(tokyo.ok && tokyo.value.dtstart, '2026-03-27T06:00:00');
  });

  const problems: [string, string | RegExp][] = [
    ['every blorp', 'could not read "blorp" in "every blorp"'],
    ['every day at 9am and blorp', 'could not read "and" in "every day at 9am and blorp"'],
    ['every Monday blorp', 'could not read "blorp" in "every Monday blorp"'],
    [
      'every 2 hours',
      /could not read "hours" in "every 2 hours" \(repeating more often than daily/,
    ],
    ['hourly', 'could not read "hourly" in "hourly"'],
    ['every', /could not read the end of "every"/],
    ['', /the text is empty/],
    ['at 9am', /no repetition in "at 9am"/],
    ['every day at 25:00', '"25:00" is not a time of day'],
    ['every day at 13pm', '"13:00pm" is not a time of day'],
    ['every day at 9am at 10am', /the time of day is given twice/],
    ['every day at tea time', /could not read "tea" .*expected a time/],
    ['every feb 30', 'February has no day 30'],
    ['every day until 2026-02-30', '"2026-02-30" is not a date'],
    ['every day until 2026-03-01', /"until 2026-03-01" is before the first occurrence, 2026-03-26/],
    ['every day until Dec 24 for 3 times', '"until …" and "for N times" cannot both be given'],
    ['every day starting someday', /could not read "someday" .*expected a date/],
    ['every week on the 15th', /a day of the month does not fit a weekly repetition/],
    ['every year on the 15th', /a yearly repetition needs the month/],
    ['every day on Monday', /weekdays need a weekly repetition/],
    ['every 6th Friday', 'a month has no 6th Friday'],
    ['every 0 days', /the interval must be at least 1/],
    ['every day for 0 times', /the number of times must be at least 1/],
    ['on the 15th', /say "of every month"/],
    ['every 2 blorps', /could not read "blorps" .*expected day, week, month or year/],
  ];
  test('refuses an unknown zone instead of throwing', () => {
    assert.deepEqual(parseRecurrenceText('every day', 'Mars/Olympus', NOW), {
      ok: false,
      problem: '"Mars/Olympus" is not an IANA time zone',
    });
  });

  for (const [text, problem] of problems)
    test(`refuses "${text}"`, () => {
      const result = parseRecurrenceText(text, BERLIN, NOW);
      assert.equal(result.ok, false);
      if (typeof problem === 'string') assert.equal(!result.ok && result.problem, problem);
      else assert.match(!result.ok ? result.problem : '', problem);
    });
});

describe('describeRecurrence', () => {
  const r = (rrule: string, dtstart = '2026-03-27T09:00:00', timeZone = BERLIN): Recurrence =>
    RecurrenceInput.parse({ rrule, dtstart, timeZone });

  const cases: [Recurrence, 'FIXED' | 'AFTER_COMPLETION', string][] = [
    [r('FREQ=MONTHLY;BYDAY=-1FR'), 'FIXED', 'every month on the last Friday at 9:00 AM'],
    [
      r('FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=5', '2026-03-31T09:00'),
      'FIXED',
      'every 2 weeks on Tuesday at 9:00 AM, 5 times',
    ],
    [r('FREQ=DAILY;UNTIL=20270301T225959Z'), 'FIXED', 'every day at 9:00 AM until March 1, 2027'],
    [r('FREQ=DAILY;INTERVAL=3'), 'AFTER_COMPLETION', 'every 3 days after completion at 9:00 AM'],
    [r('FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR'), 'FIXED', 'every weekday at 9:00 AM'],
    [
      r('FREQ=WEEKLY;BYDAY=MO,WE,FR', '2026-03-27T17:30'),
      'FIXED',
      'every Monday, Wednesday and Friday at 5:30 PM',
    ],
    // The day DTSTART fills in is named for a fixed series, not for one that moves.
    [r('FREQ=WEEKLY;INTERVAL=2'), 'FIXED', 'every 2 weeks on Friday at 9:00 AM'],
    [r('FREQ=WEEKLY;INTERVAL=2'), 'AFTER_COMPLETION', 'every 2 weeks after completion at 9:00 AM'],
    [r('FREQ=MONTHLY'), 'FIXED', 'every month on the 27th at 9:00 AM'],
    [r('FREQ=YEARLY'), 'FIXED', 'every year on March 27 at 9:00 AM'],
    [r('FREQ=MONTHLY;BYMONTHDAY=-1'), 'FIXED', 'every month on the last day at 9:00 AM'],
    [r('FREQ=MONTHLY;BYMONTHDAY=1,-1'), 'FIXED', 'every month on the 1st and last day at 9:00 AM'],
    [r('FREQ=MONTHLY;BYDAY=3FR'), 'FIXED', 'every month on the 3rd Friday at 9:00 AM'],
    [
      r('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2'),
      'FIXED',
      'every month on the 2nd-to-last weekday at 9:00 AM',
    ],
    [
      r('FREQ=MONTHLY;BYDAY=TU,WE,TH;BYSETPOS=3;COUNT=3'),
      'FIXED',
      'every month on the 3rd Tuesday, Wednesday or Thursday at 9:00 AM, 3 times',
    ],
    [
      r('FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13'),
      'FIXED',
      'every month on Friday the 13th at 9:00 AM',
    ],
    [
      r('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', '2028-02-29T09:00'),
      'FIXED',
      'every year on February 29 at 9:00 AM',
    ],
    [
      r('FREQ=YEARLY;BYMONTH=11;BYDAY=4TH', '2026-11-26T18:00'),
      'FIXED',
      'every year in November on the 4th Thursday at 6:00 PM',
    ],
    [
      r('FREQ=YEARLY;BYDAY=20MO', '2026-05-18T09:00'),
      'FIXED',
      'every year on the 20th Monday of the year at 9:00 AM',
    ],
    [
      r('FREQ=WEEKLY;BYDAY=MO,FR;BYSETPOS=-1'),
      'FIXED',
      'every week on the last Monday or Friday at 9:00 AM',
    ],
    [r('FREQ=DAILY;BYMONTH=1', '2027-01-01T09:00'), 'FIXED', 'every day in January at 9:00 AM'],
    [r('FREQ=DAILY;COUNT=1', '2026-03-27T00:15'), 'FIXED', 'every day at 12:15 AM, once'],
    // UNTIL's date is read where the series lives: 04:00Z on Mar 2 is still Mar 1 in New York.
    [
      r('FREQ=DAILY;UNTIL=20270302T040000Z', '2026-03-27T09:00', 'America/New_York'),
      'FIXED',
      'every day at 9:00 AM until March 1, 2027',
    ],
  ];
  for (const [rec, mode, text] of cases)
    test(`${rec.rrule} (${mode}) → "${text}"`, () => {
      assert.equal(describeRecurrence(rec, mode), text);
    });

  test('a description reads back as the same rule', () => {
    for (const text of [
      'every month on the last Friday at 9:00 AM',
      'every 2 weeks on Tuesday at 9:00 AM, 5 times',
      'every day at 9:00 AM until March 1, 2027',
      'every 3 days after completion at 9:00 AM',
      'every Monday, Wednesday and Friday at 5:30 PM',
      'every month on the 1st and last day at 9:00 AM',
      'every year on February 29 at 9:00 AM',
    ]) {
      const parsed = parse(text);
      const rec = RecurrenceInput.parse({ ...parsed, timeZone: BERLIN });
      assert.equal(describeRecurrence(rec, parsed.mode), text);
    }
  });
});
