import {
  addLocalDays,
  fromLocal,
  toLocal,
  type LocalDateTime,
} from '../../domain/time/local-date-time.js';

/** Named due ranges a model may ask for; each is read in the user's time zone. */
export const DUE_RANGES = [
  'today',
  'tomorrow',
  'this_week',
  'next_7_days',
  'overdue',
  'no_due_date',
] as const;
export type DueRange = (typeof DUE_RANGES)[number];

/** The part of the task filter a named range stands for. */
export interface DueFilter {
  dueAfter?: Date;
  dueBefore?: Date;
  overdue?: boolean;
  hasDueDate?: boolean;
}

const midnight = (l: LocalDateTime): LocalDateTime => ({ ...l, hour: 0, minute: 0, second: 0 });

/**
 * The instants a named range covers, [dueAfter, dueBefore), from local midnights: "today" is the
 * user's calendar day (23 or 25 hours on a DST change), a week starts on Monday (ISO 8601).
 */
export function dueFilterOf(range: DueRange, now: Date, timeZone: string): DueFilter {
  const today = midnight(toLocal(now, timeZone));
  const at = (days: number): Date => fromLocal(addLocalDays(today, days), timeZone);
  switch (range) {
    case 'today':
      return { dueAfter: at(0), dueBefore: at(1) };
    case 'tomorrow':
      return { dueAfter: at(1), dueBefore: at(2) };
    case 'this_week': {
      const weekday = new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay();
      const monday = -((weekday + 6) % 7);
      return { dueAfter: at(monday), dueBefore: at(monday + 7) };
    }
    case 'next_7_days':
      return { dueAfter: now, dueBefore: at(8) };
    case 'overdue':
      return { overdue: true };
    case 'no_due_date':
      return { hasDueDate: false };
  }
}
