import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import { deliveriesOf } from '../../db/reminders.js';
import { findTask } from '../../db/tasks.js';
import { getSettings } from '../../db/users.js';
import { formatWithOffset } from '../../domain/time/local-date-time.js';
import { parseTaskId } from '../tasks/task-command.js';
import { notFound } from '../../domain/errors.js';
import { guarded, type ToolContext } from './context.js';
import { ReminderRow, reminderRowsOf } from './reminder-rows.js';
import {
  idArg,
  keepWithinBudget,
  MAX_TOOL_BATCH,
  structured,
  toToolError,
  ToolError,
  READ_ONLY,
} from './results.js';

// find_tasks' rows stay small (no reminders); this is where a model reads a task's reminders
// and their ids before it snoozes, dismisses or removes one the user names by its task.

/** Titles may be 500 characters; 25 of them beside their reminders would crowd the answer. */
const TITLE_CHARS = 200;
const clipped = (title: string): string =>
  title.length > TITLE_CHARS ? `${title.slice(0, TITLE_CHARS)}…` : title;

const TaskReminders = z.object({
  index: z.number().describe('Position of the id in the request'),
  status: z.enum(['succeeded', 'failed']),
  taskId: z.string(),
  title: z.string().optional(),
  dueAt: z.string().nullable().optional().describe("ISO-8601 with the user's UTC offset"),
  reminders: z.array(ReminderRow).optional().describe('In the order they were added'),
  error: ToolError.optional(),
});
type TaskReminders = z.infer<typeof TaskReminders>;

export function registerTaskRemindersTool(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'get_task_reminders',
    {
      title: 'Get task reminders',
      description:
        'The reminders of 1 to 25 tasks (ids from find_tasks): each reminder with its id, what ' +
        'it is relative to, its state and when it fires. Use it before snoozing, dismissing or ' +
        'removing a reminder the user names by its task ("stop reminding me about the call").',
      inputSchema: {
        taskIds: z
          .array(idArg('A task id, from find_tasks or add_tasks'))
          .min(1)
          .max(MAX_TOOL_BATCH)
          .describe(`1 to ${MAX_TOOL_BATCH} task ids; each succeeds or fails on its own`),
      },
      outputSchema: {
        tasks: z.array(TaskReminders),
        notShown: z
          .array(z.string())
          .optional()
          .describe('Task ids left out to keep the answer small: ask again with these'),
      },
      annotations: READ_ONLY,
    },
    ({ taskIds }) =>
      guarded(ctx, async () => {
        const { sql, userId } = ctx.command;
        const { timeZone } = await getSettings(sql, userId);
        const tasks: TaskReminders[] = [];
        for (const [index, taskId] of taskIds.entries()) {
          try {
            const task = await findTask(sql, userId, parseTaskId(taskId));
            if (!task) throw notFound(`task ${taskId}`);
            tasks.push({
              index,
              status: 'succeeded',
              taskId,
              title: clipped(task.title),
              dueAt: task.dueAt && formatWithOffset(task.dueAt, timeZone),
              reminders: reminderRowsOf(task, await deliveriesOf(sql, [task.id]), timeZone),
            });
          } catch (err) {
            const error = toToolError(err, ctx.log, ctx.requestId);
            tasks.push({ index, status: 'failed', taskId, error });
          }
        }
        // Like a listing, the answer stays within the budget; what did not fit is named.
        const answer = (rows: TaskReminders[]) => ({
          tasks: rows,
          ...(rows.length < tasks.length ? { notShown: taskIds.slice(rows.length) } : {}),
        });
        return structured(answer(keepWithinBudget(tasks, answer).rows));
      }),
  );
}
