// Sentence → rule, the result: the grammar's draft resolved into a rule with a DTSTART in the
// user's time zone (parseRecurrenceText, the entry point).
import { quote } from '../errors.js';
import { addLocalDays, fromLocal, type LocalDateTime, toLocal } from '../time/local-date-time.js';
import { canonicalTimeZone } from '../time/zone.js';
import { CLIENT_WALK_DAYS } from './expansion.js';
import { RecurrenceInput } from './input.js';
import { formatLocalDateTime, parseLocalDateTime } from './local-date.js';
import { localOccurrences } from './occurrences.js';
import { formatRRule } from './rrule.js';
import type { Frequency, RecurrenceMode, RuleParts } from './rule.js';
import { type DateWords, type Draft, readDraft } from './text-grammar.js';
import { tokenize } from './text-tokens.js';

export interface ParsedRecurrence {
  rrule: string;
  dtstart: string;
  mode: RecurrenceMode;
}

export type ParseResult = { ok: true; value: ParsedRecurrence } | { ok: false; problem: string };

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
