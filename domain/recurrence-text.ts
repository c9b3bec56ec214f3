// Recurrence rules in English: a sentence for a rule, and a small grammar for what people type
// ("every 2 weeks on Tuesday at 9am", "every! 3 days", "on the last day of every month").
//
// The rrule package has both (toText, fromText), but fromText drops what it does not know
// without a word ("every year on January 27" becomes FREQ=YEARLY;BYMONTH=1), knows no time of
// day, "every!" or "starting", and toText ignores BYSETPOS and writes UNTIL's UTC date, so both
// are written here. Every word must be understood: anything else is reported, never guessed.
import {
  formatLocalDateTime,
  formatRRule,
  CLIENT_WALK_DAYS,
  localOccurrences,
  parseLocalDateTime,
  parseRRule,
  RecurrenceInput,
  withDtstartDefaults,
  type Frequency,
  type Recurrence,
  type RecurrenceMode,
  type RuleParts,
  type WeekdayNum,
} from './recurrence.js';
import { addLocalDays, fromLocal, toLocal, type LocalDateTime } from './time/local-date-time.js';
import { canonicalTimeZone } from './time/zone.js';
import { quote } from './errors.js';

const WEEKDAY_NAMES = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const UNIT: Record<Frequency, string> = {
  DAILY: 'day',
  WEEKLY: 'week',
  MONTHLY: 'month',
  YEARLY: 'year',
};

// ---------------------------------------------------------------------------------------------
// Rule → sentence

const ordinal = (n: number): string => {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
};

/** 1 → "1st", -1 → "last", -2 → "2nd-to-last". */
const position = (n: number): string =>
  n > 0 ? ordinal(n) : n === -1 ? 'last' : `${ordinal(-n)}-to-last`;

const joinWith = (items: string[], word: string): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)}`;
const and = (items: string[]): string => joinWith(items, 'and');
const or = (items: string[]): string => joinWith(items, 'or');

const weekdayName = (w: number): string => WEEKDAY_NAMES[w] ?? '?';
const monthName = (m: number): string => MONTH_NAMES[m - 1] ?? '?';
const monthDayText = (md: number): string => (md > 0 ? ordinal(md) : `${position(md)} day`);
const weekdayNumText = (w: WeekdayNum): string =>
  w.n === 0 ? `every ${weekdayName(w.weekday)}` : `the ${position(w.n)} ${weekdayName(w.weekday)}`;

const isWorkWeek = (byDay: WeekdayNum[]): boolean =>
  byDay.length === 5 && byDay.every((w, i) => w.n === 0 && w.weekday === i);

/** "9:00 AM", "12:30 PM", "12:00 AM" (midnight); seconds only when there are some. */
function timeText(l: LocalDateTime): string {
  const h12 = l.hour % 12 === 0 ? 12 : l.hour % 12;
  const seconds = l.second ? `:${String(l.second).padStart(2, '0')}` : '';
  return `${h12}:${String(l.minute).padStart(2, '0')}${seconds} ${l.hour < 12 ? 'AM' : 'PM'}`;
}

/** "every 2 weeks", "every month". */
const head = (r: RuleParts): string =>
  r.interval === 1 ? `every ${UNIT[r.freq]}` : `every ${r.interval} ${UNIT[r.freq]}s`;

/** Which days of a month (or of the months named) the rule picks, as " on …". */
function daysText(r: RuleParts): string {
  const { byDay, bySetPos } = r;
  // In calendar order: the 1st and 15th, then the 2nd-to-last day and the last day.
  const byMonthDay = [...r.byMonthDay].sort((a, b) => (a > 0 === b > 0 ? a - b : b - a));
  if (bySetPos.length > 0) {
    const among = isWorkWeek(byDay)
      ? 'weekday'
      : byDay.length > 0 && byMonthDay.length === 0 && byDay.every((w) => w.n === 0)
        ? or(byDay.map((w) => weekdayName(w.weekday)))
        : null;
    const picked = and(bySetPos.map(position));
    if (among) return ` on the ${picked} ${among}`;
    return `${daysText({ ...r, bySetPos: [] })}, only the ${picked} of those`;
  }
  if (byDay.length > 0 && byMonthDay.length > 0)
    return ` on ${or(byDay.map((w) => weekdayNumText(w).replace(/^every /, '')))} the ${or(byMonthDay.map(monthDayText))}`;
  if (byMonthDay.length > 0) return ` on the ${and(byMonthDay.map(monthDayText))}`;
  if (byDay.length > 0) return ` on ${and(byDay.map(weekdayNumText))}`;
  return '';
}

function yearlyText(r: RuleParts): string {
  const { byMonth, byMonthDay, byDay, bySetPos } = r;
  const single = byMonth.length === 1 && byDay.length === 0 && bySetPos.length === 0;
  if (single && byMonthDay.length > 0 && byMonthDay.every((d) => d > 0))
    return ` on ${monthName(byMonth[0]!)} ${and(byMonthDay.map(String))}`;
  const months = byMonth.length > 0 ? ` in ${and(byMonth.map(monthName))}` : '';
  const days = daysText(r);
  const ofYear = byMonth.length === 0 && byDay.some((w) => w.n !== 0) ? ' of the year' : '';
  return `${months}${days}${ofYear}`;
}

function ruleText(r: RuleParts): string {
  const simple = r.interval === 1 && r.byMonth.length === 0 && r.bySetPos.length === 0;
  if ((r.freq === 'DAILY' || r.freq === 'WEEKLY') && simple && isWorkWeek(r.byDay))
    return 'every weekday';
  const inMonths = r.byMonth.length > 0 ? ` in ${and(r.byMonth.map(monthName))}` : '';
  const dayNames = and(r.byDay.map((w) => weekdayName(w.weekday)));
  switch (r.freq) {
    case 'DAILY':
    case 'WEEKLY':
      // "every week on the last Monday or Friday". (A DAILY BYSETPOS needs no words: a day's
      // one candidate is both its first and its last.)
      if (r.freq === 'WEEKLY' && r.bySetPos.length > 0)
        return `${head(r)}${daysText(r)}${inMonths}`;
      // "every Monday and Friday"; "every 2 weeks on Tuesday".
      if (r.byDay.length === 0) return `${head(r)}${inMonths}`;
      if (r.interval === 1) return `every ${dayNames}${inMonths}`;
      return `${head(r)} on ${dayNames}${inMonths}`;
    case 'MONTHLY':
      return `${head(r)}${daysText(r)}${inMonths}`;
    case 'YEARLY':
      return `${head(r)}${yearlyText(r)}`;
  }
}

/** "until March 1, 2027": UNTIL's date where the series lives, not in UTC. */
function endText(rule: RuleParts, timeZone: string): string {
  if (rule.count !== null) return rule.count === 1 ? ', once' : `, ${rule.count} times`;
  if (!rule.until) return '';
  const l = toLocal(rule.until, timeZone);
  return ` until ${monthName(l.month)} ${l.day}, ${l.year}`;
}

/**
 * A human sentence for the rule, e.g. "every month on the last Friday at 9:00 AM", "every 2
 * weeks on Tuesday at 9:00 AM, 5 times", "every 3 days after completion at 9:00 AM". A FIXED
 * series names the day DTSTART gives it ("every 2 weeks on Friday"); an AFTER_COMPLETION one
 * does not, as its day moves with each completion.
 */
export function describeRecurrence(r: Recurrence, mode: RecurrenceMode): string {
  const start = parseLocalDateTime(r.dtstart);
  const parsed = parseRRule(r.rrule, r.timeZone);
  if (!start || !parsed.ok) throw new Error(`cannot describe an invalid recurrence "${r.rrule}"`);
  const rule = mode === 'FIXED' ? withDtstartDefaults(parsed.rule, start) : parsed.rule;
  const after = mode === 'AFTER_COMPLETION' ? ' after completion' : '';
  return `${ruleText(rule)}${after} at ${timeText(start)}${endText(parsed.rule, r.timeZone)}`;
}

// ---------------------------------------------------------------------------------------------
// Sentence → rule

export interface ParsedRecurrence {
  rrule: string;
  dtstart: string;
  mode: RecurrenceMode;
}

export type ParseResult = { ok: true; value: ParsedRecurrence } | { ok: false; problem: string };

/** The words read so far. Days are pinned down only once the rule is known (resolve). */
interface Draft {
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
type DateWords = { year?: number; month: number; day: number } | { relative: 0 | 1 };

/** A parse step: 'no' (this step does not apply, nothing read), 'ok', or a problem. */
type Step = 'no' | 'ok' | { problem: string };

const WEEKDAY_WORDS: Record<string, number> = {};
for (const [i, name] of WEEKDAY_NAMES.entries()) {
  const low = name.toLowerCase();
  for (const w of [low, `${low}s`, low.slice(0, 3), `${low.slice(0, 3)}s`]) WEEKDAY_WORDS[w] = i;
}
Object.assign(WEEKDAY_WORDS, { tues: 1, weds: 2, thur: 3, thurs: 3 });

const MONTH_WORDS: Record<string, number> = { sept: 9 };
for (const [i, name] of MONTH_NAMES.entries()) {
  MONTH_WORDS[name.toLowerCase()] = i + 1;
  MONTH_WORDS[name.toLowerCase().slice(0, 3)] = i + 1;
}

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};
const ORDINAL_WORDS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  last: -1,
  'second-to-last': -2,
  '2nd-to-last': -2,
};
const UNIT_WORDS: Record<string, Frequency> = {
  day: 'DAILY',
  days: 'DAILY',
  week: 'WEEKLY',
  weeks: 'WEEKLY',
  month: 'MONTHLY',
  months: 'MONTHLY',
  year: 'YEARLY',
  years: 'YEARLY',
};
const ADVERBS: Record<string, Frequency> = {
  daily: 'DAILY',
  weekly: 'WEEKLY',
  monthly: 'MONTHLY',
  yearly: 'YEARLY',
  annually: 'YEARLY',
};
const TOO_OFTEN = new Set(['hour', 'hours', 'minute', 'minutes', 'second', 'seconds', 'hourly']);

/** The tokens of the text; `low` for matching, `raw` for messages. */
class Words {
  i = 0;
  constructor(
    private readonly tokens: { raw: string; low: string }[],
    readonly text: string,
  ) {}

  get done(): boolean {
    return this.i >= this.tokens.length;
  }
  peek(ahead = 0): string {
    return this.tokens[this.i + ahead]?.low ?? '';
  }
  take(...words: string[]): boolean {
    if (!words.includes(this.peek())) return false;
    this.i++;
    return true;
  }
  /** The problem of not understanding the current word (or of the text ending too soon). */
  unknown(hint = ''): { problem: string } {
    const token = this.tokens[this.i];
    const where = token
      ? `could not read ${quote(token.raw)} in ${quote(this.text)}`
      : `could not read the end of ${quote(this.text)}: something is missing after ${quote(this.tokens.at(-1)?.raw ?? '')}`;
    return { problem: hint ? `${where} (${hint})` : where };
  }
}

function tokenize(text: string): Words {
  const normal = text.trim().replace(/\s+/g, ' ');
  const tokens = normal
    .replace(/,/g, ' , ')
    .replace(/\bevery!/gi, 'every! ')
    .split(' ')
    .filter((t) => t !== '')
    .map((raw) => ({ raw, low: raw.toLowerCase().replace(/\.$/, '') }));
  return new Words(tokens, normal);
}

/** "other" (2), "3", "three": an interval, read; null (nothing read) otherwise. */
function interval(c: Words): number | null {
  if (c.take('other')) return 2;
  const n = wholeNumber(c.peek());
  if (n !== null) c.i++;
  return n;
}

const wholeNumber = (w: string): number | null =>
  /^\d{1,4}$/.test(w) ? Number(w) : (NUMBER_WORDS[w] ?? null);

/** "3rd", "third", "last", "second-to-last" → 3, 3, -1, -2. */
const ordinalOf = (w: string): number | null => {
  const m = /^(\d{1,2})(st|nd|rd|th)$/.exec(w);
  return m ? Number(m[1]) : (ORDINAL_WORDS[w] ?? null);
};

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
function readDraft(c: Words): Draft | { problem: string } {
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

// ---------------------------------------------------------------------------------------------
// Resolving a draft into a rule with a DTSTART

const DEFAULT_TIME = { hour: 9, minute: 0 };

const localDate = (l: LocalDateTime): string => formatLocalDateTime(l).slice(0, 10);

/**
 * A typed date as a local date: the next such date on or after `from` when no year is given;
 * null when there is none before the year 9999 ends (Feb 29 waits at most eight years).
 */
function dateOf(w: DateWords, from: LocalDateTime): LocalDateTime | null {
  if ('relative' in w) return addLocalDays(from, w.relative);
  if (w.year !== undefined) return { ...from, year: w.year, month: w.month, day: w.day };
  for (let year = from.year; year <= Math.min(from.year + 8, 9999); year++) {
    const candidate = { ...from, year, month: w.month, day: w.day };
    if (
      parseLocalDateTime(formatLocalDateTime(candidate)) &&
      localDate(candidate) >= localDate(from)
    )
      return candidate;
  }
  return null;
}

function fitProblem(d: Draft): string | null {
  if (d.freq === 'WEEKLY' && d.byMonthDay.length > 0)
    return 'a day of the month does not fit a weekly repetition (say "every month on the 15th")';
  if ((d.freq === 'DAILY' || d.freq === 'WEEKLY') && d.byDay.some((w) => w.n !== 0))
    return 'an ordinal weekday needs a monthly repetition (say "every month on the 3rd Friday")';
  if (d.freq === 'DAILY' && d.byDay.length > 0)
    return 'weekdays need a weekly repetition (say "every week on Monday")';
  if (d.freq !== 'YEARLY' && d.byMonth.length > 0)
    return 'a date needs a yearly repetition (say "every year on January 27")';
  if (d.freq === 'YEARLY' && d.byMonthDay.length > 0 && d.byMonth.length === 0)
    return 'a yearly repetition needs the month (say "every year on January 15")';
  return null;
}

function resolve(d: Draft & { freq: Frequency }, timeZone: string, now: Date): ParseResult {
  const misfit = fitProblem(d);
  if (misfit) return { ok: false, problem: misfit };
  if (d.count !== undefined && d.until)
    return { ok: false, problem: '"until …" and "for N times" cannot both be given' };
  const rule: RuleParts = {
    freq: d.freq,
    interval: d.interval,
    count: d.count ?? null,
    until: null,
    byMonth: d.byMonth,
    byMonthDay: d.byMonthDay,
    byDay: d.byDay,
    bySetPos: [],
    wkst: 0,
  };
  const first = firstStart(rule, d, timeZone, now);
  if (!first) return { ok: false, problem: 'the rule never produces an occurrence' };
  if (d.until) {
    // UNTIL is the end of the named local day: the occurrence on that day is the last one.
    const day = dateOf(d.until, first);
    if (!day)
      return { ok: false, problem: 'the "until" date never comes after the first occurrence' };
    rule.until = fromLocal({ ...day, hour: 23, minute: 59, second: 59 }, timeZone);
    if (localDate(day) < localDate(first))
      return {
        ok: false,
        problem: `"until ${localDate(day)}" is before the first occurrence, ${localDate(first)}`,
      };
  }
  const value = {
    rrule: formatRRule(rule),
    dtstart: formatLocalDateTime(first),
    mode: d.mode ?? 'FIXED',
  };
  const checked = RecurrenceInput.safeParse({
    rrule: value.rrule,
    dtstart: value.dtstart,
    timeZone,
  });
  if (!checked.success)
    return { ok: false, problem: checked.error.issues[0]?.message ?? 'invalid rule' };
  return { ok: true, value };
}

/**
 * DTSTART: the rule's first day on or after the start day, at the time of day. The start day is
 * the "starting" date, else today, or tomorrow once today's time has passed (so the first
 * occurrence is never in the past, and a rule whose day comes from DTSTART starts tomorrow).
 */
function firstStart(rule: RuleParts, d: Draft, timeZone: string, now: Date): LocalDateTime | null {
  const time = { ...(d.time ?? DEFAULT_TIME), second: 0 };
  const today = { ...toLocal(now, timeZone), ...time };
  let day = d.start ? dateOf(d.start, today) : today;
  if (!day) return null;
  if (!d.start && fromLocal(day, timeZone) < now) day = addLocalDays(day, 1);
  // The next matching day whatever the interval: it becomes DTSTART, and so the interval's anchor.
  // A client's text may only make the expander walk so far (TOO_EXPENSIVE past that).
  const walk = localOccurrences({ ...rule, count: null, interval: 1 }, day, CLIENT_WALK_DAYS);
  return walk.next().value ?? null;
}

/**
 * Natural language → rule, e.g. "every 2 weeks on Tuesday at 9am", "every! 3 days",
 * "on the last day of every month until Dec 31", "every year on Jan 27 for 5 times". Case and
 * extra spaces do not matter. Without a time of day the series is at 09:00 local. DTSTART is
 * the first matching day from the start day on (see firstStart); "until <date>" ends after
 * that local day (UNTIL = 23:59:59 local, in UTC). Unknown words give { ok: false } naming them.
 */
export function parseRecurrenceText(
  text: string,
  timeZone: string,
  now: Date,
): { ok: true; value: ParsedRecurrence } | { ok: false; problem: string } {
  const zone = canonicalTimeZone(timeZone);
  if (!zone) return { ok: false, problem: `${quote(timeZone)} is not an IANA time zone` };
  if (text.trim() === '') return { ok: false, problem: 'the text is empty (say e.g. "every day")' };
  const draft = readDraft(tokenize(text));
  if ('problem' in draft) return { ok: false, problem: draft.problem };
  return resolve(draft as Draft & { freq: Frequency }, zone, now);
}
