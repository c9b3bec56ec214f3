// Recurring series: RFC 5545 RRULEs (the DAILY–YEARLY subset a todo app needs), validated and
// expanded in the series' own time zone. Pure: no I/O, no clock, and never the host time zone.
//
// Expansion works on the local calendar (day numbers built with Date.UTC, so wall-clock dates
// with no zone) and only then maps each local occurrence to an instant with fromLocal, which
// applies RFC 5545's DST rules. Occurrences are derived from DTSTART every time, never by adding
// an interval to the previous one, so nothing drifts (Jan 31 → Mar 31, not → Feb 28 → Mar 28).
//
// We expand ourselves instead of with the rrule package: rrule loops until the year 9999 when a
// rule has no more matches (58 s for FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30), and we need to bound
// that. The tests compare this expander with rrule's on many random rules.
import { z } from 'zod';
import { AppError, ErrorCode, quote, tooExpensive } from './errors.js';
import { InstantText } from './time/instant.js';
import { fromLocal, toLocal, type LocalDateTime } from './time/local-date-time.js';
import { TimeZone } from './time/zone.js';

export type RecurrenceMode = 'FIXED' | 'AFTER_COMPLETION';

export interface Recurrence {
  /** RFC 5545 RRULE value without the "RRULE:" prefix, e.g. "FREQ=MONTHLY;BYDAY=-1FR". */
  rrule: string;
  /** Local date-time in timeZone, "YYYY-MM-DDTHH:MM:SS" (no offset). */
  dtstart: string;
  /** IANA zone. */
  timeZone: string;
  /** Excluded occurrences, as ISO-8601 instants (an occurrence whose instant equals one is skipped). */
  exdates: string[];
}

export type Frequency = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
const FREQUENCIES: readonly Frequency[] = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'];

/** RFC 5545 weekday codes; our weekday numbers index this (0 = Monday). */
export const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

/** A BYDAY entry: `n` 0 means every such weekday; 3 the third, -1 the last in the month/year. */
export interface WeekdayNum {
  weekday: number;
  n: number;
}

/** A parsed rule. Lists are sorted and free of duplicates; empty means "not given". */
export interface RuleParts {
  freq: Frequency;
  interval: number;
  count: number | null;
  until: Date | null;
  byMonth: number[];
  byMonthDay: number[];
  byDay: WeekdayNum[];
  bySetPos: number[];
  wkst: number;
}

export const MAX_INTERVAL = 1000;
/** COUNT makes every expansion start at DTSTART, so it is capped to keep that cheap. */
export const MAX_COUNT = 10_000;

// ---------------------------------------------------------------------------------------------
// Parsing and formatting the RRULE text

export type RuleResult = { ok: true; rule: RuleParts } | { ok: false; problem: string };

const UNSUPPORTED_PARTS: Record<string, string> = {
  BYHOUR: 'BYHOUR is not supported: the time of day comes from dtstart',
  BYMINUTE: 'BYMINUTE is not supported: the time of day comes from dtstart',
  BYSECOND: 'BYSECOND is not supported: the time of day comes from dtstart',
  BYWEEKNO: 'BYWEEKNO is not supported (use BYMONTH, BYMONTHDAY or BYDAY)',
  BYYEARDAY: 'BYYEARDAY is not supported (use BYMONTH with BYMONTHDAY)',
  RSCALE: 'RSCALE is not supported: rules use the Gregorian calendar',
  SKIP: 'SKIP is not supported: days a month lacks are skipped, as RFC 5545 says',
};

/** A rule being read: FREQ may not have been seen yet. */
type Draft = Omit<RuleParts, 'freq'> & { freq?: Frequency };

/**
 * Reads an RRULE value ("RRULE:" prefix and letter case optional). `timeZone` only matters
 * for an UNTIL given as a local date-time or a date, which RFC 5545 does not allow with a
 * zoned DTSTART but clients send anyway; it is read in the series' zone (a date as the end of
 * that day) and formatted back as UTC.
 */
export function parseRRule(text: string, timeZone: string): RuleResult {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (body === '') return { ok: false, problem: 'rrule must not be empty (e.g. FREQ=DAILY)' };
  const draft: Draft = {
    interval: 1,
    count: null,
    until: null,
    byMonth: [],
    byMonthDay: [],
    byDay: [],
    bySetPos: [],
    wkst: 0,
  };
  const seen = new Set<string>();
  for (const part of body.split(';').filter((p) => p.trim() !== '')) {
    const eq = part.indexOf('=');
    if (eq < 0) return { ok: false, problem: `${quote(part)} is not a NAME=VALUE rule part` };
    const key = part.slice(0, eq).trim().toUpperCase();
    const value = part
      .slice(eq + 1)
      .trim()
      .toUpperCase();
    if (seen.has(key)) return { ok: false, problem: `${key} is given twice` };
    seen.add(key);
    if (value === '') return { ok: false, problem: `${key} has no value` };
    const problem = readPart(key, value, draft, timeZone);
    if (problem) return { ok: false, problem };
  }
  return checkRule(draft);
}

function readPart(key: string, value: string, d: Draft, timeZone: string): string | null {
  switch (key) {
    case 'FREQ':
      return readFreq(value, d);
    case 'INTERVAL':
      return readNumber(key, value, 1, MAX_INTERVAL, (n) => (d.interval = n));
    case 'COUNT':
      return readNumber(key, value, 1, MAX_COUNT, (n) => (d.count = n));
    case 'UNTIL':
      d.until = readUntil(value, timeZone);
      return d.until ? null : 'UNTIL must be a UTC date-time YYYYMMDDTHHMMSSZ (or a date YYYYMMDD)';
    case 'BYMONTH':
      return readList(key, value, 12, false, (l) => (d.byMonth = l));
    case 'BYMONTHDAY':
      return readList(key, value, 31, true, (l) => (d.byMonthDay = l));
    case 'BYSETPOS':
      return readList(key, value, 366, true, (l) => (d.bySetPos = l));
    case 'BYDAY':
      return readByDay(value, d);
    case 'WKST': {
      const w = WEEKDAY_CODES.indexOf(value as (typeof WEEKDAY_CODES)[number]);
      if (w < 0) return `WKST ${quote(value)} is not a weekday (MO, TU, WE, TH, FR, SA, SU)`;
      d.wkst = w;
      return null;
    }
    default:
      return UNSUPPORTED_PARTS[key] ?? `${key} is not a supported rule part`;
  }
}

function readFreq(value: string, d: Draft): string | null {
  if (FREQUENCIES.includes(value as Frequency)) {
    d.freq = value as Frequency;
    return null;
  }
  const known = ['SECONDLY', 'MINUTELY', 'HOURLY'].includes(value);
  return `FREQ=${value} ${known ? 'is not supported' : 'is not a frequency'} (DAILY, WEEKLY, MONTHLY, YEARLY)`;
}

function readNumber(
  key: string,
  value: string,
  min: number,
  max: number,
  set: (n: number) => void,
): string | null {
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) return `${key} must be a whole number from ${min} to ${max}`;
  set(n);
  return null;
}

/** A comma list of integers in 1..max (and -max..-1 when negatives are allowed). */
function readList(
  key: string,
  value: string,
  max: number,
  negatives: boolean,
  set: (l: number[]) => void,
): string | null {
  const out = new Set<number>();
  for (const item of value.split(',')) {
    const n = /^[+-]?\d{1,3}$/.test(item) ? Number(item) : NaN;
    const ok = (n >= 1 && n <= max) || (negatives && n <= -1 && n >= -max);
    if (!ok)
      return `${key} ${quote(item)} must be 1 to ${max}${negatives ? ` or -${max} to -1` : ''}`;
    out.add(n);
  }
  set([...out].sort((a, b) => a - b));
  return null;
}

function readByDay(value: string, d: Draft): string | null {
  const out = new Map<string, WeekdayNum>();
  for (const item of value.split(',')) {
    const m = /^([+-]?\d{1,2})?([A-Z]{2})$/.exec(item);
    const weekday = WEEKDAY_CODES.indexOf((m?.[2] ?? '') as (typeof WEEKDAY_CODES)[number]);
    if (!m || weekday < 0) return `BYDAY ${quote(item)} is not a weekday`;
    const n = m[1] === undefined ? 0 : Number(m[1]);
    if (m[1] !== undefined && (n === 0 || Math.abs(n) > 53))
      return `BYDAY ${quote(item)}: the ordinal must be 1 to 53 or -53 to -1`;
    out.set(`${n}${weekday}`, { weekday, n });
  }
  d.byDay = [...out.values()].sort((a, b) => a.n - b.n || a.weekday - b.weekday);
  return null;
}

const UNTIL_FORMAT = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/;

function readUntil(value: string, timeZone: string): Date | null {
  const m = UNTIL_FORMAT.exec(value);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const local: LocalDateTime =
    m[4] === undefined
      ? { year, month, day, hour: 23, minute: 59, second: 59 }
      : { year, month, day, hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]) };
  if (!isRealLocal(local)) return null;
  return m[7] === 'Z' ? new Date(asUtcMs(local)) : fromLocal(local, timeZone);
}

/** The rules RFC 5545 (3.3.10) puts on how parts combine, for the parts we support. */
function checkRule(d: Draft): RuleResult {
  const { freq } = d;
  if (!freq) return { ok: false, problem: 'FREQ is required (DAILY, WEEKLY, MONTHLY, YEARLY)' };
  if (d.count !== null && d.until !== null)
    return { ok: false, problem: 'COUNT and UNTIL cannot both be given' };
  if (freq === 'WEEKLY' && d.byMonthDay.length > 0)
    return { ok: false, problem: 'BYMONTHDAY cannot be used with FREQ=WEEKLY' };
  const problem = checkOrdinals(d, freq);
  if (problem) return { ok: false, problem };
  if (d.bySetPos.length > 0 && d.byDay.length + d.byMonthDay.length + d.byMonth.length === 0)
    return {
      ok: false,
      problem: 'BYSETPOS needs another BYxxx part (BYDAY, BYMONTHDAY or BYMONTH)',
    };
  return { ok: true, rule: { ...d, freq } };
}

function checkOrdinals(d: Draft, freq: Frequency): string | null {
  const code = (w: WeekdayNum): string => `${w.n}${WEEKDAY_CODES[w.weekday]}`;
  for (const w of d.byDay.filter((x) => x.n !== 0)) {
    if (freq === 'DAILY' || freq === 'WEEKLY')
      return `BYDAY "${code(w)}" has an ordinal, which only MONTHLY and YEARLY rules allow`;
    // A YEARLY rule with BYMONTH counts weekdays within each month (RFC 5545 3.3.10).
    const inMonth = freq === 'MONTHLY' || d.byMonth.length > 0;
    if (inMonth && Math.abs(w.n) > 5)
      return `BYDAY "${code(w)}": a month has at most 5 of each weekday`;
  }
  return null;
}

/** The canonical text: FREQ, INTERVAL, BYMONTH, BYMONTHDAY, BYDAY, BYSETPOS, WKST, COUNT, UNTIL. */
export function formatRRule(rule: RuleParts): string {
  const parts = [`FREQ=${rule.freq}`];
  if (rule.interval !== 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.byMonth.length) parts.push(`BYMONTH=${rule.byMonth.join(',')}`);
  if (rule.byMonthDay.length) parts.push(`BYMONTHDAY=${rule.byMonthDay.join(',')}`);
  if (rule.byDay.length)
    parts.push(
      `BYDAY=${rule.byDay.map((w) => `${w.n || ''}${WEEKDAY_CODES[w.weekday]}`).join(',')}`,
    );
  if (rule.bySetPos.length) parts.push(`BYSETPOS=${rule.bySetPos.join(',')}`);
  if (rule.wkst !== 0) parts.push(`WKST=${WEEKDAY_CODES[rule.wkst]}`);
  if (rule.count !== null) parts.push(`COUNT=${rule.count}`);
  if (rule.until) parts.push(`UNTIL=${formatUntil(rule.until)}`);
  return parts.join(';');
}

/** An instant as RFC 5545's UTC form, YYYYMMDDTHHMMSSZ (whole seconds). */
export function formatUntil(instant: Date): string {
  return instant
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

// ---------------------------------------------------------------------------------------------
// Local dates and date-times

const DAY_MS = 86_400_000;

const asUtcMs = (l: LocalDateTime): number =>
  Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);

/** Days since 1970-01-01 of a local date; years are ≥ 1900, so Date.UTC's 0–99 quirk is moot. */
const dayNumber = (year: number, month: number, day: number): number =>
  Date.UTC(year, month - 1, day) / DAY_MS;

/** Like rrule (and RFC 5545's 4-digit years), nothing after 9999-12-31. */
const LAST_DAY = dayNumber(9999, 12, 31);

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

function dateOf(dn: number): LocalDate {
  const d = new Date(dn * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Monday. 1970-01-01, day 0, was a Thursday. */
const weekdayOf = (dn: number): number => (((dn + 3) % 7) + 7) % 7;

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (year: number, month: number): number =>
  month === 2 && isLeapYear(year) ? 29 : (MONTH_LENGTHS[month - 1] ?? 0);

function isRealLocal(l: LocalDateTime): boolean {
  return (
    l.year >= 1900 &&
    l.year <= 9999 &&
    l.month >= 1 &&
    l.month <= 12 &&
    l.day >= 1 &&
    l.day <= daysInMonth(l.year, l.month) &&
    l.hour <= 23 &&
    l.minute <= 59 &&
    l.second <= 59
  );
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** "YYYY-MM-DDTHH:MM[:SS]" (a real date, years 1900–9999) → its fields; null otherwise. */
export function parseLocalDateTime(s: string): LocalDateTime | null {
  const m = LOCAL_DATE_TIME.exec(s);
  if (!m) return null;
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(m[i])) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const l = { year, month, day, hour, minute, second: Number(m[6] ?? 0) };
  return isRealLocal(l) ? l : null;
}

/** "YYYY-MM-DDTHH:MM:SS". */
export function formatLocalDateTime(l: LocalDateTime): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(l.year, 4)}-${p(l.month)}-${p(l.day)}T${p(l.hour)}:${p(l.minute)}:${p(l.second)}`;
}

// ---------------------------------------------------------------------------------------------
// Expansion on the local calendar

/** The rule as expanded: DTSTART's day fills in what the rule leaves open (RFC 5545 3.3.10). */
interface Expansion {
  rule: RuleParts;
  startDay: number;
  start: LocalDate;
  time: { hour: number; minute: number; second: number };
}

/** The rule with what DTSTART fills in made explicit (for describing a FIXED series). */
export function withDtstartDefaults(rule: RuleParts, start: LocalDateTime): RuleParts {
  return expansionOf(rule, start).rule;
}

function expansionOf(rule: RuleParts, start: LocalDateTime): Expansion {
  const startDay = dayNumber(start.year, start.month, start.day);
  const r = { ...rule };
  // With no day given, the day comes from DTSTART: its weekday (WEEKLY), its day of the month
  // (MONTHLY), its month and day (YEARLY).
  if (r.byDay.length === 0 && r.byMonthDay.length === 0) {
    if (r.freq === 'WEEKLY') r.byDay = [{ weekday: weekdayOf(startDay), n: 0 }];
    if (r.freq === 'MONTHLY') r.byMonthDay = [start.day];
    if (r.freq === 'YEARLY') {
      r.byMonthDay = [start.day];
      if (r.byMonth.length === 0) r.byMonth = [start.month];
    }
  }
  const { hour, minute, second } = start;
  return { rule: r, startDay, start, time: { hour, minute, second } };
}

/**
 * How many visited periods in a row can be empty before the rule has none left: the Gregorian
 * calendar (weekdays included) repeats every 400 years = 146097 days = 20871 weeks = 4800
 * months, so a rule that matches nothing in that many visits never matches again.
 */
const CYCLE: Record<Frequency, number> = {
  DAILY: 146_097,
  WEEKLY: 20_871,
  MONTHLY: 4800,
  YEARLY: 400,
};

/** The first and last day of the k-th visited period (k counts intervals from DTSTART's). */
function periodAt(e: Expansion, k: number): { first: number; last: number } {
  const { freq, interval, wkst } = e.rule;
  const { start } = e;
  switch (freq) {
    case 'DAILY': {
      const dn = e.startDay + k * interval;
      return { first: dn, last: dn };
    }
    case 'WEEKLY': {
      // Weeks begin on WKST; it decides which days belong together when INTERVAL > 1.
      const week0 = e.startDay - ((weekdayOf(e.startDay) - wkst + 7) % 7);
      const first = week0 + 7 * interval * k;
      return { first, last: first + 6 };
    }
    case 'MONTHLY': {
      const index = start.year * 12 + start.month - 1 + k * interval;
      const [year, month] = [Math.floor(index / 12), (index % 12) + 1];
      return {
        first: dayNumber(year, month, 1),
        last: dayNumber(year, month, daysInMonth(year, month)),
      };
    }
    case 'YEARLY': {
      const year = start.year + k * interval;
      return { first: dayNumber(year, 1, 1), last: dayNumber(year, 12, 31) };
    }
  }
}

/** The index of the visited period at or before the one holding day `dn` (at least 0). */
function periodIndexAt(e: Expansion, dn: number): number {
  const { freq, interval } = e.rule;
  const { start } = e;
  const target = dateOf(dn);
  const units =
    freq === 'DAILY'
      ? dn - e.startDay
      : freq === 'WEEKLY'
        ? Math.floor((dn - periodAt(e, 0).first) / 7)
        : freq === 'MONTHLY'
          ? (target.year - start.year) * 12 + target.month - start.month
          : target.year - start.year;
  return Math.max(0, Math.floor(units / interval));
}

/** A day as the filters see it. */
interface Day {
  dn: number;
  year: number;
  month: number;
  day: number;
  monthLength: number;
  weekday: number;
}

/**
 * How many calendar days an expansion may examine before it gives up: the walk is what costs
 * (a rule that matches once in 28 years walks 28 years of days per occurrence), so work, not
 * the calendar span, is what a caller is allowed to spend.
 */
interface WalkBudget {
  left: number;
  readonly limit: number;
}
const budgetOf = (days: number): WalkBudget => ({ left: days, limit: days });

/** Enough for any stored series (a 400-year cycle of a daily rule, twice). */
export const STORED_SERIES_WALK_DAYS = 300_000;
/**
 * What one client request may make an expansion walk (≈ 9 ms on this project's 2-core
 * machine): 500 occurrences of any daily, weekly, monthly or BYMONTH-yearly rule fit in it;
 * a rule that matches once in decades does not.
 */
export const CLIENT_WALK_DAYS = 30_000;

const walkedTooFar = (b: WalkBudget): AppError =>
  tooExpensive(
    `the rule is too sparse: its occurrences are more than ${b.limit} calendar days of search ` +
      'apart or away (ask for fewer occurrences, start later, or use a denser rule)',
    'rrule',
  );

/**
 * The days in [first, last] that pass every BYxxx filter. It walks the calendar by hand rather
 * than through Date objects: a rule with no match left is scanned for a whole 400-year cycle.
 * A month that BYMONTH leaves out is stepped over whole (a yearly rule looks at its months only).
 */
function matchingDays(rule: RuleParts, first: number, last: number, budget: WalkBudget): number[] {
  const out: number[] = [];
  const start = dateOf(first);
  const d: Day = {
    dn: first,
    ...start,
    monthLength: daysInMonth(start.year, start.month),
    weekday: weekdayOf(first),
  };
  const skipMonths = rule.byMonth.length > 0;
  while (d.dn <= last) {
    if (--budget.left < 0) throw walkedTooFar(budget);
    let step = 1;
    if (skipMonths && !rule.byMonth.includes(d.month)) step = d.monthLength - d.day + 1;
    else if (matchesDay(rule, d)) out.push(d.dn);
    d.dn += step;
    d.weekday = (d.weekday + step) % 7;
    d.day += step;
    if (d.day > d.monthLength) {
      d.day = 1;
      if (++d.month > 12) [d.month, d.year] = [1, d.year + 1];
      d.monthLength = daysInMonth(d.year, d.month);
    }
  }
  return out;
}

function matchesDay(rule: RuleParts, d: Day): boolean {
  const { freq, byMonth, byMonthDay, byDay } = rule;
  if (byMonth.length > 0 && !byMonth.includes(d.month)) return false;
  if (
    byMonthDay.length > 0 &&
    !byMonthDay.some((md) => (md > 0 ? md : d.monthLength + md + 1) === d.day)
  )
    return false;
  if (byDay.length === 0) return true;
  // Ordinals count within the month (MONTHLY, or YEARLY with BYMONTH), else within the year.
  const inMonth = freq === 'MONTHLY' || byMonth.length > 0;
  const before = inMonth ? d.day - 1 : d.dn - dayNumber(d.year, 1, 1);
  const after = inMonth ? d.monthLength - d.day : dayNumber(d.year, 12, 31) - d.dn;
  return byDay.some(
    (w) =>
      w.weekday === d.weekday &&
      (w.n === 0 || w.n === Math.floor(before / 7) + 1 || w.n === -(Math.floor(after / 7) + 1)),
  );
}

/** BYSETPOS picks from each period's matching days, counted from its start (or end, if < 0). */
function pickPositions(days: number[], positions: number[]): number[] {
  const picked = new Set<number>();
  for (const p of positions) {
    const day = days[p > 0 ? p - 1 : days.length + p];
    if (day !== undefined) picked.add(day);
  }
  return [...picked].sort((a, b) => a - b);
}

/**
 * The rule's occurrence days in order, from the `fromPeriod`-th visited period on, none before
 * DTSTART's day. Ends after `stopDay`, past the year 9999, or once a whole calendar cycle of
 * visits had nothing (the rule has no occurrence left).
 */
function* occurrenceDays(
  e: Expansion,
  fromPeriod: number,
  stopDay: number,
  budget: WalkBudget,
): Generator<number> {
  let emptyRun = 0;
  for (let k = fromPeriod; ; k++) {
    const { first, last } = periodAt(e, k);
    if (first > stopDay || first > LAST_DAY) return;
    let days = matchingDays(e.rule, first, last, budget);
    if (e.rule.bySetPos.length > 0) days = pickPositions(days, e.rule.bySetPos);
    days = days.filter((dn) => dn >= e.startDay);
    if (days.length === 0) {
      if (++emptyRun >= CYCLE[e.rule.freq]) return;
      continue;
    }
    emptyRun = 0;
    yield* days;
  }
}

const localAt = (e: Expansion, dn: number): LocalDateTime => ({ ...dateOf(dn), ...e.time });

// ---------------------------------------------------------------------------------------------
// Occurrences as instants

interface Series {
  e: Expansion;
  timeZone: string;
  exdates: Set<number>;
}

/** The stored rule, read; a stored recurrence was validated, so a bad one is a bug: it throws. */
function readRecurrence(r: Recurrence): { rule: RuleParts; start: LocalDateTime } {
  const start = parseLocalDateTime(r.dtstart);
  if (!start) throw new Error(`recurrence dtstart "${r.dtstart}" is not a local date-time`);
  const parsed = parseRRule(r.rrule, r.timeZone);
  if (!parsed.ok) throw new Error(`recurrence rule "${r.rrule}" is invalid: ${parsed.problem}`);
  return { rule: parsed.rule, start };
}

function seriesOf(r: Recurrence): Series {
  const { rule, start } = readRecurrence(r);
  return {
    e: expansionOf(rule, start),
    timeZone: r.timeZone,
    exdates: new Set(r.exdates.map((x) => Date.parse(x))),
  };
}

const localDayNumber = (instant: Date, timeZone: string): number => {
  const l = toLocal(instant, timeZone);
  return dayNumber(l.year, l.month, l.day);
};

/**
 * The series' occurrence instants in order: COUNT counts the recurrence set before EXDATEs
 * take theirs out (RFC 5545), UNTIL is inclusive. Without COUNT the walk starts near `near`
 * instead of at DTSTART; it stops after the local day of `end`.
 */
function* instants(
  s: Series,
  near: Date | null,
  end: Date | null,
  budget: WalkBudget,
): Generator<Date> {
  const { rule } = s.e;
  // Two days' slack: an occurrence on the local day before `near` can still be after it.
  const fromPeriod =
    near && rule.count === null ? periodIndexAt(s.e, localDayNumber(near, s.timeZone) - 2) : 0;
  const stopAt = [end, rule.until].filter((d): d is Date => d !== null);
  const stopDay = Math.min(...stopAt.map((d) => localDayNumber(d, s.timeZone) + 1), Infinity);
  let produced = 0;
  let previous = -Infinity;
  for (const dn of occurrenceDays(s.e, fromPeriod, stopDay, budget)) {
    const at = fromLocal(localAt(s.e, dn), s.timeZone).getTime();
    // A day the zone skipped entirely (Samoa, 2011-12-30) lands on the next day's instant.
    if (at <= previous) continue;
    previous = at;
    if (rule.until && at > rule.until.getTime()) return;
    if (rule.count !== null && ++produced > rule.count) return;
    if (!s.exdates.has(at)) yield new Date(at);
  }
}

/**
 * Occurrence instants strictly after `after` (or from DTSTART inclusive when after is null), at
 * most `limit`, in order, EXDATEs removed, COUNT/UNTIL respected. TOO_EXPENSIVE once the walk
 * examined more than `walkDays` calendar days.
 */
export function occurrencesAfter(
  r: Recurrence,
  after: Date | null,
  limit: number,
  walkDays = STORED_SERIES_WALK_DAYS,
): Date[] {
  const out: Date[] = [];
  if (limit <= 0) return out;
  for (const at of instants(seriesOf(r), after, null, budgetOf(walkDays))) {
    if (after && at <= after) continue;
    out.push(at);
    if (out.length >= limit) break;
  }
  return out;
}

/** The first occurrence strictly after `after`, or null when the series has ended. */
export function nextOccurrence(
  r: Recurrence,
  after: Date,
  walkDays = STORED_SERIES_WALK_DAYS,
): Date | null {
  return occurrencesAfter(r, after, 1, walkDays)[0] ?? null;
}

/** Occurrences in [from, to), in order, at most limit. */
export function occurrencesBetween(
  r: Recurrence,
  from: Date,
  to: Date,
  limit: number,
  walkDays = STORED_SERIES_WALK_DAYS,
): Date[] {
  const out: Date[] = [];
  if (limit <= 0 || to <= from) return out;
  for (const at of instants(seriesOf(r), from, to, budgetOf(walkDays))) {
    if (at >= to) break;
    if (at < from) continue;
    out.push(at);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * AFTER_COMPLETION (Todoist's "every!"): the rule re-anchored at the completion's local date
 * with DTSTART's time of day; its first occurrence strictly after that new start and strictly
 * after `completedAt`. COUNT is the caller's to count (it knows how many were created); UNTIL
 * still ends the series (null past it).
 */
export function nextAfterCompletion(r: Recurrence, completedAt: Date): Date | null {
  const { rule, start } = readRecurrence(r);
  const done = toLocal(completedAt, r.timeZone);
  const anchor: LocalDateTime = { ...start, year: done.year, month: done.month, day: done.day };
  const reAnchored: Recurrence = {
    ...r,
    rrule: formatRRule({ ...rule, count: null }),
    dtstart: formatLocalDateTime(anchor),
  };
  const anchorAt = fromLocal(anchor, r.timeZone);
  return nextOccurrence(reAnchored, anchorAt > completedAt ? anchorAt : completedAt);
}

/**
 * The rule's occurrences as local date-times, from DTSTART on (COUNT, UNTIL and EXDATEs not
 * applied). For the text parser, which needs the wall-clock DTSTART of a rule, not an instant.
 */
export function* localOccurrences(
  rule: RuleParts,
  dtstart: LocalDateTime,
  walkDays = STORED_SERIES_WALK_DAYS,
): Generator<LocalDateTime> {
  const e = expansionOf(rule, dtstart);
  for (const dn of occurrenceDays(e, 0, Infinity, budgetOf(walkDays))) yield localAt(e, dn);
}

// ---------------------------------------------------------------------------------------------
// Client input

const RRuleField = z
  .string()
  .max(1000, 'rrule must be at most 1000 characters')
  .superRefine((s, ctx) => {
    // UNTIL in a local form is checked again once the zone is known; its syntax is zone-free.
    const parsed = parseRRule(s, 'UTC');
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
  });

const DtstartField = z
  .string()
  .max(40, 'dtstart must be at most 40 characters')
  .transform((s, ctx) => {
    const local = parseLocalDateTime(s);
    if (local) return formatLocalDateTime(local);
    const message = LOCAL_DATE_TIME.test(s)
      ? `dtstart ${quote(s)} is not a real date and time (years 1900–9999)`
      : 'dtstart must be a local date-time YYYY-MM-DDTHH:MM[:SS] without offset';
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });

/**
 * A series' rule from a client: validated, and normalised (canonical RRULE with UNTIL in UTC,
 * DTSTART with seconds, the listed zone name, EXDATEs as sorted UTC instants). Also refused: an
 * UNTIL before DTSTART, and a rule that can never produce an occurrence (Feb 30).
 */
export const RecurrenceInput = z
  .object({
    rrule: RRuleField,
    dtstart: DtstartField,
    timeZone: TimeZone,
    exdates: z.array(InstantText).max(1000, 'at most 1000 exdates').default([]),
  })
  .transform((input, ctx): Recurrence => {
    const parsed = parseRRule(input.rrule, input.timeZone);
    if (!parsed.ok) throw new Error(parsed.problem); // the field check has passed
    const start = parseLocalDateTime(input.dtstart)!;
    const r: Recurrence = {
      rrule: formatRRule(parsed.rule),
      dtstart: input.dtstart,
      timeZone: input.timeZone,
      exdates: [...new Set(input.exdates)].sort(),
    };
    const problem = emptiness(parsed.rule, start, r);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem, path: ['rrule'] });
      return z.NEVER;
    }
    return r;
  });
export type RecurrenceInput = z.input<typeof RecurrenceInput>;

/** Why a valid-looking rule has no occurrence at all, or null. */
function emptiness(rule: RuleParts, start: LocalDateTime, r: Recurrence): string | null {
  const startAt = fromLocal(start, r.timeZone);
  if (rule.until && rule.until < startAt)
    return `UNTIL ${formatUntil(rule.until)} is before dtstart`;
  try {
    const [first] = occurrencesAfter({ ...r, exdates: [] }, null, 1, CLIENT_WALK_DAYS);
    if (!first) return 'the rule never produces an occurrence on or after dtstart';
  } catch (err) {
    if (err instanceof AppError && err.code === ErrorCode.TOO_EXPENSIVE)
      return `the rule has no occurrence within ${CLIENT_WALK_DAYS} days of search from dtstart`;
    throw err;
  }
  return null;
}
