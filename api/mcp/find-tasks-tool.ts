import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import { getSettings } from '../../db/users.js';
import { badInput, notFound } from '../../domain/errors.js';
import type { SeriesId } from '../../domain/series.js';
import { findSeries } from '../../db/series.js';
import { resolveWhen } from '../../domain/natural-time.js';
import { Priority } from '../../domain/task.js';
import { TasksArgs } from '../../domain/task-query.js';
import { parseInput } from '../../domain/validation.js';
import { listTaskConnection } from '../tasks/list-tasks.js';
import { guarded, type ToolContext } from './context.js';
import { DUE_RANGES, dueFilterOf } from './due-range.js';
import {
  idArg,
  keepWithinBudget,
  renamePaths,
  structured,
  TaskRow,
  taskRow,
  READ_ONLY,
  pageArgs,
} from './results.js';

/** A page stays small enough for a model's context; the cursor fetches the rest. */
export const FIND_DEFAULT_LIMIT = 20;
export const FIND_MAX_LIMIT = 50;

/** The shared query's argument names → this tool's. */
const PATH_NAMES: Record<string, string> = {
  search: 'text',
  first: 'limit',
  after: 'cursor',
  'filter.priorities': 'priorities',
  'filter.tags.all': 'tags',
  'filter.dueAfter': 'dueAfter',
  'filter.dueBefore': 'dueBefore',
  'filter.seriesId': 'seriesId',
};
const toolPath = (path: string): string => {
  const hit = Object.keys(PATH_NAMES).find((k) => path === k || path.startsWith(`${k}.`));
  return hit ? PATH_NAMES[hit]! + path.slice(hit.length) : path;
};

export function registerFindTasksTool(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'find_tasks',
    {
      title: 'Find tasks',
      description:
        "Finds the user's tasks and their ids: by words in the title or description, status, " +
        "priority, tags, due range (read in the user's time zone) or series. Returns compact " +
        'rows, most urgent due date first (best match first with text); pass nextCursor back as ' +
        'cursor for more. Use it to turn what the user names ("buy groceries") into ids.',
      inputSchema: {
        text: z.string().describe('Words to look for in title and description').optional(),
        status: z
          .enum(['OPEN', 'COMPLETED', 'ANY'])
          .describe('OPEN (default), COMPLETED or ANY')
          .optional(),
        priorities: z.array(Priority).describe('Any of these priorities').optional(),
        tags: z.array(z.string()).describe('Tasks that have all of these tags').optional(),
        due: z
          .enum(DUE_RANGES)
          .describe(
            "A due range in the user's time zone: today, tomorrow, this_week (Monday to Sunday), " +
              'next_7_days (from now to the end of the 7th day), overdue (open and past due) or ' +
              'no_due_date',
          )
          .optional(),
        dueAfter: z
          .string()
          .describe(
            'Due at or after this: words ("monday", "tomorrow at 9am") read in the user\'s ' +
              'time zone (a day means its start), or ISO-8601 with offset. Not with due',
          )
          .optional(),
        dueBefore: z
          .string()
          .describe(
            'Due before this: words ("friday", "end of month", "in 3 hours") read in the ' +
              "user's time zone (a day means its start), or ISO-8601 with offset. Not with due",
          )
          .optional(),
        seriesId: idArg(
          'Only occurrences of this recurring series (id from find_series)',
        ).optional(),
        ...pageArgs(FIND_MAX_LIMIT, FIND_DEFAULT_LIMIT),
      },
      outputSchema: {
        tasks: z.array(TaskRow),
        nextCursor: z.string().nullable().describe('More rows: call again with this cursor'),
        timeZone: z.string().describe('The zone due ranges and times were read in'),
      },
      annotations: READ_ONLY,
    },
    (args) =>
      guarded(ctx, async () => {
        const { sql, userId } = ctx.command;
        const { timeZone } = await getSettings(sql, userId);
        if (args.due && (args.dueAfter || args.dueBefore))
          throw badInput([{ path: 'due', message: 'give either due or dueAfter/dueBefore' }]);
        const now = ctx.now();
        const range = args.due ? dueFilterOf(args.due, now, timeZone) : {};
        // Words become the instant they name here, so the shared query sees ISO as from GraphQL.
        const when = (text: string | undefined, path: string) =>
          text === undefined ? undefined : resolveWhen(text, timeZone, now, path).iso;
        const dueAfter = when(args.dueAfter, 'dueAfter');
        const dueBefore = when(args.dueBefore, 'dueBefore');
        try {
          const query = parseInput(
            TasksArgs,
            {
              search: args.text,
              first: args.limit ?? FIND_DEFAULT_LIMIT,
              after: args.cursor,
              filter: {
                status: args.status === 'ANY' ? undefined : (args.status ?? 'OPEN'),
                priorities: args.priorities,
                tags: args.tags ? { all: args.tags } : undefined,
                dueAfter,
                dueBefore,
                seriesId: args.seriesId,
              },
            },
            '',
          );
          // An unknown series, or another user's, is NOT_FOUND: an empty page would read as
          // "it has no occurrences", a silent answer about a series that is not there.
          const seriesId = query.filter?.seriesId;
          if (seriesId && !(await findSeries(sql, userId, seriesId as SeriesId)))
            throw notFound(`series ${seriesId}`);
          const page = await listTaskConnection(
            sql,
            userId,
            { ...query, filter: { ...query.filter, ...range } },
            now,
          );
          const rows = page.edges.map((e) => ({
            row: taskRow(e.node, timeZone),
            cursor: e.cursor,
          }));
          const answer = (kept: typeof rows, nextCursor: string | null) => ({
            tasks: kept.map((r) => r.row),
            nextCursor,
            timeZone,
          });
          // Rows past the size budget go to the next page: the cursor is the last row kept.
          const fitted = keepWithinBudget(rows, (kept) => answer(kept, kept.at(-1)?.cursor ?? ''));
          return structured(
            answer(
              fitted.rows,
              fitted.cut
                ? fitted.rows.at(-1)!.cursor
                : page.pageInfo.hasNextPage
                  ? page.pageInfo.endCursor
                  : null,
            ),
          );
        } catch (err) {
          throw renamePaths(err, toolPath);
        }
      }),
  );
}
