import { toTaskSnapshot } from '../../domain/events.js';
import { notFound } from '../../domain/errors.js';
import type { TaskId } from '../../domain/ids.js';
import type { Task } from '../../domain/task.js';
import { addExdate, lockSeriesOfTasks } from '../../db/series.js';
import { transaction, type Db } from '../../db/sql.js';
import { findTasksForUpdate, updateTaskRow } from '../../db/tasks.js';
import type { CommandContext } from '../command.js';
import { recordTaskEvent, parseTaskId } from './task-command.js';

/**
 * Soft-deletes tasks, all or nothing. A deleted task disappears from every query; its history
 * stays in the audit log, and `task.deleted` stops its reminders. Deleting an occurrence of a
 * series excludes its start from the rule (an EXDATE): the series goes on without it.
 */
export async function deleteTasks(ctx: CommandContext, ids: string[]): Promise<TaskId[]> {
  const taskIds = [...new Set(ids.map(parseTaskId))];
  return transaction(ctx.sql, async (tx) => {
    // Series before tasks, as every series command does (db/series.ts: the lock order).
    await lockSeriesOfTasks(tx, ctx.userId, taskIds);
    const tasks = await findTasksForUpdate(tx, ctx.userId, taskIds);
    const found = new Set(tasks.map((t) => t.id as string));
    const missing = taskIds.find((id) => !found.has(id));
    if (missing) throw notFound(`task ${missing}`);
    for (const task of tasks)
      if (task.seriesId && task.occurrenceStart)
        await addExdate(tx, task.seriesId, task.occurrenceStart);
    await deleteLockedTasks(tx, ctx, tasks);
    return taskIds;
  });
}

/** Soft-deletes tasks the caller's transaction has locked, each with its task.deleted event. */
export async function deleteLockedTasks(tx: Db, ctx: CommandContext, tasks: Task[]): Promise<void> {
  for (const task of tasks) {
    const after = await updateTaskRow(tx, task.id, { deletedAt: new Date() });
    await recordTaskEvent(tx, ctx, after, 'task.deleted', { task: toTaskSnapshot(after) });
  }
}
