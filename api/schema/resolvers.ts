import { badInput } from '../../domain/errors.js';
import { HistoryArgs } from '../../domain/history.js';
import { TaskId } from '../../domain/ids.js';
import { TasksArgs } from '../../domain/task-query.js';
import { ReminderInput, SnoozeInput, type Delivery } from '../../domain/reminder.js';
import { CreateTaskInput, IdempotencyKey, UpdateTaskInput, type Task } from '../../domain/task.js';
import { RotateWebhookSecretArgs, UpdateSettingsInput } from '../../domain/user.js';
import { parseInput } from '../../domain/validation.js';
import { deliveriesOf } from '../../db/reminders.js';
import { findTask, tagCounts } from '../../db/tasks.js';
import { historyConnection } from '../history.js';
import {
  listNotificationConnection,
  markNotificationsRead,
  NotificationsArgs,
} from '../notifications.js';
import { nextReminderAt, presentReminder } from '../reminders-view.js';
import {
  addReminder,
  dismissReminder,
  removeReminder,
  snoozeReminder,
} from '../tasks/reminders.js';
import type { ApiContext } from '../context.js';
import { readSettings, rotateWebhookSecret, updateSettings } from '../settings.js';
import { createTask } from '../tasks/create-task.js';
import { deleteTasks } from '../tasks/delete-task.js';
import { listTaskConnection, type TaskConnection } from '../tasks/list-tasks.js';
import { MAX_BATCH, setStatus } from '../tasks/set-status.js';
import { updateTask } from '../tasks/update-task.js';
import { seriesResolvers } from './series-resolvers.js';

// Resolvers only parse arguments (zod, so errors name the field path) and call a command or a
// query; the rules live in api/tasks/ and the SQL in db/.

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

function batchIds(ids: string[]): string[] {
  if (ids.length === 0 || ids.length > MAX_BATCH) {
    throw badInput([{ path: 'ids', message: `must list 1 to ${MAX_BATCH} ids` }]);
  }
  return ids;
}

// `reminders` and `nextReminderAt` both need a task's deliveries: read them once per task
// object (one per request), not once per field.
const deliveriesCache = new WeakMap<Task, Promise<Delivery[]>>();
function deliveriesFor(ctx: ApiContext, task: Task): Promise<Delivery[]> {
  let cached = deliveriesCache.get(task);
  if (!cached) deliveriesCache.set(task, (cached = deliveriesOf(ctx.sql, [task.id])));
  return cached;
}

type Args<T> = (_: unknown, args: T, ctx: ApiContext) => unknown;
const command = (ctx: ApiContext) => ({
  sql: ctx.sql,
  userId: ctx.userId,
  traceparent: ctx.traceparent,
  quotas: ctx.quotas,
  now: ctx.now,
});

export const resolvers = {
  Query: {
    me: ((_, __, ctx) => ({ id: ctx.userId })) satisfies Args<unknown>,
    task: (async (_, args, ctx) => {
      const id = TaskId.safeParse(args.id);
      return id.success ? ((await findTask(ctx.sql, ctx.userId, id.data)) ?? null) : null;
    }) satisfies Args<{ id: string }>,
    tasks: ((_, args, ctx) =>
      listTaskConnection(
        ctx.sql,
        ctx.userId,
        parseInput(TasksArgs, args, ''),
      )) satisfies Args<unknown>,
    tags: ((_, __, ctx) => tagCounts(ctx.sql, ctx.userId)) satisfies Args<unknown>,
    notifications: ((_, args, ctx) =>
      listNotificationConnection(
        ctx.sql,
        ctx.userId,
        parseInput(NotificationsArgs, args, ''),
      )) satisfies Args<unknown>,
    history: ((_, args, ctx) =>
      historyConnection(ctx, parseInput(HistoryArgs, args, ''))) satisfies Args<unknown>,
    ...seriesResolvers.Query,
  },
  Mutation: {
    createTask: ((_, args, ctx) =>
      createTask(command(ctx), parseInput(CreateTaskInput, args.input, 'input'))) satisfies Args<{
      input: unknown;
    }>,
    updateTask: ((_, args, ctx) =>
      updateTask(command(ctx), parseInput(UpdateTaskInput, args.input, 'input'))) satisfies Args<{
      input: unknown;
    }>,
    completeTask: (async (_, args, ctx) =>
      (await setStatus(command(ctx), [args.id], 'COMPLETED'))[0]) satisfies Args<{ id: string }>,
    reopenTask: (async (_, args, ctx) =>
      (await setStatus(command(ctx), [args.id], 'OPEN'))[0]) satisfies Args<{ id: string }>,
    deleteTask: (async (_, args, ctx) => ({
      deletedIds: await deleteTasks(command(ctx), [args.id]),
    })) satisfies Args<{ id: string }>,
    completeTasks: ((_, args, ctx) =>
      setStatus(command(ctx), batchIds(args.ids), 'COMPLETED')) satisfies Args<{ ids: string[] }>,
    deleteTasks: (async (_, args, ctx) => ({
      deletedIds: await deleteTasks(command(ctx), batchIds(args.ids)),
    })) satisfies Args<{ ids: string[] }>,
    updateSettings: ((_, args, ctx) =>
      updateSettings(
        ctx.sql,
        ctx.userId,
        parseInput(UpdateSettingsInput, args.input, 'input'),
        ctx.webhooks,
      )) satisfies Args<{ input: unknown }>,
    rotateWebhookSecret: ((_, args, ctx) =>
      rotateWebhookSecret(
        ctx.sql,
        ctx.userId,
        parseInput(RotateWebhookSecretArgs, args, ''),
      )) satisfies Args<unknown>,
    addReminder: (async (_, args, ctx) => {
      const result = await addReminder(
        command(ctx),
        args.taskId,
        parseInput(ReminderInput, args.input, 'input'),
        parseInput(IdempotencyKey.nullish(), args.idempotencyKey, 'idempotencyKey'),
      );
      const deliveries = await deliveriesOf(ctx.sql, [result.task.id]);
      const reminder = result.task.reminders.find((r) => r.id === result.reminderId)!;
      return { ...result, reminder: presentReminder(reminder, result.task, deliveries) };
    }) satisfies Args<{ taskId: string; input: unknown; idempotencyKey?: string | null }>,
    removeReminder: ((_, args, ctx) =>
      removeReminder(command(ctx), args.taskId, args.reminderId)) satisfies Args<{
      taskId: string;
      reminderId: string;
    }>,
    snoozeReminder: ((_, args, ctx) =>
      snoozeReminder(command(ctx), parseInput(SnoozeInput, args, ''))) satisfies Args<unknown>,
    dismissReminder: ((_, args, ctx) =>
      dismissReminder(command(ctx), args.taskId, args.reminderId)) satisfies Args<{
      taskId: string;
      reminderId: string;
    }>,
    markNotificationsRead: (async (_, args, ctx) =>
      (await markNotificationsRead(ctx.sql, ctx.userId, args)).marked) satisfies Args<{
      ids?: string[] | null;
      all?: boolean | null;
    }>,
    ...seriesResolvers.Mutation,
  },
  Series: seriesResolvers.Series,
  Occurrence: seriesResolvers.Occurrence,
  User: {
    settings: (_: unknown, __: unknown, ctx: ApiContext) => readSettings(ctx.sql, ctx.userId),
  },
  TaskConnection: {
    totalCount: (c: TaskConnection) => c.totalCount(),
  },
  Task: {
    dueAt: (t: Task) => iso(t.dueAt),
    reminders: async (t: Task, _: unknown, ctx: ApiContext) => {
      const deliveries = await deliveriesFor(ctx, t);
      return t.reminders.map((r) => presentReminder(r, t, deliveries));
    },
    nextReminderAt: async (t: Task, _: unknown, ctx: ApiContext) =>
      nextReminderAt(t, await deliveriesFor(ctx, t)),
    completedAt: (t: Task) => iso(t.completedAt),
    createdAt: (t: Task) => iso(t.createdAt),
    updatedAt: (t: Task) => iso(t.updatedAt),
    // The task was found for the caller, so its id scopes the history to it.
    history: (t: Task, args: unknown, ctx: ApiContext) =>
      historyConnection(ctx, parseInput(HistoryArgs, args, ''), t.id),
  },
};
