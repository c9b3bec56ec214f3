import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Task } from '../../domain/task.js';
import { getSettings } from '../../db/users.js';
import { guarded, type ToolContext } from './context.js';
import { batchAnswer, taskRow, toToolError, type ItemResult } from './results.js';

/**
 * What one item's command returned: the task after it (and the due date text it was given, to
 * echo how it was read), or (deleted) only its id.
 */
export type ItemOutcome = { task: Task; dueText?: string | undefined } | { id: string };

/** What one item came to: the task after it, only its id (deleted), or its own error. */
export type SettledItem = ItemOutcome | { error: unknown };

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
  const settled: SettledItem[] = [];
  for (const [index, item] of items.entries()) {
    try {
      settled.push(await run(item, index));
    } catch (error) {
      settled.push({ error });
    }
  }
  return batchResult(ctx, timeZone, settled, (i) => idOf(items[i]!));
}

/** The answer of a batch tool: a result per item, in order, and the counts. */
export function batchResult(
  ctx: ToolContext,
  timeZone: string,
  settled: SettledItem[],
  idOf: (index: number) => string | null,
): CallToolResult {
  const results: ItemResult[] = settled.map((outcome, index) => {
    if ('error' in outcome)
      return {
        index,
        status: 'failed',
        id: idOf(index),
        error: toToolError(outcome.error, ctx.log, ctx.requestId),
      };
    if (!('task' in outcome)) return { index, status: 'succeeded', id: outcome.id };
    const row = taskRow(outcome.task, timeZone);
    const { dueText } = outcome;
    return {
      index,
      status: 'succeeded',
      id: outcome.task.id,
      task: row,
      // How the words were read, so the model can tell the user the exact instant.
      ...(dueText === undefined
        ? {}
        : { resolved: { text: dueText, dueAt: row.dueAt, allDay: row.allDay } }),
    };
  });
  return batchAnswer(results, 'task');
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
