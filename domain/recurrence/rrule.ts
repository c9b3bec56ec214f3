// Parsing and formatting the RRULE text: every part we do not support is refused by name,
// never ignored.
import { quote } from '../errors.js';
import { fromLocal, type LocalDateTime } from '../time/local-date-time.js';
import { asUtcMs, isRealLocal } from './local-date.js';
import {
  FREQUENCIES,
  type Frequency,
  MAX_COUNT,
  MAX_INTERVAL,
  type RuleParts,
  WEEKDAY_CODES,
  type WeekdayNum,
} from './rule.js';

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
