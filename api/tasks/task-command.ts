import type { TaskId } from '../../domain/ids.js';
import { TaskId as TaskIdSchema } from '../../domain/ids.js';
import {
  EventSource,
  type EventData,
  type EventType,
  type TicklerEvent,
} from '../../domain/events.js';
import type { Task } from '../../domain/task.js';
import { appendEvent, appendEvents } from '../../db/outbox.js';
import { findTaskForUpdate } from '../../db/tasks.js';
import type { Db } from '../../db/sql.js';
import { ownedAtVersion, parseOwnedId, type CommandContext } from '../command.js';

// What the commands on a task (its fields, status and reminders) share on top of the kernel.

export const parseTaskId = (id: string): TaskId => parseOwnedId(TaskIdSchema, 'task', id);

/** Locks the caller's task, checking the optimistic-concurrency version when one is given. */
export async function lockTask(
  tx: Db,
  ctx: CommandContext,
  id: TaskId,
  expectedVersion?: number | null,
): Promise<Task> {
  return ownedAtVersion('task', id, await findTaskForUpdate(tx, ctx.userId, id), expectedVersion);
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
    source: EventSource.api,
    time: task.updatedAt,
    subject: task.id,
    userId: ctx.userId,
    traceparent: ctx.traceparent,
    data,
  });
}

/**
 * The same for several tasks of the caller at once, in order (a batch create); a change may
 * carry its own request's trace when the batch gathers several requests.
 */
export function recordTaskEvents<T extends EventType>(
  tx: Db,
  ctx: CommandContext,
  changes: { task: Task; type: T; data: EventData<T>; traceparent?: string | undefined }[],
): Promise<TicklerEvent[]> {
  return appendEvents(
    tx,
    ctx.userId,
    changes.map((change) => ({
      type: change.type,
      source: EventSource.api,
      time: change.task.updatedAt,
      subject: change.task.id,
      traceparent: 'traceparent' in change ? change.traceparent : ctx.traceparent,
      data: change.data,
    })),
  );
}
