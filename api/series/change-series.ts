import { badInput } from '../../domain/errors.js';
import { toSeriesSnapshot, type SeriesChangeKind } from '../../domain/events.js';
import { RecurrenceInput } from '../../domain/recurrence/input.js';
import { nextOccurrence } from '../../domain/recurrence/occurrences.js';
import type { Recurrence } from '../../domain/recurrence/rule.js';
import type { Series, UpdateSeriesInput } from '../../domain/series.js';
import type { TaskEdits } from '../../domain/task.js';
import { parseInput } from '../../domain/validation.js';
import { openOccurrencesFrom, updateSeries, type SeriesChange } from '../../db/series.js';
import { transaction, type Db } from '../../db/sql.js';
import { findTasksForUpdate } from '../../db/tasks.js';
import type { CommandContext } from '../command.js';
import { deleteLockedTasks } from '../tasks/delete-task.js';
import { applyEdits } from '../tasks/update-task.js';
import { lockSeries, recordSeriesEvent } from './series-command.js';

const produces = (r: Recurrence, start: Date): boolean =>
  nextOccurrence(r, new Date(start.getTime() - 1))?.getTime() === start.getTime();

/** Writes the change with its series.updated event (before and after of each changed field). */
async function commit(
  tx: Db,
  ctx: CommandContext,
  before: Series,
  change: SeriesChange,
  kind: SeriesChangeKind,
): Promise<Series> {
  const after = await updateSeries(tx, before.id, change);
  const was = toSeriesSnapshot(before) as Record<string, unknown>;
  const now = toSeriesSnapshot(after) as Record<string, unknown>;
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  for (const key of Object.keys(now))
    if (key !== 'version' && JSON.stringify(was[key]) !== JSON.stringify(now[key]))
      changes[key] = { before: was[key], after: now[key] };
  await recordSeriesEvent(tx, ctx, after, 'series.updated', {
    series: toSeriesSnapshot(after),
    change: kind,
    changes,
  });
  return after;
}

/**
 * Edits this and future occurrences: the series' template and rule change for every occurrence
 * created from now on; open occurrences that have not started yet take the template's new
 * title, description, priority and tags, and those the new rule no longer produces are removed
 * (the series creates the new rule's instead). Past and completed occurrences stay as they were.
 */
export async function editSeries(ctx: CommandContext, input: UpdateSeriesInput): Promise<Series> {
  return transaction(ctx.sql, async (tx) => {
    const before = await lockSeries(tx, ctx, input.id, input.expectedVersion);
    return editLocked(tx, ctx, before, input, new Date());
  });
}

/**
 * editSeries on a series the caller's transaction has locked; the open occurrences it reaches
 * are those starting at or after `from` (now, for an edit; an occurrence's start when the
 * series ends before it: see deleteOccurrence).
 */
export async function editLocked(
  tx: Db,
  ctx: CommandContext,
  before: Series,
  input: Omit<UpdateSeriesInput, 'id' | 'expectedVersion'>,
  from: Date,
): Promise<Series> {
  if (before.state === 'STOPPED') throw stopped();
  const ruleChanged =
    input.rrule !== undefined || input.dtstart !== undefined || input.timeZone !== undefined;
  const recurrence = ruleChanged
    ? parseInput(
        RecurrenceInput,
        {
          rrule: input.rrule ?? before.recurrence.rrule,
          dtstart: input.dtstart ?? before.recurrence.dtstart,
          timeZone: input.timeZone ?? before.recurrence.timeZone,
          exdates: before.recurrence.exdates,
        },
        'input',
      )
    : undefined;
  const change: SeriesChange = {
    title: input.title,
    description: input.description === undefined ? undefined : (input.description ?? ''),
    priority: input.priority,
    tags: input.tags === undefined ? undefined : (input.tags ?? []),
    remindBeforeMs: input.remindBefore === undefined ? undefined : (input.remindBefore ?? []),
    ...(recurrence && {
      rrule: recurrence.rrule,
      dtstart: recurrence.dtstart,
      timeZone: recurrence.timeZone,
    }),
    mode: input.mode,
    maxOpen: input.maxOpen,
    materializeAhead: input.materializeAhead,
    // An ended series whose rule now goes on is active again.
    ...(before.state === 'ENDED' && { state: 'ACTIVE' as const }),
  };
  const after = await commit(tx, ctx, before, change, 'EDITED');

  const upcoming = await findTasksForUpdate(
    tx,
    ctx.userId,
    await openOccurrencesFrom(tx, before.id, from),
  );
  const gone = upcoming.filter((t) => !produces(after.recurrence, t.occurrenceStart!));
  await deleteLockedTasks(tx, ctx, gone);
  const edits: TaskEdits = {};
  if (input.title !== undefined) edits.title = after.title;
  if (input.description !== undefined) edits.description = after.description;
  if (input.priority !== undefined) edits.priority = after.priority;
  if (input.tags !== undefined) edits.tags = after.tags;
  for (const task of upcoming.filter((t) => !gone.includes(t)))
    await applyEdits(tx, ctx, task, edits);
  return after;
}

const stopped = () =>
  badInput([{ path: 'id', message: 'the series is stopped; create a new one instead' }]);

export async function pauseSeries(ctx: CommandContext, id: string): Promise<Series> {
  return transaction(ctx.sql, async (tx) => {
    const before = await lockSeries(tx, ctx, id);
    if (before.state !== 'ACTIVE') return before;
    return commit(tx, ctx, before, { state: 'PAUSED' }, 'PAUSED');
  });
}

/** Resumes with the next occurrence that starts from now on: none of those missed meanwhile. */
export async function resumeSeries(ctx: CommandContext, id: string): Promise<Series> {
  return transaction(ctx.sql, async (tx) => {
    const before = await lockSeries(tx, ctx, id);
    if (before.state !== 'PAUSED') return before;
    return commit(tx, ctx, before, { state: 'ACTIVE', notBefore: new Date() }, 'RESUMED');
  });
}

/**
 * Skips the next occurrence: the earliest one not started yet, whether already created (its
 * task is removed) or still to come. It becomes an EXDATE; the series goes on after it.
 */
export async function skipNextOccurrence(ctx: CommandContext, id: string): Promise<Series> {
  return transaction(ctx.sql, async (tx) => {
    const before = await lockSeries(tx, ctx, id);
    if (before.state === 'STOPPED' || before.state === 'ENDED') throw stopped();
    const now = new Date();
    const [created] = await findTasksForUpdate(
      tx,
      ctx.userId,
      (await openOccurrencesFrom(tx, before.id, now)).slice(0, 1),
    );
    const start = created?.occurrenceStart ?? nextOccurrence(before.recurrence, now);
    if (!start) throw badInput([{ path: 'id', message: 'the series has no next occurrence' }]);
    if (created) await deleteLockedTasks(tx, ctx, [created]);
    const exdates = [...before.recurrence.exdates, start.toISOString()];
    return commit(tx, ctx, before, { exdates }, 'SKIPPED');
  });
}

/**
 * Stops the series for good: no further occurrences; those created that have not started yet
 * are removed; open ones already due stay, as ordinary tasks the user can still complete.
 */
export async function stopSeries(ctx: CommandContext, id: string): Promise<Series> {
  return transaction(ctx.sql, async (tx) => {
    const before = await lockSeries(tx, ctx, id);
    return stopLocked(tx, ctx, before, new Date());
  });
}

/**
 * stopSeries on a series the caller's transaction has locked; its open occurrences starting at
 * or after `from` are removed (from now: the upcoming ones; from the epoch: every open one).
 * A series already stopped only has those removed.
 */
export async function stopLocked(
  tx: Db,
  ctx: CommandContext,
  before: Series,
  from: Date,
): Promise<Series> {
  await removeOpenFrom(tx, ctx, before, from);
  if (before.state === 'STOPPED') return before;
  return commit(tx, ctx, before, { state: 'STOPPED' }, 'STOPPED');
}

/**
 * Removes the locked series' open occurrences starting at or after `from` (their task.deleted
 * events tell the workflow). No EXDATE: the series does not create them again because it is
 * stopped or its rule ends before them, not because they were excluded one by one.
 */
export async function removeOpenFrom(
  tx: Db,
  ctx: CommandContext,
  series: Series,
  from: Date,
): Promise<void> {
  const open = await findTasksForUpdate(
    tx,
    ctx.userId,
    await openOccurrencesFrom(tx, series.id, from),
  );
  await deleteLockedTasks(tx, ctx, open);
}
