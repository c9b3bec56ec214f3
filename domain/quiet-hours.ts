import { z } from 'zod';
import { addLocalDays, fromLocal, toLocal } from './time/local-date-time.js';

/**
 * A daily window in the user's time zone during which reminders are held back, as minutes
 * since local midnight. `start > end` spans midnight (22:00–07:00). The end is exclusive.
 */
export interface QuietHours {
  startMinute: number;
  endMinute: number;
}

const LocalTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM (00:00–23:59)')
  .transform((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5)));

export const QuietHoursInput = z
  .object({ start: LocalTime, end: LocalTime })
  .refine((q) => q.start !== q.end, {
    message: 'start and end must differ',
    path: ['end'],
  })
  .transform((q): QuietHours => ({ startMinute: q.start, endMinute: q.end }));

export const formatLocalTime = (minute: number): string =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/**
 * When the quiet hours that `at` falls into end, in `timeZone`; null when `at` is outside them.
 * The end is found on the local calendar, so it is the wall-clock end whatever DST did in
 * between (an end time that does not exist that day resolves as RFC 5545 says).
 */
export function quietHoursEnd(at: Date, timeZone: string, quiet: QuietHours): Date | null {
  const local = toLocal(at, timeZone);
  const minute = local.hour * 60 + local.minute;
  const { startMinute: start, endMinute: end } = quiet;
  const spansMidnight = start > end;
  const inside = spansMidnight ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inside) return null;
  // Before midnight in a window that spans it, the window ends tomorrow.
  const endDay = spansMidnight && minute >= start ? addLocalDays(local, 1) : local;
  const endsAt = fromLocal(
    { ...endDay, hour: Math.floor(end / 60), minute: end % 60, second: 0 },
    timeZone,
  );
  // Only when the end falls in a clock change's repeated hour can it read as already past.
  return endsAt > at ? endsAt : null;
}
