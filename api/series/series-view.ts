import { formatDurationMs } from '../../domain/time/duration.js';
import { describeRecurrence } from '../../domain/recurrence/describe.js';
import { occurrencesAfter, occurrencesBetween } from '../../domain/recurrence/occurrences.js';
import type { Series } from '../../domain/series.js';
import { formatWithOffset } from '../../domain/time/local-date-time.js';
import type { OccurrenceRow } from '../../db/series.js';

export type OccurrenceState = 'OPEN' | 'COMPLETED' | 'DELETED' | 'SKIPPED' | 'MISSED' | 'UPCOMING';

export interface OccurrenceView {
  /** ISO-8601 with the series zone's offset. */
  start: string;
  state: OccurrenceState;
  taskId: string | null;
}

/** A series as the GraphQL `Series` type shows it (occurrences are resolved on demand). */
export function presentSeries(s: Series) {
  return {
    ...s,
    remindBefore: s.remindBeforeMs.map(formatDurationMs),
    rrule: s.recurrence.rrule,
    dtstart: s.recurrence.dtstart,
    timeZone: s.recurrence.timeZone,
    exdates: s.recurrence.exdates,
    text: describeRecurrence(s.recurrence, s.mode),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export type SeriesView = ReturnType<typeof presentSeries>;

// Enough calendar to find the last `past` slots of any supported rule without expanding
// decades of a daily series.
const LOOK_BACK_SLOTS = 5000;

/**
 * A series' occurrences around `now`: the last `past` that started (created ones with their
 * task's state; calendar slots of a FIXED series that were never created are MISSED, excluded
 * ones SKIPPED), and the next `upcoming` (created ones, then the calendar's UPCOMING slots).
 * An AFTER_COMPLETION series has no calendar: only what it created.
 */
export function occurrenceList(
  s: Pick<Series, 'recurrence' | 'mode'>,
  created: OccurrenceRow[],
  now: Date,
  past: number,
  upcoming: number,
): OccurrenceView[] {
  const tz = s.recurrence.timeZone;
  const byStart = new Map(created.map((o) => [o.start.getTime(), o]));
  const view = (at: Date, slot: OccurrenceState): OccurrenceView => {
    const o = byStart.get(at.getTime());
    const state: OccurrenceState = !o
      ? slot
      : o.deleted
        ? 'DELETED'
        : o.open
          ? 'OPEN'
          : 'COMPLETED';
    return { start: formatWithOffset(at, tz), state, taskId: o?.taskId ?? null };
  };
  const starts = new Set(created.map((o) => o.start.getTime()));
  if (s.mode === 'FIXED') {
    const since = new Date(0);
    for (const at of occurrencesBetween(s.recurrence, since, now, LOOK_BACK_SLOTS).slice(-past))
      starts.add(at.getTime());
    for (const d of s.recurrence.exdates) starts.add(Date.parse(d));
    for (const at of occurrencesAfter(s.recurrence, now, upcoming)) starts.add(at.getTime());
  }
  const excluded = new Set(s.recurrence.exdates.map((d) => Date.parse(d)));
  const all = [...starts].sort((a, b) => a - b).map((t) => new Date(t));
  const before = all
    .filter((t) => t <= now)
    .slice(-past)
    .map((t) => view(t, excluded.has(t.getTime()) ? 'SKIPPED' : 'MISSED'));
  const after = all
    .filter((t) => t > now)
    .slice(0, upcoming)
    .map((t) => view(t, excluded.has(t.getTime()) ? 'SKIPPED' : 'UPCOMING'));
  return [...before, ...after];
}

/** The next occurrence still to start: an open created one, or the calendar's next slot. */
export function nextOccurrenceAt(list: OccurrenceView[], now: Date): string | null {
  return (
    list.find(
      (o) => Date.parse(o.start) > now.getTime() && (o.state === 'OPEN' || o.state === 'UPCOMING'),
    )?.start ?? null
  );
}

/**
 * The next occurrence still to start, looking past upcoming slots that were skipped or deleted
 * (right after a skip, the skipped slot is the calendar's first: one slot would show none).
 */
export function nextOccurrenceOf(
  s: Pick<Series, 'recurrence' | 'mode'>,
  created: OccurrenceRow[],
  now: Date,
): string | null {
  const passed =
    created.filter((o) => o.deleted && o.start > now).length +
    s.recurrence.exdates.filter((d) => Date.parse(d) > now.getTime()).length;
  return nextOccurrenceAt(occurrenceList(s, created, now, 0, 1 + passed), now);
}
