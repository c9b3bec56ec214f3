// Recurrence rules in English (describe.ts writes them, parse-text.ts reads them): the names
// and ordinals both directions share.
//
// The rrule package has both (toText, fromText), but fromText drops what it does not know
// without a word ("every year on January 27" becomes FREQ=YEARLY;BYMONTH=1), knows no time of
// day, "every!" or "starting", and toText ignores BYSETPOS and writes UNTIL's UTC date, so both
// are written here.
import type { Frequency } from './rule.js';

export const WEEKDAY_NAMES = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
];
export const MONTH_NAMES = [
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
export const UNIT: Record<Frequency, string> = {
  DAILY: 'day',
  WEEKLY: 'week',
  MONTHLY: 'month',
  YEARLY: 'year',
};

export const ordinal = (n: number): string => {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
};

/** 1 → "1st", -1 → "last", -2 → "2nd-to-last". */
export const position = (n: number): string =>
  n > 0 ? ordinal(n) : n === -1 ? 'last' : `${ordinal(-n)}-to-last`;

export const weekdayName = (w: number): string => WEEKDAY_NAMES[w] ?? '?';
export const monthName = (m: number): string => MONTH_NAMES[m - 1] ?? '?';
