import { notFound } from '../../domain/errors.js';
import { TaskId } from '../../domain/ids.js';
import { occurrencesAfter } from '../../domain/recurrence/occurrences.js';
import { formatRRule, parseRRule } from '../../domain/recurrence/rrule.js';
import type { Recurrence } from '../../domain/recurrence/rule.js';
import type { Series, SeriesId } from '../../domain/series.js';
import { findSeries } from '../../db/series.js';
import { transaction } from '../../db/sql.js';
import { findTask, findTasksForUpdate } from '../../db/tasks.js';
import type { CommandContext } from '../command.js';
import { deleteTasks } from '../tasks/delete-task.js';
import { editLocked, removeOpenFrom, stopLocked } from './change-series.js';
import { lockSeries } from './series-command.js';

/** Which occurrences a deletion reaches, as calendars ask. */
export type OccurrenceScope = 'THIS' | 'THIS_AND_FOLLOWING' | 'ALL';

/** The rule cut to end one second before `start` (COUNT gives way to UNTIL: RFC 5545 allows one). */
function endingBefore(r: Recurrence, start: Date): string {
  const parsed = parseRRule(r.rrule, r.timeZone);
  if (!parsed.ok) throw new Error(parsed.problem); // a stored rule was validated
  const cut = new Date(start.getTime() - 1000);
  const until = parsed.rule.until && parsed.rule.until < cut ? parsed.rule.until : cut;
  return formatRRule({ ...parsed.rule, count: null, until });
}

/**
 * Deletes an occurrence (its task id) with a scope. THIS: that one only, as an EXDATE (the
 * series goes on; the same as deleting the task). THIS_AND_FOLLOWING: the series ends before it
 * (an UNTIL, through the same edit as updateSeries), and its open occurrences from this one on
 * are removed; when no occurrence of the rule comes before it, the series is stopped instead.
 * ALL: the series stops and every open occurrence is removed. Completed occurrences always stay
 * as history. Another user's task, or a task of no series, is NOT_FOUND.
 */
export async function deleteOccurrence(
  ctx: CommandContext,
  taskId: string,
  scope: OccurrenceScope,
): Promise<Series> {
  const id = TaskId.safeParse(taskId);
  const task = id.success ? await findTask(ctx.sql, ctx.userId, id.data) : undefined;
  if (!task?.seriesId || !task.occurrenceStart) throw notFound(`occurrence ${taskId}`);
  const seriesId = task.seriesId as SeriesId;
  if (scope === 'THIS') {
    await deleteTasks(ctx, [task.id]);
    return (await findSeries(ctx.sql, ctx.userId, seriesId))!;
  }
  const start = task.occurrenceStart;
  return transaction(ctx.sql, async (tx) => {
    // Series before tasks (db/series.ts: the lock order); the task may have gone meanwhile.
    const before = await lockSeries(tx, ctx, seriesId);
    if ((await findTasksForUpdate(tx, ctx.userId, [task.id])).length === 0)
      throw notFound(`occurrence ${taskId}`);
    if (scope === 'ALL') return stopLocked(tx, ctx, before, new Date(0));
    if (before.state === 'STOPPED' || before.state === 'ENDED') {
      // Nothing more will be created: only what exists from here on goes.
      await removeOpenFrom(tx, ctx, before, start);
      return before;
    }
    const [first] = occurrencesAfter({ ...before.recurrence, exdates: [] }, null, 1);
    if (!first || first >= start) return stopLocked(tx, ctx, before, start);
    return editLocked(tx, ctx, before, { rrule: endingBefore(before.recurrence, start) }, start);
  });
}
