import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { databaseFailure } from '../../db/sql.js';
import { AppError, ErrorCode, type FieldProblem } from '../../domain/errors.js';
import { Priority, TaskStatus, type Task } from '../../domain/task.js';
import { formatWithOffset } from '../../domain/time/local-date-time.js';
import type { Logger } from '../../platform/logger.js';

/** Most tasks a batch tool takes in one call (Todoist's limit: small answers, few timeouts). */
export const MAX_TOOL_BATCH = 25;

/**
 * Ids are UUIDs (36 characters). A longer one names nothing, and is refused by the input schema
 * before anything echoes it back (a batch answer repeats each item's id, an error its subject).
 */
export const MAX_ID_CHARS = 100;

/** An id argument, described for the model. */
export const idArg = (description: string) => z.string().max(MAX_ID_CHARS).describe(description);

/** A description longer than this is cut in rows: answers stay small for the model's context. */
const ROW_DESCRIPTION_CHARS = 200;

export const ToolError = z.object({
  code: z.string().describe('A stable code from the error catalog, e.g. NOT_FOUND'),
  message: z.string(),
  problems: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional()
    .describe('Which argument is wrong and what would be valid'),
  retryAfterSeconds: z.number().optional().describe('Wait this long before retrying'),
});
export type ToolError = z.infer<typeof ToolError>;

/** A task as tools show it: what a model needs to answer and to act, no more. */
export const TaskRow = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  status: TaskStatus,
  priority: Priority,
  tags: z.array(z.string()),
  dueAt: z.string().nullable().describe("ISO-8601 with the user's UTC offset"),
  allDay: z.boolean(),
  muted: z
    .literal(true)
    .optional()
    .describe('Present only when the task is muted: its reminders notify no one'),
  completedAt: z.string().nullable(),
  seriesId: z.string().nullable(),
  version: z.number(),
});
export type TaskRow = z.infer<typeof TaskRow>;

export function taskRow(task: Task, timeZone: string): TaskRow {
  const at = (d: Date | null): string | null => d && formatWithOffset(d, timeZone);
  const description =
    task.description.length > ROW_DESCRIPTION_CHARS
      ? `${task.description.slice(0, ROW_DESCRIPTION_CHARS)}…`
      : task.description;
  return {
    id: task.id,
    title: task.title,
    ...(description ? { description } : {}),
    status: task.status,
    priority: task.priority,
    tags: task.tags,
    dueAt: at(task.dueAt),
    allDay: task.allDay,
    // Only when set: most tasks are not muted, and rows stay small.
    ...(task.muted ? { muted: true as const } : {}),
    completedAt: at(task.completedAt),
    seriesId: task.seriesId,
    version: task.version,
  };
}

/** How a date the item gave was read: the model can tell the user exactly when. */
export const Resolved = z.object({
  text: z.string().describe('The date as the item gave it'),
  dueAt: z.string().nullable().describe("The instant chosen, ISO-8601 with the user's offset"),
  allDay: z.boolean().describe('true: the text named a day without a time'),
});
export type Resolved = z.infer<typeof Resolved>;

export const ItemResult = z.object({
  index: z.number().describe('Position of the item in the request'),
  status: z.enum(['succeeded', 'failed']),
  id: z.string().nullable().describe('The task the item is about, when known'),
  task: TaskRow.optional().describe('The task after the change (not for deletions)'),
  resolved: Resolved.optional().describe('How the due date the item gave was read'),
  error: ToolError.optional(),
});
export type ItemResult = z.infer<typeof ItemResult>;

/** The counts and the budget note every batch tool's answer has beside its results. */
export const BatchCounts = {
  succeeded: z.number().describe('How many items succeeded'),
  failed: z.number().describe('How many items failed: fix and resend only those'),
  rowsLeftOut: z
    .array(z.number())
    .optional()
    .describe(
      'Items (by index) that succeeded but whose row was left out to keep the answer small: ' +
        'the find tools show them',
    ),
};

export const BatchOutput = {
  results: z.array(ItemResult),
  ...BatchCounts,
};

/**
 * The one place where errors become tool errors. Expected ones (the catalog's AppError, database
 * outages) keep code and field problems; anything else is logged and reaches the model only as
 * INTERNAL with the request id, so no internal detail (or secret) is echoed.
 */
export function toToolError(err: unknown, log: Logger, requestId: string): ToolError {
  const known = err instanceof AppError ? err : databaseFailure(err);
  if (known)
    return {
      code: known.code,
      message: known.message,
      ...(known.problems.length ? { problems: known.problems } : {}),
      ...(known.retryAfterSeconds ? { retryAfterSeconds: known.retryAfterSeconds } : {}),
    };
  log.error({ err, requestId }, 'unexpected error in an MCP tool');
  return { code: ErrorCode.INTERNAL, message: `unexpected error (request ${requestId})` };
}

/** The same error with each field problem changed (its path, its message), anything else as is. */
export function rewriteProblems(err: unknown, change: (p: FieldProblem) => FieldProblem): unknown {
  if (!(err instanceof AppError) || err.problems.length === 0) return err;
  const problems = err.problems.map(change);
  return new AppError(
    err.code,
    problems.map((p) => `${p.path}: ${p.message}`).join('; '),
    problems,
    err.retryAfterSeconds,
  );
}

/** Field paths as the tool names its arguments, not as the shared schema does. */
export const renamePaths = (err: unknown, rename: (path: string) => string): unknown =>
  rewriteProblems(err, (p) => ({ ...p, path: rename(p.path) }));

/** Some clients read only `structuredContent`, others only the text: both carry the JSON. */
export function structured(value: Record<string, unknown>): CallToolResult {
  return { structuredContent: value, content: [{ type: 'text', text: JSON.stringify(value) }] };
}

export function toolFailure(error: ToolError): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: JSON.stringify({ error }) }] };
}

/**
 * The most JSON one listing answer may carry: about 4,000 tokens, small beside a model's
 * context, whatever the rows hold. Listing tools stop adding rows at this size and say so.
 */
export const RESPONSE_BUDGET_BYTES = 16 * 1024;

/**
 * The longest prefix of `rows` whose answer (`envelope` plus the rows) fits the budget, and
 * whether rows were left out. At least one row is kept: rows are themselves bounded (a
 * description is cut at ROW_DESCRIPTION_CHARS), so one always fits. A listing's next cursor
 * must point after the last row kept.
 */
export function keepWithinBudget<T>(
  rows: T[],
  envelope: (rows: T[]) => Record<string, unknown>,
  budget = RESPONSE_BUDGET_BYTES,
): { rows: T[]; cut: boolean } {
  const size = (n: number): number => Buffer.byteLength(JSON.stringify(envelope(rows.slice(0, n))));
  if (rows.length === 0 || size(rows.length) <= budget) return { rows, cut: false };
  // Binary search for the largest n that fits (sizes grow with n).
  let lo = 1;
  let hi = rows.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return { rows: rows.slice(0, lo), cut: true };
}

/**
 * A batch tool's answer: a result per item and the counts, within the response budget. 25 items
 * may each carry a row of several KB (a 500-character title, 20 tags); when they do not all fit,
 * the items from the first that does not keep their status, id and error but not their row
 * (`rowKey`), and `rowsLeftOut` names them. No item's outcome is ever left out.
 */
export function batchAnswer<R extends { index: number; status: 'succeeded' | 'failed' }>(
  results: R[],
  rowKey: keyof R & string,
): CallToolResult {
  const succeeded = results.filter((r) => r.status === 'succeeded').length;
  const answer = (full: R[]) => {
    const rest = results.slice(full.length);
    const leftOut = rest.filter((r) => r[rowKey] !== undefined).map((r) => r.index);
    const withoutRow = (r: R): Partial<R> => {
      const copy: Partial<R> = { ...r };
      delete copy[rowKey];
      return copy;
    };
    return {
      results: [...full, ...rest.map(withoutRow)],
      succeeded,
      failed: results.length - succeeded,
      ...(leftOut.length > 0 ? { rowsLeftOut: leftOut } : {}),
    };
  };
  return structured(answer(keepWithinBudget(results, answer).rows));
}

/** Item i of a call with key k: "k:i", so each item of a retried call finds its own task. */
export const keyOf = (callKey: string | undefined, index: number): string | undefined =>
  callKey === undefined ? undefined : `${callKey}:${index}`;

/** The hints of a tool that only reads: safe to call again, touches nothing outside Tickler. */
export const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

/** A listing's paging arguments: `limit` rows (1 to `max`, `fallback` when absent), `cursor`. */
export const pageArgs = (max: number, fallback: number, rows = 'Rows') => ({
  limit: z
    .number()
    .int()
    .min(1)
    .max(max)
    .describe(`${rows} per page, 1 to ${max}; default ${fallback}`)
    .optional(),
  cursor: z.string().describe('nextCursor of the previous page, same arguments').optional(),
});
