import { z } from 'zod';
import { badInput } from '../../domain/errors.js';
import { describeRecurrence } from '../../domain/recurrence/describe.js';
import { CLIENT_WALK_DAYS } from '../../domain/recurrence/expansion.js';
import { RecurrenceInput } from '../../domain/recurrence/input.js';
import { occurrencesAfter } from '../../domain/recurrence/occurrences.js';
import { parseRecurrenceText } from '../../domain/recurrence/parse-text.js';
import { Instant } from '../../domain/time/instant.js';
import { parseInput } from '../../domain/validation.js';
import { formatWithOffset } from '../../domain/time/local-date-time.js';
import { MAX_TIME_ZONE_CHARS, TimeZone } from '../../domain/time/zone.js';

export const MAX_PREVIEW = 500;

export const PreviewRecurrenceArgs = z.object({
  rrule: z.string().max(1000, 'must be at most 1000 characters'),
  dtstart: z.string().max(40, 'must be at most 40 characters'),
  timeZone: z
    .string()
    .max(MAX_TIME_ZONE_CHARS, `must be at most ${MAX_TIME_ZONE_CHARS} characters`),
  after: Instant.nullish(),
  count: z
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(MAX_PREVIEW, `must be at most ${MAX_PREVIEW}`),
});

/**
 * The rule's next `count` occurrences (after `after`, else from DTSTART) as instants with the
 * zone's offset, and the rule in words. Pure: nothing is stored.
 */
export function previewRecurrence(input: unknown) {
  const args = parseInput(PreviewRecurrenceArgs, input, 'input');
  const r = parseInput(
    RecurrenceInput,
    { rrule: args.rrule, dtstart: args.dtstart, timeZone: args.timeZone },
    'input',
  );
  return {
    occurrences: occurrencesAfter(r, args.after ?? null, args.count, CLIENT_WALK_DAYS).map((d) =>
      formatWithOffset(d, r.timeZone),
    ),
    text: describeRecurrence(r, 'FIXED'),
  };
}

/** Longest phrase parseRecurrence reads ("every 2 weeks on Monday and Friday at 9am until …"). */
export const MAX_RECURRENCE_TEXT = 200;

/** Natural language to a rule; BAD_USER_INPUT naming what could not be read. */
export function parseRecurrence(text: string, timeZone: string, now: Date) {
  if (text.length > MAX_RECURRENCE_TEXT)
    throw badInput([
      { path: 'text', message: `must be at most ${MAX_RECURRENCE_TEXT} characters` },
    ]);
  const zone = parseInput(TimeZone, timeZone, 'timeZone');
  const parsed = parseRecurrenceText(text, zone, now);
  if (!parsed.ok) throw badInput([{ path: 'text', message: parsed.problem }]);
  const { rrule, dtstart, mode } = parsed.value;
  return {
    ...parsed.value,
    timeZone: zone,
    text: describeRecurrence({ rrule, dtstart, timeZone: zone, exdates: [] }, mode),
  };
}
