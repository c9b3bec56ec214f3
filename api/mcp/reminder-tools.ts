import { z } from 'zod';
import { IdempotencyKey } from '../../domain/task.js';
import type { McpServer } from '@modelcontextprotocol/server';
import { ReminderInput, SnoozeInput } from '../../domain/reminder.js';
import { formatDurationMs } from '../../domain/time/duration.js';
import { resolveDuration, resolveInstant } from '../../domain/natural-time.js';
import { parseInput } from '../../domain/validation.js';
import {
  addReminder,
  dismissReminder,
  removeReminder,
  snoozeReminder,
} from '../reminders/reminder-commands.js';
import type { ToolContext } from './context.js';
import { ReminderBatchOutput, type ReminderOutcome, reminderBatch } from './reminder-rows.js';
import { registerTaskRemindersTool } from './task-reminders-tool.js';
import { idArg, keyOf, MAX_TOOL_BATCH, renamePaths } from './results.js';

// Thin: each item calls the command the GraphQL mutation calls (api/tasks/reminders.ts); the
// rules (exactly one of before/after/at, a due date for relative ones, the quota, a snooze in
// the future) are the domain's, and their errors are renamed to this tool's arguments.
//
// Every item names its task and its reminder: the commands lock the task first (one reminder
// change of a task at a time), and every place a model finds a reminder id (notifications,
// get_task_reminders, these results) gives the task id beside it.

const batchOf = <T extends z.ZodType>(item: T) =>
  z.array(item).min(1).max(MAX_TOOL_BATCH).describe(`1 to ${MAX_TOOL_BATCH} items`);

const taskId = idArg('The task id, from find_tasks, add_tasks or a notification');
const reminderId = idArg(
  'The reminder id, from list_notifications, get_task_reminders or add_reminders',
);
const ref = { taskId, reminderId };

const duration = (what: string) =>
  z
    .string()
    .describe(
      `${what}: words ("an hour", "30 minutes", "1h30m", "2 days") or ISO-8601 (PT1H30M); ` +
        'months and years are refused (not a fixed length)',
    );

/** A duration in words or ISO as the domain's ISO form, so the domain's bounds apply to it. */
const isoDuration = (text: string | undefined, path: string): string | undefined =>
  text === undefined ? undefined : formatDurationMs(resolveDuration(text, path));

const instantText = (what: string) =>
  z
    .string()
    .describe(
      `${what}: an ISO-8601 date-time with the user's UTC offset (2026-03-30T09:00:00+02:00), ` +
        'or words read in the user\'s time zone: "in 5 minutes", "tomorrow at 9am"',
    );

/** Runs item `index` of `arg`; the commands' paths (input, taskId, until) become `arg.<i>.x`. */
async function asItem<T>(arg: string, index: number, run: () => Promise<T>): Promise<T> {
  const item = `${arg}.${index}`;
  const rename = (path: string): string => {
    if (path === item || path.startsWith(`${item}.`)) return path;
    const rest = path.replace(/^input(\.|$)/, '');
    return rest ? `${item}.${rest}` : item;
  };
  try {
    return await run();
  } catch (err) {
    throw renamePaths(err, rename);
  }
}

export function registerReminderTools(server: McpServer, ctx: ToolContext): void {
  registerTaskRemindersTool(server, ctx);

  server.registerTool(
    'add_reminders',
    {
      title: 'Add reminders',
      description:
        'Adds 1 to 25 reminders, each to a task (ids from find_tasks or add_tasks): exactly one ' +
        'of before (a duration before the due date), after (a duration after it: a nudge when ' +
        'overdue) or at (an instant, e.g. "in 5 minutes" for "remind me about this in 5 ' +
        'minutes"). Each result shows the reminder and when it fires; armed false means its ' +
        'time has passed and it will not fire. Each item succeeds or fails on its own. Give an ' +
        'idempotencyKey so that a retried call adds nothing twice.',
      inputSchema: {
        reminders: batchOf(
          z.object({
            taskId,
            before: duration('Fire this long before the due date').optional(),
            after: duration('Fire this long after the due date').optional(),
            at: instantText('Fire at this instant').optional(),
            idempotencyKey: z
              .string()
              .describe('Retrying with the same key returns the reminder the first call added')
              .optional(),
          }),
        ),
        idempotencyKey: z
          .string()
          .max(190)
          .describe(
            'For the whole call (e.g. a UUID per user request): item i uses "<key>:<i>" unless ' +
              'it has its own key. Retrying the call with the same key adds nothing new.',
          )
          .optional(),
      },
      outputSchema: ReminderBatchOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        // Without a key, each call adds another reminder.
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    ({ reminders, idempotencyKey }) =>
      reminderBatch(ctx, reminders, (item, i, timeZone) =>
        asItem('reminders', i, async (): Promise<ReminderOutcome> => {
          const at =
            item.at === undefined
              ? undefined
              : resolveInstant(item.at, timeZone, ctx.now(), `reminders.${i}.at`).iso;
          const input = parseInput(
            ReminderInput,
            {
              before: isoDuration(item.before, `reminders.${i}.before`),
              after: isoDuration(item.after, `reminders.${i}.after`),
              at,
            },
            `reminders.${i}`,
          );
          const key = item.idempotencyKey ?? keyOf(idempotencyKey, i);
          const added = await addReminder(
            ctx.command,
            item.taskId,
            input,
            key === undefined
              ? null
              : parseInput(IdempotencyKey, key, `reminders.${i}.idempotencyKey`),
          );
          return {
            task: added.task,
            reminderId: added.reminderId,
            show: true,
            armed: added.armed,
            // The command's message names the time in UTC; the row shows it at the user's offset.
            note: added.armed ? null : 'its fireAt has already passed: it will not fire',
          };
        }),
      ),
  );

  server.registerTool(
    'snooze_reminders',
    {
      title: 'Snooze reminders',
      description:
        'Snoozes 1 to 25 reminders ("snooze that for an hour"): each fires again after `for` ' +
        '(from now) or at `until`; give exactly one. Works on a fired, pending or dismissed ' +
        'reminder (it is armed again). The ids come with each notification. Each item succeeds ' +
        'or fails on its own.',
      inputSchema: {
        reminders: batchOf(
          z.object({
            ...ref,
            for: duration('Fire again this long from now').optional(),
            until: instantText('Fire again at this instant').optional(),
          }),
        ),
      },
      outputSchema: ReminderBatchOutput,
      annotations: {
        readOnlyHint: false,
        // Re-snoozing or dismissing undoes it; nothing is lost.
        destructiveHint: false,
        // `for` counts from each call, and each call is a snooze in the history.
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    ({ reminders }) =>
      reminderBatch(ctx, reminders, (item, i, timeZone) =>
        asItem('reminders', i, async (): Promise<ReminderOutcome> => {
          const now = ctx.now();
          const until =
            item.until === undefined
              ? undefined
              : resolveInstant(item.until, timeZone, now, `reminders.${i}.until`).iso;
          const input = parseInput(
            SnoozeInput,
            {
              taskId: item.taskId,
              reminderId: item.reminderId,
              for: isoDuration(item.for, `reminders.${i}.for`),
              until,
            },
            `reminders.${i}`,
          );
          const task = await snoozeReminder(ctx.command, input, now);
          return { task, reminderId: item.reminderId, show: true };
        }),
      ),
  );

  server.registerTool(
    'dismiss_reminders',
    {
      title: 'Dismiss reminders',
      description:
        'Dismisses 1 to 25 reminders: they will not fire (a snooze arms one again). The ' +
        'reminder stays on its task; remove_reminders deletes it. Each item succeeds or fails ' +
        'on its own.',
      inputSchema: { reminders: batchOf(z.object(ref)) },
      outputSchema: ReminderBatchOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        // Dismissed again stays dismissed (the history records each call).
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    ({ reminders }) =>
      reminderBatch(ctx, reminders, (item, i) =>
        asItem('reminders', i, async (): Promise<ReminderOutcome> => {
          const task = await dismissReminder(ctx.command, item.taskId, item.reminderId);
          return { task, reminderId: item.reminderId, show: true };
        }),
      ),
  );

  server.registerTool(
    'remove_reminders',
    {
      title: 'Remove reminders',
      description:
        'Deletes 1 to 25 reminders from their tasks for good. To only silence one, use ' +
        'dismiss_reminders. Each item succeeds or fails on its own.',
      inputSchema: { reminders: batchOf(z.object(ref)) },
      outputSchema: ReminderBatchOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        // Removed again: NOT_FOUND, and it stays removed.
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    ({ reminders }) =>
      reminderBatch(ctx, reminders, (item, i) =>
        asItem('reminders', i, async (): Promise<ReminderOutcome> => {
          const task = await removeReminder(ctx.command, item.taskId, item.reminderId);
          return { task, reminderId: item.reminderId, show: false };
        }),
      ),
  );
}
