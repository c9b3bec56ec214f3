import { ReminderInput, SnoozeInput, type Delivery } from '../../domain/reminder.js';
import { IdempotencyKey, type Task } from '../../domain/task.js';
import { parseInput } from '../../domain/validation.js';
import { deliveriesOf } from '../../db/reminders.js';
import { commandContext, type ApiContext } from '../context.js';
import type { Resolvers } from '../schema/resolver-types.js';
import {
  addReminder,
  dismissReminder,
  removeReminder,
  snoozeReminder,
} from './reminder-commands.js';
import { nextReminderAt, presentReminder } from './reminder-view.js';

// `reminders` and `nextReminderAt` both need a task's deliveries: read them once per task
// object (one per request), not once per field.
const deliveriesCache = new WeakMap<Task, Promise<Delivery[]>>();
function deliveriesFor(ctx: ApiContext, task: Task): Promise<Delivery[]> {
  let cached = deliveriesCache.get(task);
  if (!cached) deliveriesCache.set(task, (cached = deliveriesOf(ctx.sql, [task.id])));
  return cached;
}

export const reminderResolvers: Resolvers = {
  Mutation: {
    addReminder: async (_, args, ctx) => {
      const result = await addReminder(
        commandContext(ctx),
        args.taskId,
        parseInput(ReminderInput, args.input, 'input'),
        parseInput(IdempotencyKey.nullish(), args.idempotencyKey, 'idempotencyKey'),
      );
      const deliveries = await deliveriesOf(ctx.sql, [result.task.id]);
      const reminder = result.task.reminders.find((r) => r.id === result.reminderId)!;
      return { ...result, reminder: presentReminder(reminder, result.task, deliveries) };
    },
    removeReminder: (_, args, ctx) =>
      removeReminder(commandContext(ctx), args.taskId, args.reminderId),
    snoozeReminder: (_, args, ctx) =>
      snoozeReminder(commandContext(ctx), parseInput(SnoozeInput, args, '')),
    dismissReminder: (_, args, ctx) =>
      dismissReminder(commandContext(ctx), args.taskId, args.reminderId),
  },
  Task: {
    reminders: async (t, _, ctx) => {
      const deliveries = await deliveriesFor(ctx, t);
      return t.reminders.map((r) => presentReminder(r, t, deliveries));
    },
    nextReminderAt: async (t, _, ctx) => nextReminderAt(t, await deliveriesFor(ctx, t)),
  },
};
