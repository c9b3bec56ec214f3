// Client input: a recurrence as a client sends it, validated (the zone and the EXDATEs as
// domain/time/ says, DTSTART and the rule here) and refused when it would never occur.
import { z } from 'zod';
import { AppError, ErrorCode, quote } from '../errors.js';
import { InstantText } from '../time/instant.js';
import { fromLocal, type LocalDateTime } from '../time/local-date-time.js';
import { TimeZone } from '../time/zone.js';
import { CLIENT_WALK_DAYS } from './expansion.js';
import { formatLocalDateTime, LOCAL_DATE_TIME, parseLocalDateTime } from './local-date.js';
import { occurrencesAfter } from './occurrences.js';
import { formatRRule, formatUntil, parseRRule } from './rrule.js';
import type { Recurrence, RuleParts } from './rule.js';

const RRuleField = z
  .string()
  .max(1000, 'rrule must be at most 1000 characters')
  .superRefine((s, ctx) => {
    // UNTIL in a local form is checked again once the zone is known; its syntax is zone-free.
    const parsed = parseRRule(s, 'UTC');
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
  });

const DtstartField = z
  .string()
  .max(40, 'dtstart must be at most 40 characters')
  .transform((s, ctx) => {
    const local = parseLocalDateTime(s);
    if (local) return formatLocalDateTime(local);
    const message = LOCAL_DATE_TIME.test(s)
      ? `dtstart ${quote(s)} is not a real date and time (years 1900–9999)`
      : 'dtstart must be a local date-time YYYY-MM-DDTHH:MM[:SS] without offset';
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });

/**
 * A series' rule from a client: validated, and normalised (canonical RRULE with UNTIL in UTC,
 * DTSTART with seconds, the listed zone name, EXDATEs as sorted UTC instants). Also refused: an
 * UNTIL before DTSTART, and a rule that can never produce an occurrence (Feb 30).
 */
export const RecurrenceInput = z
  .object({
    rrule: RRuleField,
    dtstart: DtstartField,
    timeZone: TimeZone,
    exdates: z.array(InstantText).max(1000, 'at most 1000 exdates').default([]),
  })
  .transform((input, ctx): Recurrence => {
    const parsed = parseRRule(input.rrule, input.timeZone);
    if (!parsed.ok) throw new Error(parsed.problem); // the field check has passed
    const start = parseLocalDateTime(input.dtstart)!;
    const r: Recurrence = {
      rrule: formatRRule(parsed.rule),
      dtstart: input.dtstart,
      timeZone: input.timeZone,
      exdates: [...new Set(input.exdates)].sort(),
    };
    const problem = emptiness(parsed.rule, start, r);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem, path: ['rrule'] });
      return z.NEVER;
    }
    return r;
  });
export type RecurrenceInput = z.input<typeof RecurrenceInput>;

/** Why a valid-looking rule has no occurrence at all, or null. */
function emptiness(rule: RuleParts, start: LocalDateTime, r: Recurrence): string | null {
  const startAt = fromLocal(start, r.timeZone);
  if (rule.until && rule.until < startAt)
    return `UNTIL ${formatUntil(rule.until)} is before dtstart`;
  try {
    const [first] = occurrencesAfter({ ...r, exdates: [] }, null, 1, CLIENT_WALK_DAYS);
    if (!first) return 'the rule never produces an occurrence on or after dtstart';
  } catch (err) {
    if (err instanceof AppError && err.code === ErrorCode.TOO_EXPENSIVE)
      return `the rule has no occurrence within ${CLIENT_WALK_DAYS} days of search from dtstart`;
    throw err;
  }
  return null;
}
