import type { TaskId, UserId } from '../../domain/ids.js';
import { TaskId as TaskIdSchema } from '../../domain/ids.js';
import { notFound, versionConflict } from '../../domain/errors.js';
import type { EventData, EventType, TicklerEvent } from '../../domain/events.js';
import type { Task } from '../../domain/task.js';
import { appendEvent } from '../../db/outbox.js';
import { findTaskForUpdate } from '../../db/tasks.js';
import type { Db, Sql } from '../../db/sql.js';

/** What every task command needs: the caller, the database and the request's trace. */
export interface CommandContext {
  sql: Sql;
  userId: UserId;
  traceparent?: string | undefined;
}

export const EVENT_SOURCE = 'tickler/api';

/** A malformed id names nothing the caller owns: NOT_FOUND, like another user's task. */
export function parseTaskId(id: string): TaskId {
  const parsed = TaskIdSchema.safeParse(id);
  if (!parsed.success) throw notFound(`task ${id}`);
  return parsed.data;
}

/** Locks the caller's task, checking the optimistic-concurrency version when one is given. */
export async function lockTask(
  tx: Db,
  ctx: CommandContext,
  id: TaskId,
  expectedVersion?: number | null,
): Promise<Task> {
  const task = await findTaskForUpdate(tx, ctx.userId, id);
  if (!task) throw notFound(`task ${id}`);
  if (expectedVersion != null && expectedVersion !== task.version)
    throw versionConflict('task', id, task.version, expectedVersion);
  return task;
}

/**
 * Records a change to `task` (as it is after the change) in the caller's transaction: the
 * event every task command writes, stamped with the caller and the request's trace.
 */
export function recordTaskEvent<T extends EventType>(
  tx: Db,
  ctx: CommandContext,
  task: Task,
  type: T,
  data: EventData<T>,
): Promise<TicklerEvent> {
  return appendEvent(tx, {
    type,
    source: EVENT_SOURCE,
    time: task.updatedAt,
    subject: task.id,
    userId: ctx.userId,
    traceparent: ctx.traceparent,
    data,
  });
}
