// Recurring series: RFC 5545 RRULEs (the DAILY–YEARLY subset a todo app needs), validated and
// expanded in the series' own time zone. Everything in domain/recurrence/ is pure: no I/O, no
// clock, and never the host time zone. This file holds what a recurrence and its rule are.

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
export const FREQUENCIES: readonly Frequency[] = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'];

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
