// Occurrences as instants: a stored series' expansion mapped into its time zone, with COUNT,
// UNTIL and EXDATEs applied.
import { fromLocal, type LocalDateTime, toLocal } from '../time/local-date-time.js';
import {
  budgetOf,
  type Expansion,
  expansionOf,
  localAt,
  occurrenceDays,
  periodIndexAt,
  STORED_SERIES_WALK_DAYS,
  type WalkBudget,
} from './expansion.js';
import { dayNumber, formatLocalDateTime, parseLocalDateTime } from './local-date.js';
import { formatRRule, parseRRule } from './rrule.js';
import type { Recurrence, RuleParts } from './rule.js';

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
