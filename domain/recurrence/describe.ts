// Rule → sentence: a recurrence in English, for lists and confirmations.
import { type LocalDateTime, toLocal } from '../time/local-date-time.js';
import { withDtstartDefaults } from './expansion.js';
import { parseLocalDateTime } from './local-date.js';
import { parseRRule } from './rrule.js';
import type { Recurrence, RecurrenceMode, RuleParts, WeekdayNum } from './rule.js';
import { monthName, ordinal, position, UNIT, weekdayName } from './words.js';

const joinWith = (items: string[], word: string): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)}`;
const and = (items: string[]): string => joinWith(items, 'and');
const or = (items: string[]): string => joinWith(items, 'or');
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
