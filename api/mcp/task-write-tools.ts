import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import { CreateTaskInput, Priority, UpdateTaskInput } from '../../domain/task.js';
import { parseInput } from '../../domain/validation.js';
import { getSettings } from '../../db/users.js';
import { createTasks } from '../tasks/create-task.js';
import { updateTask } from '../tasks/update-task.js';
import { batchCall, batchResult, type SettledItem } from './batch.js';
import { guarded, type ToolContext } from './context.js';
import { idArg, BatchOutput, MAX_TOOL_BATCH, renamePaths, keyOf } from './results.js';

// The schemas here only describe the arguments to the model (and check their JSON types); the
// rules are the domain's, applied per item, so one bad item fails alone and is named.

const instant = (what: string) =>
  z
    .string()
    .describe(
      `${what}: the user's words ("tomorrow at 5pm", "next Friday", "friday 9:30", "in 2 ` +
        'hours", "end of month"), read in their time zone, or ISO-8601 with an offset ' +
        '(2026-03-30T17:00:00+02:00). A day without a time makes the task all-day. The ' +
        "item's `resolved` says which instant was chosen: tell the user.",
    );

/**
 * The command's fields for a due date the tool was given: words or ISO go to dueText (one reader
 * for both surfaces); null clears. The item echoes the text it gave.
 */
const due = (dueAt: string | null | undefined) =>
  dueAt === undefined ? {} : dueAt === null ? { dueAt: null } : { dueText: dueAt };
const echo = (dueAt: string | null | undefined) =>
  typeof dueAt === 'string' ? { dueText: dueAt } : {};

const common = {
  description: z.string().describe('Notes, plain text, at most 10000 characters'),
  priority: Priority.describe('NONE (default), LOW, MEDIUM, HIGH or URGENT'),
  tags: z.array(z.string()).describe('Labels, at most 20, each at most 50 characters'),
  allDay: z.boolean().describe('true: only the date of dueAt matters, not its time'),
  muted: z
    .boolean()
    .describe(
      "true: the task's reminders stay scheduled but notify no one (no app notification, " +
        'e-mail or webhook), e.g. "stop reminding me about X for now"; false: they notify again ' +
        'from the next one on. To stop reminders for good, remove them instead.',
    ),
};

const batchOf = <T extends z.ZodType>(item: T) =>
  z.array(item).min(1).max(MAX_TOOL_BATCH).describe(`1 to ${MAX_TOOL_BATCH} items`);

/**
 * Item `index`'s error names `tasks.<i>.x` (this tool's argument), not `input.x`; the command's
 * dueText is this tool's dueAt.
 */
const itemError = (index: number, err: unknown): unknown =>
  renamePaths(err, (path) =>
    path.replace(/^input\.dueText$/, 'input.dueAt').replace(/^input(?=\.|$)/, `tasks.${index}`),
  );

/** Runs item `index`; its errors name `tasks.<i>.x`. */
async function asItem<T>(index: number, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw itemError(index, err);
  }
}

export function registerTaskWriteTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'add_tasks',
    {
      title: 'Add tasks',
      description:
        'Creates 1 to 25 tasks. Each item succeeds or fails on its own; a failed item names the ' +
        'field that is wrong. Give an idempotencyKey so that a retried call creates nothing new. ' +
        "With a due date and no remindBefore, the user's default reminder is set.",
      inputSchema: {
        tasks: batchOf(
          z.object({
            title: z.string().describe('What to do, at most 500 characters'),
            description: common.description.optional(),
            priority: common.priority.optional(),
            tags: common.tags.optional(),
            dueAt: instant('When the task is due').optional(),
            allDay: common.allDay.optional(),
            muted: common.muted.optional(),
            remindBefore: z
              .string()
              .describe('One reminder this long before dueAt, ISO-8601 duration, e.g. PT30M')
              .optional(),
            idempotencyKey: z
              .string()
              .describe('Retrying with the same key returns the task the first call created')
              .optional(),
          }),
        ),
        idempotencyKey: z
          .string()
          .max(190)
          .describe(
            'For the whole call (e.g. a UUID per user request): item i uses "<key>:<i>" unless ' +
              'it has its own key. Retrying the call with the same key creates nothing new.',
          )
          .optional(),
      },
      outputSchema: BatchOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    ({ tasks, idempotencyKey }) =>
      guarded(ctx, async () => {
        const { timeZone } = await getSettings(ctx.command.sql, ctx.command.userId);
        // Each item is read on its own (a bad one fails alone); the good ones are created in
        // one transaction by the same command as createTask.
        const read = tasks.map((item, i): { input: CreateTaskInput } | { error: unknown } => {
          try {
            const { dueAt, ...rest } = item;
            const key = item.idempotencyKey ?? keyOf(idempotencyKey, i);
            return {
              input: parseInput(
                CreateTaskInput,
                { ...rest, ...due(dueAt), idempotencyKey: key },
                'input',
              ),
            };
          } catch (error) {
            return { error: itemError(i, error) };
          }
        });
        const valid = read.flatMap((r, i) => ('input' in r ? [{ i, input: r.input }] : []));
        const created = await createTasks(
          ctx.command,
          valid.map((v) => v.input),
        );
        const settled: SettledItem[] = read.map((r) => ('error' in r ? r : { error: null }));
        valid.forEach(({ i }, k) => {
          const outcome = created[k]!;
          settled[i] =
            'error' in outcome
              ? { error: itemError(i, outcome.error) }
              : { ...outcome, ...echo(tasks[i]!.dueAt) };
        });
        return batchResult(ctx, timeZone, settled, () => null);
      }),
  );

  server.registerTool(
    'update_tasks',
    {
      title: 'Update tasks',
      description:
        'Changes fields of 1 to 25 existing tasks (ids from find_tasks). Only the fields given ' +
        'change; null clears description, tags or dueAt. Each item succeeds or fails on its own.',
      inputSchema: {
        tasks: batchOf(
          z.object({
            id: idArg('The task id, from find_tasks or add_tasks'),
            expectedVersion: z
              .number()
              .int()
              .describe('Fail with CONFLICT if the task changed since this version was read')
              .optional(),
            title: z.string().describe('New title').optional(),
            // A described schema made nullable keeps its description inside anyOf, where a
            // model may not look: each is described again on the outside.
            description: common.description
              .nullable()
              .optional()
              .describe('New notes, at most 10000 characters (null clears them)'),
            priority: common.priority.optional(),
            tags: common.tags
              .nullable()
              .optional()
              .describe('New labels, at most 20, each at most 50 characters (null clears them)'),
            dueAt: instant('New due date (null: none)')
              .nullable()
              .optional()
              .describe(
                'New due date: words ("tomorrow at 5pm") or ISO-8601 with an offset; null: none',
              ),
            allDay: common.allDay.optional(),
            muted: common.muted.optional(),
          }),
        ),
      },
      outputSchema: BatchOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    ({ tasks }) =>
      batchCall(
        ctx,
        tasks,
        (item) => item.id,
        (item, i) =>
          asItem(i, async () => {
            const { dueAt, ...rest } = item;
            const input = parseInput(UpdateTaskInput, { ...rest, ...due(dueAt) }, 'input');
            return { task: await updateTask(ctx.command, input), ...echo(dueAt) };
          }),
      ),
  );

  server.registerTool(
    'reschedule_tasks',
    {
      title: 'Reschedule tasks',
      description:
        'Moves the due date of 1 to 25 tasks and keeps everything else; reminders relative to ' +
        'the due date move with it. Each item succeeds or fails on its own.',
      inputSchema: {
        tasks: batchOf(
          z.object({
            id: idArg('The task id, from find_tasks or add_tasks'),
            dueAt: instant('The new due date (null removes it)')
              .nullable()
              .describe(
                'The new due date: words ("tomorrow at 5pm", "next Friday") read in the ' +
                  "user's time zone, or ISO-8601 with an offset; null removes it",
              ),
          }),
        ),
      },
      outputSchema: BatchOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    ({ tasks }) =>
      batchCall(
        ctx,
        tasks,
        (item) => item.id,
        (item, i) =>
          asItem(i, async () => {
            const input = parseInput(UpdateTaskInput, { id: item.id, ...due(item.dueAt) }, 'input');
            return { task: await updateTask(ctx.command, input), ...echo(item.dueAt) };
          }),
      ),
  );
}
