import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Task } from '../../domain/task.js';
import { getSettings } from '../../db/users.js';
import { guarded, type ToolContext } from './context.js';
import { structured, taskRow, toToolError, type ItemResult } from './results.js';

/**
 * What one item's command returned: the task after it (and the due date text it was given, to
 * echo how it was read), or (deleted) only its id.
 */
export type ItemOutcome = { task: Task; dueText?: string | undefined } | { id: string };

/**
 * Runs each item on its own (its own transaction), in order: one bad item fails alone and the
 * result names it, the others still happen. `idOf` names the task an item is about, if any.
 */
export async function runBatch<T>(
  ctx: ToolContext,
  timeZone: string,
  items: T[],
  idOf: (item: T) => string | null,
  run: (item: T, index: number) => Promise<ItemOutcome>,
): Promise<CallToolResult> {
  const results: ItemResult[] = [];
  for (const [index, item] of items.entries()) {
    try {
      const outcome = await run(item, index);
      if ('task' in outcome) {
        const row = taskRow(outcome.task, timeZone);
        const { dueText } = outcome;
        results.push({
          index,
          status: 'succeeded',
          id: outcome.task.id,
          task: row,
          ...(dueText === undefined
            ? {}
            : { resolved: { text: dueText, dueAt: row.dueAt, allDay: row.allDay } }),
        });
      } else results.push({ index, status: 'succeeded', id: outcome.id });
    } catch (err) {
      results.push({
        index,
        status: 'failed',
        id: idOf(item),
        error: toToolError(err, ctx.log, ctx.requestId),
      });
    }
  }
  const succeeded = results.filter((r) => r.status === 'succeeded').length;
  return structured({ results, succeeded, failed: results.length - succeeded });
}

/**
 * A batch tool's whole body: the items run one by one (runBatch), their rows shown in the
 * caller's time zone, and an error outside any item (the settings read) is the call's error.
 */
export function batchCall<T>(
  ctx: ToolContext,
  items: T[],
  idOf: (item: T) => string | null,
  run: (item: T, index: number) => Promise<ItemOutcome>,
): Promise<CallToolResult> {
  return guarded(ctx, async () => {
    const { timeZone } = await getSettings(ctx.command.sql, ctx.command.userId);
    return runBatch(ctx, timeZone, items, idOf, run);
  });
}
