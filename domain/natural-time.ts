import { badInput } from './errors.js';
import { formatWithOffset } from './zoned-time.js';

const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

/** What a date the user wrote resolved to, echoed back so the model can say exactly when. */
export interface ResolvedWhen {
  /** The instant chosen. */
  at: Date;
  /** True when the text named a day and no time ("next Friday", "end of month"). */
  allDay: boolean;
  /** The instant with the zone's offset, e.g. 2026-03-30T17:00:00+02:00. */
  iso: string;
}

/**
 * Resolves a date the user or a model wrote, in `timeZone`, relative to `now`.
 * (First slice: ISO-8601 with an offset only; natural language comes with the date parser.)
 */
export function resolveWhen(
  text: string,
  timeZone: string,
  now: Date,
  path = 'when',
): ResolvedWhen {
  void now;
  const ms = Date.parse(text);
  if (!ISO_INSTANT.test(text) || Number.isNaN(ms))
    throw badInput([{ path, message: 'must be an ISO-8601 date-time with an offset' }]);
  const at = new Date(ms);
  return { at, allDay: false, iso: formatWithOffset(at, timeZone) };
}
