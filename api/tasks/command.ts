import type { TaskId, UserId } from '../../domain/ids.js';
import { TaskId as TaskIdSchema } from '../../domain/ids.js';
import { notFound, versionConflict } from '../../domain/errors.js';
import {
  EventSource,
  type EventData,
  type EventType,
  type TicklerEvent,
} from '../../domain/events.js';
import type { Task } from '../../domain/task.js';
import { appendEvent, appendEvents } from '../../db/outbox.js';
import { findTaskForUpdate } from '../../db/tasks.js';
import type { Db, Sql } from '../../db/sql.js';
import type { z } from 'zod';
import { DEFAULT_QUOTAS, type Quotas } from '../quotas.js';

/** What every task command needs: the caller, the database and the request's trace. */
export interface CommandContext {
  sql: Sql;
  userId: UserId;
  traceparent?: string | undefined;
  /** The deployment's per-user limits; DEFAULT_QUOTAS when not given. */
  quotas?: Quotas | undefined;
  /** The clock a dueText ("tomorrow", "in 2 hours") is read against; the real one if absent. */
  now?: (() => Date) | undefined;
}

export const quotasOf = (ctx: CommandContext): Quotas => ctx.quotas ?? DEFAULT_QUOTAS;
export const nowOf = (ctx: CommandContext): Date => (ctx.now ? ctx.now() : new Date());

/** A malformed id names nothing the caller owns: NOT_FOUND, like another user's `kind`. */
export function parseOwnedId<S extends z.ZodType>(
  schema: S,
  kind: string,
  id: string,
): z.output<S> {
  const parsed = schema.safeParse(id);
  if (!parsed.success) throw notFound(`${kind} ${id}`);
  return parsed.data;
}

/** What a lock found: NOT_FOUND when nothing, CONFLICT when not at the expected version. */
export function ownedAtVersion<T extends { version: number }>(
  kind: string,
  id: string,
  found: T | undefined,
  expectedVersion?: number | null,
): T {
  if (!found) throw notFound(`${kind} ${id}`);
  if (expectedVersion != null && expectedVersion !== found.version)
    throw versionConflict(kind, id, found.version, expectedVersion);
  return found;
}

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

/** The same for several tasks of the caller at once, in order (a batch create). */
export function recordTaskEvents<T extends EventType>(
  tx: Db,
  ctx: CommandContext,
  changes: { task: Task; type: T; data: EventData<T> }[],
): Promise<TicklerEvent[]> {
  return appendEvents(
    tx,
    ctx.userId,
    changes.map(({ task, type, data }) => ({
      type,
      source: EventSource.api,
      time: task.updatedAt,
      subject: task.id,
      traceparent: ctx.traceparent,
      data,
    })),
  );
}
