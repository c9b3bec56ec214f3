import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import { findTask } from '../../db/tasks.js';
import { getSettings } from '../../db/users.js';
import { notFound } from '../../domain/errors.js';
import {
  encodeHistoryCursor,
  eventTypes,
  HistoryArgs,
  type HistoryEntry,
} from '../../domain/history.js';
import { isUuid, TaskId } from '../../domain/ids.js';
import { resolveWhen } from '../../domain/natural-time.js';
import { parseInput } from '../../domain/validation.js';
import { formatWithOffset } from '../../domain/time/local-date-time.js';
import { historyConnection } from '../history/history-view.js';
import { guarded, type ToolContext } from './context.js';
import {
  idArg,
  keepWithinBudget,
  renamePaths,
  structured,
  READ_ONLY,
  pageArgs,
} from './results.js';

export const HISTORY_TOOL_DEFAULT_LIMIT = 20;
export const HISTORY_TOOL_MAX_LIMIT = 50;
/** A changed value longer than this (a long description, a big list) is cut in entries. */
const VALUE_CHARS = 200;

const Change = z.object({
  field: z.string(),
  before: z.unknown().optional().describe('Absent when the field had no value before'),
  after: z.unknown(),
});

const HistoryRow = z.object({
  action: z.string().describe('e.g. task.created, reminder.fired, reminder.snoozed'),
  at: z.string().describe("When it happened, with the user's UTC offset"),
  by: z.enum(['user', 'system']).describe('system: the reminder and series machinery'),
  taskId: z.string().nullable(),
  changes: z.array(Change),
});
type HistoryRow = z.infer<typeof HistoryRow>;

const PATH_NAMES: Record<string, string> = {
  'filter.taskId': 'taskId',
  'filter.actions': 'actions',
  'filter.since': 'since',
  'filter.until': 'until',
  first: 'limit',
  after: 'cursor',
};
const toolPath = (path: string): string => {
  const hit = Object.keys(PATH_NAMES).find((k) => path === k || path.startsWith(`${k}.`));
  return hit ? PATH_NAMES[hit]! + path.slice(hit.length) : path;
};

const UTC_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** A value as the model reads it: instants in the user's offset, long ones cut. */
const shown = (v: unknown, timeZone: string): unknown => {
  if (typeof v === 'string') {
    if (UTC_INSTANT.test(v)) return formatWithOffset(new Date(v), timeZone);
    return v.length > VALUE_CHARS ? `${v.slice(0, VALUE_CHARS)}…` : v;
  }
  if (v === null || typeof v !== 'object') return v;
  const text = JSON.stringify(v);
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS)}…` : v;
};
const empty = (v: unknown): boolean =>
  v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** An entry as the model reads it: what, when, by whom, and the fields with a value. */
function historyRow(e: HistoryEntry, timeZone: string): HistoryRow {
  return {
    action: e.action,
    at: formatWithOffset(new Date(e.occurredAt), timeZone),
    by: e.actor.kind === 'USER' ? 'user' : 'system',
    taskId: e.taskId,
    changes: e.changes
      .filter((c) => !(empty(c.before) && empty(c.after)))
      .map((c) => ({
        field: c.field,
        ...(empty(c.before) ? {} : { before: shown(c.before, timeZone) }),
        after: shown(c.after, timeZone),
      })),
  };
}

export function registerHistoryTool(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'task_history',
    {
      title: 'Task history',
      description:
        "What happened to the user's tasks, newest first: created, changed, completed, deleted, " +
        'reminders fired, snoozed, dismissed; each entry with the fields before and after. ' +
        'Give taskId for one task (a deleted one too). History arrives a moment after a change. ' +
        'Pass nextCursor back as cursor for more.',
      inputSchema: {
        taskId: idArg('Only this task (from find_tasks)').optional(),
        actions: z
          .array(z.enum(eventTypes))
          .min(1)
          .describe('Only these actions, e.g. ["reminder.fired"]')
          .optional(),
        since: z
          .string()
          .describe(
            'Only entries from this instant on: ISO-8601 with offset, or words ("yesterday")',
          )
          .optional(),
        until: z
          .string()
          .describe('Only entries before this instant: ISO-8601 with offset, or words')
          .optional(),
        ...pageArgs(HISTORY_TOOL_MAX_LIMIT, HISTORY_TOOL_DEFAULT_LIMIT, 'Entries'),
      },
      outputSchema: {
        entries: z.array(HistoryRow),
        nextCursor: z.string().nullable().describe('More entries: call again with this cursor'),
      },
      // Read-only and closed-world: the audit service is part of Tickler, not an outside world.
      annotations: READ_ONLY,
    },
    (args) =>
      guarded(ctx, async () => {
        const { sql, userId, traceparent } = ctx.command;
        const { timeZone } = await getSettings(sql, userId);
        // A malformed id names no task of the caller's: NOT_FOUND, as everywhere else.
        if (args.taskId !== undefined && !isUuid(args.taskId))
          throw notFound(`task ${args.taskId}`);
        const now = ctx.now();
        const when = (text: string | undefined, path: string) =>
          text === undefined ? undefined : resolveWhen(text, timeZone, now, path).iso;
        const source = { userId, history: ctx.history, traceparent };
        let page;
        try {
          const query = parseInput(
            HistoryArgs,
            {
              filter: {
                taskId: args.taskId,
                actions: args.actions,
                since: when(args.since, 'since'),
                until: when(args.until, 'until'),
              },
              first: args.limit ?? HISTORY_TOOL_DEFAULT_LIMIT,
              after: args.cursor,
            },
            '',
          );
          page = await historyConnection(source, query);
          if (page.edges.length === 0 && args.taskId && !args.cursor)
            await mustBeTheCallers(source, args.taskId, sql);
        } catch (err) {
          throw renamePaths(err, toolPath);
        }
        const rows = page.edges.map((e) => ({
          sequence: e.node.sequence,
          row: historyRow(e.node, timeZone),
        }));
        const envelope = (kept: typeof rows) => ({
          entries: kept.map((r) => r.row),
          nextCursor: kept.length ? encodeHistoryCursor(kept.at(-1)!.sequence) : null,
        });
        const kept = keepWithinBudget(rows, envelope);
        const more = kept.cut || page.pageInfo.hasNextPage;
        return structured({
          entries: kept.rows.map((r) => r.row),
          nextCursor: more ? encodeHistoryCursor(kept.rows.at(-1)!.sequence) : null,
        });
      }),
  );
}

/**
 * An empty history for a task id: the caller's task without (matching) entries yet, or an id
 * that is not theirs. The audit log scopes by user, so it cannot tell; the task table can, and
 * for a deleted task (gone from the table) any entry at all proves it was theirs.
 */
async function mustBeTheCallers(
  source: Parameters<typeof historyConnection>[0],
  taskId: string,
  sql: ToolContext['command']['sql'],
): Promise<void> {
  if (await findTask(sql, source.userId, TaskId.parse(taskId))) return;
  const any = await historyConnection(source, { filter: { taskId }, first: 1 });
  if (any.edges.length === 0) throw notFound(`task ${taskId}`);
}
