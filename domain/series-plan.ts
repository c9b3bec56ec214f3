import { nextAfterCompletion, nextOccurrence, occurrencesAfter } from './recurrence/occurrences.js';
import { parseRRule } from './recurrence/rrule.js';
import type { Recurrence } from './recurrence/rule.js';
import type { Series } from './series.js';

/** An occurrence the series has created (its task), as the planner needs to see it. */
export interface CreatedOccurrence {
  start: Date;
  open: boolean;
  deleted: boolean;
  /** When it was completed (or deleted): AFTER_COMPLETION counts from here. */
  closedAt: Date | null;
}

/**
 * What the series workflow does next: `create` the occurrence starting at `start`; `sleep`
 * until `until` (or a signal); `wait` for a signal (paused, or too many open occurrences);
 * `done`: the series is stopped or has no occurrence left.
 */
export type SeriesPlan =
  | { kind: 'create'; start: Date }
  | { kind: 'sleep'; until: Date }
  | { kind: 'wait'; reason: string }
  | { kind: 'done'; reason: 'stopped' | 'ended' };

/**
 * An occurrence whose time passed longer ago than this (the system was down, or the series
 * paused) is not created: the series goes on with the next one, never with a burst.
 */
export const CATCH_UP_GRACE_MS = 3_600_000;

/** The rule's COUNT (the series' rule was validated when it was stored). */
const ruleCount = (r: Recurrence): number | null => {
  const parsed = parseRRule(r.rrule, r.timeZone);
  return parsed.ok ? parsed.rule.count : null;
};

/**
 * Decides a series' next step from the database's view of it: the rule, its state and the
 * occurrences created so far (oldest first). Pure, so the workflow's behaviour is testable
 * without Temporal, and the same facts always give the same answer (a redelivered signal or a
 * retried activity plans the same occurrence, which the unique key then refuses to duplicate).
 *
 * FIXED: an occurrence is created when its start arrives, or at once when the latest one is
 * completed or deleted ("completing creates the next"), or ahead of time to keep
 * `materializeAhead` future ones; while `maxOpen` past occurrences are open nothing more is
 * created until one is closed. AFTER_COMPLETION: one open occurrence at a time; the next is
 * computed from the completion time.
 */
export function decideSeriesStep(
  series: Pick<
    Series,
    'recurrence' | 'mode' | 'state' | 'maxOpen' | 'materializeAhead' | 'notBefore'
  >,
  created: CreatedOccurrence[],
  now: Date,
): SeriesPlan {
  if (series.state === 'STOPPED') return { kind: 'done', reason: 'stopped' };
  if (series.state === 'ENDED') return { kind: 'done', reason: 'ended' };
  if (series.state === 'PAUSED') return { kind: 'wait', reason: 'paused' };
  const r = series.recurrence;
  // The series goes on after the latest occurrence it created, counting one the user deleted
  // (an EXDATE) but not one an edit of the rule removed (the new rule never made it).
  const excluded = new Set(r.exdates.map((d) => Date.parse(d)));
  const counted = created.filter((o) => !o.deleted || excluded.has(o.start.getTime()));
  const latest = counted.at(-1);
  const open = created.filter((o) => o.open && !o.deleted);
  const notBefore = new Date(
    Math.max(now.getTime() - CATCH_UP_GRACE_MS, series.notBefore?.getTime() ?? -Infinity),
  );
  // Never plan a start the series already has a task for (in whatever state, e.g. one an
  // earlier rule created and a later edit removed): its creation would be refused as a
  // duplicate and the workflow would plan the same start again, forever.
  const taken = new Set(created.map((o) => o.start.getTime()));
  const after = latest?.start ?? new Date(-8.64e15);
  const fresh = (d: Date | null, step: (from: Date) => Date | null): Date | null => {
    let at = d;
    for (let i = 0; at && (taken.has(at.getTime()) || at <= after) && i < 1000; i++) at = step(at);
    return at;
  };

  if (series.mode === 'AFTER_COMPLETION') {
    if (open.length > 0) return { kind: 'wait', reason: 'an occurrence is open' };
    const count = ruleCount(r);
    if (count !== null && created.filter((o) => !o.deleted).length >= count)
      return { kind: 'done', reason: 'ended' };
    let next = latest ? nextAfterCompletion(r, latest.closedAt ?? now) : firstFrom(r, notBefore);
    // Resumed long after the last completion: count from now, not from then.
    if (next && next < notBefore) next = nextAfterCompletion(r, now);
    // Completed before its own start: the next one still comes after it.
    next = fresh(next, (d) => nextAfterCompletion(r, d));
    return next ? { kind: 'create', start: next } : { kind: 'done', reason: 'ended' };
  }

  // FIXED: the calendar's next slot after the latest created one, skipping slots long past.
  let next = latest ? nextOccurrence(r, latest.start) : firstFrom(r, notBefore);
  if (next && next < notBefore) next = nextOccurrence(r, new Date(notBefore.getTime() - 1));
  next = fresh(next, (d) => nextOccurrence(r, d));
  if (!next) return { kind: 'done', reason: 'ended' };
  const overdueOpen = open.filter((o) => o.start <= now).length;
  const future = created.filter((o) => !o.deleted && o.start > now).length;
  const latestClosed = !latest || latest.deleted || !latest.open;
  if (next <= now) {
    // Neglected: past occurrences pile up only to maxOpen; the rest are never created.
    if (overdueOpen >= series.maxOpen)
      return { kind: 'wait', reason: `${overdueOpen} past occurrences are open` };
    return { kind: 'create', start: next };
  }
  if (latestClosed || future < series.materializeAhead) return { kind: 'create', start: next };
  return { kind: 'sleep', until: next };
}

/** The first occurrence at or after `from`. */
function firstFrom(r: Series['recurrence'], from: Date): Date | null {
  const [first] = occurrencesAfter(r, null, 1);
  if (first && first >= from) return first;
  return nextOccurrence(r, new Date(from.getTime() - 1));
}
