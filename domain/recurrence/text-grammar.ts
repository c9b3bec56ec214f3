// Sentence → rule, the grammar: what people type ("every 2 weeks on Tuesday at 9am", "every! 3
// days", "on the last day of every month"), read into a draft. Every word must be understood:
// anything else is reported, never guessed.
import { quote } from '../errors.js';
import { formatLocalDateTime, parseLocalDateTime } from './local-date.js';
import type { Frequency, RecurrenceMode, WeekdayNum } from './rule.js';
import {
  ADVERBS,
  MONTH_WORDS,
  ordinalOf,
  TOO_OFTEN,
  UNIT_WORDS,
  WEEKDAY_WORDS,
  wholeNumber,
  type Words,
} from './text-tokens.js';
import { monthName, ordinal, position, weekdayName } from './words.js';

/** The words read so far. Days are pinned down only once the rule is known (resolve). */
export interface Draft {
  freq?: Frequency;
  interval: number;
  byDay: WeekdayNum[];
  byMonthDay: number[];
  byMonth: number[];
  mode?: RecurrenceMode;
  time?: { hour: number; minute: number };
  start?: DateWords;
  until?: DateWords;
  count?: number;
}

/** A date as typed: year absent means the next such date. */
export type DateWords = { year?: number; month: number; day: number } | { relative: 0 | 1 };

/** A parse step: 'no' (this step does not apply, nothing read), 'ok', or a problem. */
type Step = 'no' | 'ok' | { problem: string };

/** "other" (2), "3", "three": an interval, read; null (nothing read) otherwise. */
function interval(c: Words): number | null {
  if (c.take('other')) return 2;
  const n = wholeNumber(c.peek());
  if (n !== null) c.i++;
  return n;
}

/** Reads ",", "and", ", and" or "&" when a list item follows it. */
function joiner(c: Words, isItem: (word: string) => boolean): boolean {
  let skip = c.peek() === ',' ? 1 : 0;
  if (['and', '&'].includes(c.peek(skip))) skip++;
  if (skip === 0 || !isItem(c.peek(skip))) return false;
  c.i += skip;
  return true;
}

const isWeekday = (w: string): boolean => WEEKDAY_WORDS[w] !== undefined;

/** "monday and friday", "mon, wed, and fri" → weekdays (at least one), or null. */
function weekdayList(c: Words): number[] | null {
  const out: number[] = [];
  for (;;) {
    const w = WEEKDAY_WORDS[c.peek()];
    if (w === undefined) return out.length ? out : null;
    c.i++;
    if (!out.includes(w)) out.push(w);
    if (!joiner(c, isWeekday)) return out;
  }
}

/** "of the month", "of every month", "of each month" (optional, nothing to record). */
const ofTheMonth = (c: Words): boolean => {
  if (c.peek() !== 'of' || !['the', 'every', 'each'].includes(c.peek(1)) || c.peek(2) !== 'month')
    return false;
  c.i += 3;
  return true;
};

/**
 * Days after "on [the]": weekdays ("Tuesday"), ordinal weekdays ("the 3rd Friday", "the last
 * Friday"), days of the month ("the 1st and 15th", "the last day") or a date ("Jan 27").
 */
function onDays(c: Words, d: Draft): Step {
  const weekdays = weekdayList(c);
  if (weekdays) {
    d.byDay = weekdays.map((weekday) => ({ weekday, n: 0 }));
    return 'ok';
  }
  const date = monthAndDay(c);
  if (date) {
    if ('problem' in date) return date;
    [d.byMonth, d.byMonthDay] = [[date.month], [date.day]];
    return 'ok';
  }
  c.take('the');
  return ordinalDays(c, d);
}

/** "3rd Friday", "last Friday", "15th", "1st and 15th", "last day" (after "the"). */
function ordinalDays(c: Words, d: Draft): Step {
  const n = ordinalOf(c.peek());
  if (n === null || n === 0) return c.unknown();
  c.i++;
  const weekday = WEEKDAY_WORDS[c.peek()];
  if (weekday !== undefined) {
    c.i++;
    if (Math.abs(n) > 5)
      return { problem: `a month has no ${position(n)} ${weekdayName(weekday)}` };
    d.byDay = [{ weekday, n }];
    // "the 4th Thursday of November" (yearly); "of the month" is read by the caller.
    const month = c.peek() === 'of' ? MONTH_WORDS[c.peek(1)] : undefined;
    if (month !== undefined) {
      c.i += 2;
      d.byMonth = [month];
    }
    return 'ok';
  }
  const days = [n];
  while (joiner(c, (w) => ordinalOf(w) !== null)) {
    days.push(ordinalOf(c.peek())!);
    c.i++;
  }
  c.take('day', 'days');
  if (days.some((x) => x > 31))
    return { problem: `a month has no ${ordinal(Math.max(...days))} day` };
  d.byMonthDay = [...new Set(days)].sort((a, b) => a - b);
  return 'ok';
}

/** "Jan 27", "January 27th", "27 January", "27th of January" (no year). */
function monthAndDay(c: Words): { month: number; day: number } | { problem: string } | null {
  const m1 = MONTH_WORDS[c.peek()];
  const d1 = dayNumberOf(c.peek(1));
  if (m1 !== undefined && d1 !== null) {
    c.i += 2;
    return checkedDate(m1, d1);
  }
  const d2 = dayNumberOf(c.peek());
  const of = c.peek(1) === 'of' ? 1 : 0;
  const m2 = MONTH_WORDS[c.peek(1 + of)];
  if (d2 !== null && m2 !== undefined) {
    c.i += 2 + of;
    return checkedDate(m2, d2);
  }
  return null;
}

const dayNumberOf = (w: string): number | null => {
  const m = /^(\d{1,2})(st|nd|rd|th)?$/.exec(w);
  return m ? Number(m[1]) : null;
};

function checkedDate(
  month: number,
  day: number,
): { month: number; day: number } | { problem: string } {
  const max = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (day < 1 || day > max) return { problem: `${monthName(month)} has no day ${day}` };
  return { month, day };
}

/** The repetition itself: "every …", "daily …", "on the 15th of every month". */
function repetition(c: Words, d: Draft): Step {
  const adverb = ADVERBS[c.peek()];
  if (adverb) {
    c.i++;
    d.freq = adverb;
    return c.take('on') ? onDays(c, d) : 'ok';
  }
  if (c.peek() === 'every!') d.mode = 'AFTER_COMPLETION';
  if (c.take('every', 'every!', 'each')) return every(c, d);
  if (c.take('on')) return onOfEvery(c, d);
  return 'no';
}

/** "on the 15th of every month", "on the last day of every other month", "on Mondays". */
function onOfEvery(c: Words, d: Draft): Step {
  const step = onDays(c, d);
  if (step !== 'ok') return step;
  if (d.byMonth.length > 0) {
    d.freq = 'YEARLY'; // "on Jan 27" repeats yearly
    return c.take('of') ? (c.take('every', 'each') && c.take('year') ? 'ok' : c.unknown()) : 'ok';
  }
  if (c.peek() !== 'of') {
    if (d.byMonthDay.length > 0 || d.byDay.some((w) => w.n !== 0))
      return c.unknown('say "of every month"');
    d.freq = 'WEEKLY';
    return 'ok';
  }
  c.i++;
  if (!c.take('every', 'each')) return c.unknown('say "of every month"');
  const n = interval(c);
  if (!c.take('month', 'months')) return c.unknown('say "of every month"');
  d.freq = 'MONTHLY';
  d.interval = n ?? 1;
  return 'ok';
}

/** What follows "every". */
function every(c: Words, d: Draft): Step {
  if (TOO_OFTEN.has(c.peek())) return c.unknown('repeating more often than daily is not supported');
  const named = everyNamed(c, d);
  if (named !== 'no') return named;
  const n = interval(c);
  if (n !== null) {
    if (n < 1) return { problem: 'the interval must be at least 1' };
    d.interval = n;
  }
  if (TOO_OFTEN.has(c.peek())) return c.unknown('repeating more often than daily is not supported');
  const unit = UNIT_WORDS[c.peek()];
  if (unit) {
    c.i++;
    d.freq = unit;
    return c.take('on') ? onDays(c, d) : 'ok';
  }
  const weekdays = weekdayList(c); // "every Monday and Friday", "every other Monday"
  if (!weekdays) return c.unknown(n === null ? '' : 'expected day, week, month or year');
  d.freq = 'WEEKLY';
  d.byDay = weekdays.map((weekday) => ({ weekday, n: 0 }));
  return 'ok';
}

/** "every weekday", "every Jan 27", "every 2nd week", "every 3rd Friday", "every 15th". */
function everyNamed(c: Words, d: Draft): Step {
  if (c.take('weekday', 'weekdays', 'workday', 'workdays')) {
    [d.freq, d.byDay] = ['WEEKLY', [0, 1, 2, 3, 4].map((weekday) => ({ weekday, n: 0 }))];
    return 'ok';
  }
  if (c.take('weekend', 'weekends')) {
    [d.freq, d.byDay] = ['WEEKLY', [5, 6].map((weekday) => ({ weekday, n: 0 }))];
    return 'ok';
  }
  const date = monthAndDay(c);
  if (date) {
    if ('problem' in date) return date;
    [d.freq, d.byMonth, d.byMonthDay] = ['YEARLY', [date.month], [date.day]];
    return 'ok';
  }
  const n = ordinalOf(c.peek());
  if (n === null) return 'no';
  const unit = UNIT_WORDS[c.peek(1)];
  // "every 2nd week", "every third day"; but "every 1st day of the month" is a day of the month.
  if (n > 0 && unit && (unit !== 'DAILY' || (n > 1 && c.peek(2) !== 'of'))) {
    c.i += 2;
    [d.freq, d.interval] = [unit, n];
    return 'ok';
  }
  const step = ordinalDays(c, d);
  d.freq = d.byMonth.length > 0 ? 'YEARLY' : 'MONTHLY';
  if (step === 'ok' && d.freq === 'MONTHLY') ofTheMonth(c);
  return step;
}

/** "at 9am", "9:30pm", "17:00", "at noon", "at 9". */
function timeOfDay(c: Words, d: Draft): Step {
  const at = c.peek() === 'at';
  const word = c.peek(at ? 1 : 0);
  const special = word === 'noon' ? 12 : word === 'midnight' ? 0 : null;
  const m = /^(\d{1,2})(?::(\d{2}))?(am|pm|a\.m|p\.m)?$/.exec(word);
  if (special === null && !m)
    return at ? (c.i++, c.unknown('expected a time like 9am or 17:00')) : 'no';
  // A bare number is a time only after "at" ("every 3 days" must stay a count).
  const suffixWord = ['am', 'pm', 'a.m', 'p.m'].includes(c.peek(at ? 2 : 1))
    ? c.peek(at ? 2 : 1)
    : null;
  if (m && !at && !m[2] && !m[3] && !suffixWord) return 'no';
  if (d.time) return c.unknown('the time of day is given twice');
  c.i += (at ? 2 : 1) + (suffixWord ? 1 : 0);
  if (special !== null) {
    d.time = { hour: special, minute: 0 };
    return 'ok';
  }
  return clockTime(d, Number(m![1]), Number(m![2] ?? 0), m![3] ?? suffixWord);
}

function clockTime(d: Draft, hour: number, minute: number, suffix: string | null): Step {
  const text = `${hour}:${String(minute).padStart(2, '0')}${suffix ?? ''}`;
  if (minute > 59) return { problem: `${quote(text)} is not a time of day` };
  if (suffix) {
    if (hour < 1 || hour > 12) return { problem: `${quote(text)} is not a time of day` };
    hour = (hour % 12) + (suffix.startsWith('p') ? 12 : 0);
  } else if (hour > 23) return { problem: `${quote(text)} is not a time of day` };
  d.time = { hour, minute };
  return 'ok';
}

/** "2026-05-01", "April 2", "April 2nd, 2027", "2 April 2027", "today", "tomorrow". */
function dateWords(c: Words): DateWords | { problem: string } {
  if (c.take('today')) return { relative: 0 };
  if (c.take('tomorrow')) return { relative: 1 };
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(c.peek());
  if (iso) {
    c.i++;
    const [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    const real = parseLocalDateTime(`${iso[0]}T00:00`);
    return real ? { year, month, day } : { problem: `${quote(iso[0])} is not a date` };
  }
  const date = monthAndDay(c);
  if (!date) return c.unknown('expected a date like April 2 or 2026-05-01');
  if ('problem' in date) return date;
  const comma = c.peek() === ',' && /^\d{4}$/.test(c.peek(1)) ? 1 : 0;
  if (!/^\d{4}$/.test(c.peek(comma))) return date;
  c.i += comma + 1;
  const year = Number(c.peek(-1));
  const real = parseLocalDateTime(
    formatLocalDateTime({ year, ...date, hour: 0, minute: 0, second: 0 }),
  );
  return real
    ? { year, ...date }
    : { problem: `${monthName(date.month)} ${date.day}, ${year} is not a date` };
}

/** "starting April 2", "starting on …", "from …", "until …", "for 5 times", "5 times", "once". */
function limits(c: Words, d: Draft): Step {
  if (c.take('starting', 'from', 'beginning')) {
    c.take('on', 'from');
    if (d.start) return c.unknown('the start is given twice');
    const date = dateWords(c);
    if ('problem' in date) return date;
    d.start = date;
    return 'ok';
  }
  if (c.take('until', 'till')) {
    if (d.until) return c.unknown('the end is given twice');
    const date = dateWords(c);
    if ('problem' in date) return date;
    d.until = date;
    return 'ok';
  }
  return times(c, d);
}

function times(c: Words, d: Draft): Step {
  if (c.take('once', 'twice')) return setCount(c, d, c.peek(-1) === 'once' ? 1 : 2);
  const lead = c.peek() === 'for' ? 1 : 0;
  const n = wholeNumber(c.peek(lead));
  if (n === null || !['times', 'time', 'occurrences'].includes(c.peek(lead + 1))) {
    return lead ? (c.i++, c.unknown('expected "for 5 times"')) : 'no';
  }
  c.i += lead + 2;
  return setCount(c, d, n);
}

function setCount(c: Words, d: Draft, n: number): Step {
  if (d.count !== undefined) return c.unknown('the number of times is given twice');
  if (n < 1) return { problem: 'the number of times must be at least 1' };
  d.count = n;
  return 'ok';
}

function completion(c: Words, d: Draft): Step {
  if (c.peek() !== 'after' || !['completion', 'completing', 'done'].includes(c.peek(1)))
    return 'no';
  c.i += 2;
  d.mode = 'AFTER_COMPLETION';
  return 'ok';
}

/** Reads the words into a draft; each clause may come once, in any order after the repetition. */
export function readDraft(c: Words): Draft | { problem: string } {
  const d: Draft = { interval: 1, byDay: [], byMonthDay: [], byMonth: [] };
  const steps = [timeOfDay, completion, limits];
  while (!c.done) {
    if (c.take(',')) continue;
    const at = c.i;
    const step = d.freq ? 'no' : repetition(c, d);
    if (typeof step === 'object') return step;
    if (step === 'ok') continue;
    let read: Step = 'no';
    for (const s of steps) {
      read = s(c, d);
      if (read !== 'no') break;
    }
    if (typeof read === 'object') return read;
    if (read === 'no' || c.i === at) return c.unknown();
  }
  if (!d.freq)
    return {
      problem: `no repetition in ${quote(c.text)} (say e.g. "every day" or "every Monday")`,
    };
  return d;
}
