import * as chrono from 'chrono-node';
import { badInput, quote } from './errors.js';
import { parseDurationMs } from './time/duration.js';
import { INSTANT_RANGE_MESSAGE, isInInstantRange } from './time/instant.js';
import { formatWithOffset, fromLocal, offsetMsAt } from './time/local-date-time.js';

// Dates people and models write ("tomorrow at 5pm", "next Friday", "in 2 hours"), read by
// chrono-node in the user's time zone. chrono computes with one fixed UTC offset, which is wrong
// on the far side of a DST change, and some of its arithmetic runs in the host's zone (a weekday
// with a time moved a week on a host in Los Angeles). So chrono is shown the user's wall clock
// as if it were UTC (the reference instant shifted by the zone's offset now, zone 0): only the
// wall-clock components it reads are kept, and the instant is found from them in the IANA zone
// (fromLocal); a span from now ("in 2 hours") is shifted back by the same offset.

/** Longer text is refused before it is parsed: a date needs a few words, not a page. */
export const MAX_WHEN_CHARS = 200;
export const MAX_DURATION_CHARS = 100;

const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

const WHEN_EXAMPLES =
  'e.g. "tomorrow at 5pm", "next Friday", "friday 9:30", "in 2 hours", "end of month" or ' +
  '2026-03-30T17:00:00+02:00';

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
 * "end of week" (chrono has "end of month" only): the coming Sunday, the last day of an ISO
 * week, as find_tasks' this_week ends. The reference is the user's wall clock read as UTC.
 */
const endOfWeek: chrono.Parser = {
  pattern: () => /\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?week\b/i,
  extract: (context) => {
    const wall = context.reference.instant;
    const sunday = new Date(
      Date.UTC(
        wall.getUTCFullYear(),
        wall.getUTCMonth(),
        wall.getUTCDate() + ((7 - wall.getUTCDay()) % 7),
      ),
    );
    return context
      .createParsingComponents({
        year: sunday.getUTCFullYear(),
        month: sunday.getUTCMonth() + 1,
        day: sunday.getUTCDate(),
      })
      .addTag('parser/endOfWeek');
  },
};

const parser = chrono.casual.clone();
parser.parsers.push(endOfWeek);

/**
 * Words that may surround the date without changing what it means ("due tomorrow at 5pm or
 * so"). Any other word left over means chrono read only part of the text ("buy milk tomorrow",
 * "tomorrow or friday") and the answer would be a guess.
 */
const FILLER = new Set([
  'due',
  'by',
  'on',
  'at',
  'around',
  'about',
  'approximately',
  'roughly',
  'or',
  'so',
  'ish',
  'please',
  'the',
  'latest',
]);

/** Parts of the day chrono names with an implied hour ("tonight", "this evening"): a time. */
const TIME_OF_DAY_TAGS = [
  'casualReference/tonight',
  'casualReference/evening',
  'casualReference/morning',
  'casualReference/afternoon',
  'casualReference/noon',
  'casualReference/midnight',
];

const unreadable = (path: string, text: string) =>
  badInput([
    { path, message: `${quote(text)} is not a date Tickler can read; write ${WHEN_EXAMPLES}` },
  ]);

/** The instant an ISO-8601 text names, or undefined for a day that does not exist. */
function isoInstant(text: string): Date | undefined {
  // Date.parse rolls 2027-02-30 over to 2 March; the calendar day must be one that exists.
  const [year, month, day] = text.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  if (date.getUTCMonth() !== month! - 1 || date.getUTCDate() !== day) return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

function checkedRange(at: Date | undefined, path: string, text: string): Date {
  if (!at || Number.isNaN(at.getTime())) throw unreadable(path, text);
  if (!isInInstantRange(at)) throw badInput([{ path, message: INSTANT_RANGE_MESSAGE }]);
  return at;
}

/**
 * Resolves a date the user or a model wrote, in `timeZone`, relative to `now`: ISO-8601 with an
 * offset as is; otherwise natural language (English). A day without a time ("next Friday",
 * "end of month") is all-day, at the local midnight that starts it (the day, as the calendar
 * and find_tasks' ranges read it); a time names that wall-clock time in the zone, DST applied
 * for that day; a span from now ("in 2 hours") is that much real time after `now`. Weekdays
 * look forward ("friday" is the coming one); an explicit past date is kept (tasks can be overdue).
 * Unreadable or partly read text is BAD_USER_INPUT on `path`, with examples.
 */
export function resolveWhen(
  text: string,
  timeZone: string,
  now: Date,
  path = 'when',
): ResolvedWhen {
  if (text.length > MAX_WHEN_CHARS)
    throw badInput([{ path, message: `must be at most ${MAX_WHEN_CHARS} characters` }]);
  const trimmed = text.trim();
  if (ISO_INSTANT.test(trimmed)) {
    const at = checkedRange(isoInstant(trimmed), path, text);
    return { at, allDay: false, iso: formatWithOffset(at, timeZone) };
  }
  const offsetMs = offsetMsAt(now, timeZone);
  const reference = { instant: new Date(now.getTime() + offsetMs), timezone: 0 };
  const results = parser.parse(trimmed, reference, { forwardDate: true });
  const [result] = results;
  if (results.length !== 1 || !result) throw unreadable(path, text);
  const rest = `${trimmed.slice(0, result.index)} ${trimmed.slice(result.index + result.text.length)}`;
  const leftover = rest
    .toLowerCase()
    .split(/[\s,.;:!?()-]+/)
    .filter((word) => word && !FILLER.has(word));
  if (leftover.length > 0) throw unreadable(path, text);

  const start = result.start;
  const tags = result.tags();
  let at: Date;
  let allDay = false;
  if (tags.has('casualReference/now')) {
    at = now;
  } else if (tags.has('result/relativeDateAndTime')) {
    // "in 2 hours": real time from now, whatever the wall clock does meanwhile. chrono adds
    // the span in the host's zone (an hour off across the host's own DST change), so the span
    // is read here when it can be; otherwise chrono's answer, shifted back.
    const span = wordsDurationMs(
      result.text
        .toLowerCase()
        .replace(/^(?:in|within)\s+/, '')
        .replace(/\s+(?:from now|later)$/, ''),
    );
    at = new Date(span === undefined ? start.date().getTime() - offsetMs : now.getTime() + span);
  } else if (start.isCertain('timezoneOffset')) {
    // "5pm PST", ISO-8601 with an offset: the text named its own zone.
    at = start.date();
  } else {
    const timed = start.isCertain('hour') || TIME_OF_DAY_TAGS.some((tag) => tags.has(tag));
    allDay = !timed;
    at = fromLocal(
      {
        year: start.get('year')!,
        month: start.get('month')!,
        day: start.get('day')!,
        hour: timed ? start.get('hour')! : 0,
        minute: timed ? (start.get('minute') ?? 0) : 0,
        second: timed && start.isCertain('second') ? start.get('second')! : 0,
      },
      timeZone,
    );
  }
  checkedRange(at, path, text);
  return { at, allDay, iso: formatWithOffset(at, timeZone) };
}

const DURATION_EXAMPLES = 'e.g. "30 minutes", "an hour", "1h30m", "2 days" or PT1H30M';

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  sec: 1_000,
  secs: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  wk: 604_800_000,
  wks: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

const WORD_AMOUNTS: Record<string, number> = { a: 1, an: 1, one: 1, half: 0.5, 'half an': 0.5 };

/** One "<amount> <unit>" term; terms may be joined by spaces, commas or "and". */
const TERM =
  /(?:(\d+(?:\.\d+)?)\s*|(half an|half a|an|a|one|half)\s+)(seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|wks|wk|w)(?![a-z])/y;
const JOINER = /(?:\s*,\s*|\s+and\s+|\s+)/y;

/** Milliseconds of a length of time in plain words ("1 hour 30 minutes"), or undefined. */
function wordsDurationMs(text: string): number | undefined {
  let ms = 0;
  let pos = 0;
  let terms = 0;
  while (pos < text.length) {
    if (terms > 0) {
      JOINER.lastIndex = pos;
      // "1h30m" needs no joiner.
      if (JOINER.exec(text)) pos = JOINER.lastIndex;
    }
    TERM.lastIndex = pos;
    const m = TERM.exec(text);
    if (!m) return undefined;
    const amount = m[1] ? Number(m[1]) : WORD_AMOUNTS[m[2]!.replace(/ an?$/, ' an')]!;
    ms += amount * UNIT_MS[m[3]!]!;
    pos = TERM.lastIndex;
    terms += 1;
  }
  return terms > 0 ? Math.round(ms) : undefined;
}

/**
 * A length of time ("an hour", "30 minutes", "1h30m", "2 days", or ISO-8601 PT1H30M) in
 * milliseconds; not negative. Months and years are refused: they are not a fixed length.
 * Anything else is BAD_USER_INPUT on `path`, with examples.
 */
export function resolveDuration(text: string, path = 'duration'): number {
  if (text.length > MAX_DURATION_CHARS)
    throw badInput([{ path, message: `must be at most ${MAX_DURATION_CHARS} characters` }]);
  const trimmed = text.trim();
  const normalized = trimmed.toLowerCase().replace(/^(?:for|in)\s+/, '');
  const ms = /^-?P/.test(trimmed) ? parseDurationMs(trimmed) : wordsDurationMs(normalized);
  if (ms === undefined || !Number.isSafeInteger(ms))
    throw badInput([
      { path, message: `${quote(text)} is not a length of time; write ${DURATION_EXAMPLES}` },
    ]);
  if (ms < 0) throw badInput([{ path, message: 'must not be negative' }]);
  return ms;
}

/**
 * An instant for something that fires (a reminder's `at`, a snooze's `until`), where a day
 * alone is not enough: "in 2 days" is a span from now (now + 48 hours, not that day's
 * midnight), and a day without a time ("tomorrow", "next Friday") is refused, naming the field
 * and asking for a time, rather than firing at midnight.
 */
export function resolveInstant(
  text: string,
  timeZone: string,
  now: Date,
  path = 'when',
): ResolvedWhen {
  const when = resolveWhen(text, timeZone, now, path);
  if (!when.allDay) return when;
  const span = /^\s*in\s+(.+?)\s*$/i.exec(text)?.[1];
  if (span !== undefined) {
    const at = new Date(now.getTime() + resolveDuration(span, path));
    return { at, allDay: false, iso: formatWithOffset(at, timeZone) };
  }
  throw badInput([
    {
      path,
      message: `${quote(text)} names a day but no time: say when on that day, e.g. "tomorrow at 9am", or a span, e.g. "in 2 days"`,
    },
  ]);
}
