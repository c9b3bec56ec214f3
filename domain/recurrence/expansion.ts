// Expansion on the local calendar: which local days a rule matches. Only then does each local
// occurrence become an instant (occurrences.ts, with fromLocal, which applies RFC 5545's DST
// rules). Occurrences are derived from DTSTART every time, never by adding an interval to the
// previous one, so nothing drifts (Jan 31 → Mar 31, not → Feb 28 → Mar 28).
//
// We expand ourselves instead of with the rrule package: rrule loops until the year 9999 when a
// rule has no more matches (58 s for FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30), and we need to bound
// that. The tests compare this expander with rrule's on many random rules.
import { tooExpensive, type AppError } from '../errors.js';
import type { LocalDateTime } from '../time/local-date-time.js';
import {
  dateOf,
  dayNumber,
  daysInMonth,
  LAST_DAY,
  type LocalDate,
  weekdayOf,
} from './local-date.js';
import type { Frequency, RuleParts } from './rule.js';

/** The rule as expanded: DTSTART's day fills in what the rule leaves open (RFC 5545 3.3.10). */
export interface Expansion {
  rule: RuleParts;
  startDay: number;
  start: LocalDate;
  time: { hour: number; minute: number; second: number };
}

/** The rule with what DTSTART fills in made explicit (for describing a FIXED series). */
export function withDtstartDefaults(rule: RuleParts, start: LocalDateTime): RuleParts {
  return expansionOf(rule, start).rule;
}

export function expansionOf(rule: RuleParts, start: LocalDateTime): Expansion {
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
export function periodIndexAt(e: Expansion, dn: number): number {
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
export interface WalkBudget {
  left: number;
  readonly limit: number;
}
export const budgetOf = (days: number): WalkBudget => ({ left: days, limit: days });

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
export function* occurrenceDays(
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

export const localAt = (e: Expansion, dn: number): LocalDateTime => ({ ...dateOf(dn), ...e.time });
