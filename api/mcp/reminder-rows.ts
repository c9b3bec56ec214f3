import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { getSettings } from '../../db/users.js';
import { deliveriesOf } from '../../db/reminders.js';
import type { Task } from '../../domain/task.js';
import { formatWithOffset } from '../../domain/time/local-date-time.js';
import { presentReminder } from '../reminders/reminder-view.js';
import { guarded, type ToolContext } from './context.js';
import { batchAnswer, BatchCounts, toToolError, ToolError } from './results.js';

/** A reminder as tools show it: what it is relative to, how it stands, when it fires. */
export const ReminderRow = z.object({
  id: z.string(),
  kind: z
    .enum(['before', 'after', 'at'])
    .describe('before/after the due date by a duration, or at an instant'),
  value: z.string().describe('The duration (PT30M) for before/after; the instant for at'),
  state: z
    .string()
    .describe(
      'PENDING (will fire at fireAt), SNOOZED, DEFERRED (quiet hours: comes in a digest), ' +
        'FIRED, MUTED (came due while its task was muted: sent nowhere), MISSED, DISMISSED, ' +
        'NOT_ARMED (its time had passed when set: will not fire)',
    ),
  fireAt: z
    .string()
    .nullable()
    .describe("When it fires (or fired), with the user's UTC offset; null without a due date"),
  snoozedUntil: z.string().optional().describe('Set while snoozed: the new fire time'),
});
export type ReminderRow = z.infer<typeof ReminderRow>;

/** The GraphQL view of a reminder (the same states), its instants in the user's offset. */
export function reminderRowsOf(
  task: Task,
  deliveries: Parameters<typeof presentReminder>[2],
  timeZone: string,
): ReminderRow[] {
  const local = (iso: string): string => formatWithOffset(new Date(iso), timeZone);
  return task.reminders.map((r) => {
    const v = presentReminder(r, task, deliveries);
    const [kind, value] = v.before
      ? (['before', v.before] as const)
      : v.after
        ? (['after', v.after] as const)
        : (['at', local(v.at!)] as const);
    return {
      id: v.id,
      kind,
      value,
      state: v.state,
      fireAt: v.fireAt && local(v.fireAt),
      ...(v.snoozedUntil ? { snoozedUntil: local(v.snoozedUntil) } : {}),
    };
  });
}

export const ReminderItemResult = z.object({
  index: z.number().describe('Position of the item in the request'),
  status: z.enum(['succeeded', 'failed']),
  taskId: z.string(),
  reminderId: z.string().nullable().describe('The reminder the item is about, when known'),
  reminder: ReminderRow.optional().describe('The reminder after the change (not for removals)'),
  armed: z.boolean().optional().describe('add_reminders: false when it will not fire'),
  note: z.string().optional().describe('Why it is not armed'),
  error: ToolError.optional(),
});
export type ReminderItemResult = z.infer<typeof ReminderItemResult>;

export const ReminderBatchOutput = {
  results: z.array(ReminderItemResult),
  ...BatchCounts,
};

/** What one item's command returned: the task after it and the reminder it is about. */
export interface ReminderOutcome {
  task: Task;
  reminderId: string;
  /** false when the reminder is gone (removed): only the ids are shown. */
  show: boolean;
  armed?: boolean;
  note?: string | null;
}

/**
 * A reminder batch tool's body: each item on its own (its own transaction), in order, so one bad
 * item fails alone and is named; the reminder rows are shown in the caller's time zone.
 */
export function reminderBatch<T extends { taskId: string; reminderId?: string }>(
  ctx: ToolContext,
  items: T[],
  run: (item: T, index: number, timeZone: string) => Promise<ReminderOutcome>,
): Promise<CallToolResult> {
  return guarded(ctx, async () => {
    const { sql, userId } = ctx.command;
    const { timeZone } = await getSettings(sql, userId);
    const results: ReminderItemResult[] = [];
    for (const [index, item] of items.entries()) {
      try {
        const out = await run(item, index, timeZone);
        const shown = out.show
          ? reminderRowsOf(out.task, await deliveriesOf(sql, [out.task.id]), timeZone).find(
              (r) => r.id === out.reminderId,
            )
          : undefined;
        results.push({
          index,
          status: 'succeeded',
          taskId: out.task.id,
          reminderId: out.reminderId,
          ...(shown ? { reminder: shown } : {}),
          ...(out.armed === undefined ? {} : { armed: out.armed }),
          ...(out.note ? { note: out.note } : {}),
        });
      } catch (err) {
        results.push({
          index,
          status: 'failed',
          taskId: item.taskId,
          reminderId: item.reminderId ?? null,
          error: toToolError(err, ctx.log, ctx.requestId),
        });
      }
    }
    return batchAnswer(results, 'reminder');
  });
}
