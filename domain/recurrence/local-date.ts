// Local dates and date-times on the series' calendar: wall-clock dates with no zone, as day
// numbers built with Date.UTC (so the host time zone never enters).
import type { LocalDateTime } from '../time/local-date-time.js';

const DAY_MS = 86_400_000;

export const asUtcMs = (l: LocalDateTime): number =>
  Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);

/** Days since 1970-01-01 of a local date; years are ≥ 1900, so Date.UTC's 0–99 quirk is moot. */
export const dayNumber = (year: number, month: number, day: number): number =>
  Date.UTC(year, month - 1, day) / DAY_MS;

/** Like rrule (and RFC 5545's 4-digit years), nothing after 9999-12-31. */
export const LAST_DAY = dayNumber(9999, 12, 31);

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export function dateOf(dn: number): LocalDate {
  const d = new Date(dn * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Monday. 1970-01-01, day 0, was a Thursday. */
export const weekdayOf = (dn: number): number => (((dn + 3) % 7) + 7) % 7;

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export const daysInMonth = (year: number, month: number): number =>
  month === 2 && isLeapYear(year) ? 29 : (MONTH_LENGTHS[month - 1] ?? 0);

export function isRealLocal(l: LocalDateTime): boolean {
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

export const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

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
