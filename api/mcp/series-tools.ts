import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import { getSettings } from '../../db/users.js';
import { formatDurationMs } from '../../domain/time/duration.js';
import { badInput } from '../../domain/errors.js';
import { resolveDuration } from '../../domain/natural-time.js';
import { SERIES_DEFAULT_PAGE, SeriesListArgs } from '../../domain/series-query.js';
import { CreateSeriesInput, SeriesState, UpdateSeriesInput } from '../../domain/series.js';
import { Priority } from '../../domain/task.js';
import { parseInput } from '../../domain/validation.js';
import {
  editSeries,
  pauseSeries,
  resumeSeries,
  skipNextOccurrence,
  stopSeries,
} from '../series/change-series.js';
import { createSeries } from '../series/create-series.js';
import { deleteOccurrence } from '../series/delete-occurrence.js';
import { listSeriesConnection } from '../series/list-series.js';
import { parseRecurrence, previewRecurrence } from '../series/recurrence-queries.js';
import { guarded, type ToolContext } from './context.js';
import {
  idArg,
  keepWithinBudget,
  MAX_TOOL_BATCH,
  renamePaths,
  structured,
  READ_ONLY,
  pageArgs,
} from './results.js';
import {
  asToolArguments,
  RULE_EXAMPLES,
  withRuleExamples,
  runSeriesBatch,
  SeriesBatchOutput,
  SeriesRow,
  seriesRow,
} from './series-rows.js';

// Thin: every tool calls the command or query the GraphQL resolvers call (api/series/); the
// rule is read from words by the same reader as Query.parseRecurrence.

export const FIND_SERIES_MAX_LIMIT = 50;
export const PREVIEW_MAX_COUNT = 50;

const rule = {
  text: z
    .string()
    .describe(`The rule in plain English, read in the user's time zone, e.g. ${RULE_EXAMPLES}`),
  rrule: z
    .string()
    .describe('Instead of text: an RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO (needs dtstart)'),
  dtstart: z
    .string()
    .describe(
      'With rrule: the first occurrence as a local date-time without offset, e.g. ' +
        '2026-03-30T07:00:00; its time of day is every occurrence’s',
    ),
  timeZone: z.string().describe("IANA zone the rule is read in; default: the user's"),
};
const template = {
  description: z.string().describe('Notes every occurrence gets, plain text'),
  priority: Priority.describe('NONE (default), LOW, MEDIUM, HIGH or URGENT'),
  tags: z.array(z.string()).describe('Labels every occurrence gets, at most 20'),
  remindBefore: z
    .array(z.string())
    .describe('Reminders before each occurrence: "15 minutes", "an hour", or ISO-8601 PT15M'),
};
const seriesIds = z
  .array(idArg('A series id, from find_series or add_series'))
  .min(1)
  .max(MAX_TOOL_BATCH)
  .describe(`1 to ${MAX_TOOL_BATCH} series ids; each succeeds or fails on its own`);

/** Reminder lengths in words or ISO-8601 (resolveDuration), as the command's ISO-8601. */
const remindersOf = (texts: string[] | null | undefined) =>
  texts?.map((t, i) => formatDurationMs(resolveDuration(t, `remindBefore.${i}`))) ?? texts;

interface RuleArgs {
  text?: string | undefined;
  rrule?: string | undefined;
  dtstart?: string | undefined;
  timeZone?: string | undefined;
}

/** The rule a call gives, from words (the reader) or an RRULE; undefined when none. */
function ruleOf(args: RuleArgs, userZone: string, now: Date) {
  const timeZone = args.timeZone ?? userZone;
  if (args.text !== undefined && (args.rrule !== undefined || args.dtstart !== undefined))
    throw badInput([{ path: 'text', message: 'give either text or rrule with dtstart, not both' }]);
  if (args.text !== undefined) {
    let parsed;
    try {
      parsed = parseRecurrence(args.text, timeZone, now);
    } catch (err) {
      throw withRuleExamples(err);
    }
    return { rrule: parsed.rrule, dtstart: parsed.dtstart, timeZone, mode: parsed.mode };
  }
  if (args.rrule === undefined) return undefined;
  return { rrule: args.rrule, dtstart: args.dtstart, timeZone, mode: undefined };
}

const needsRule = () =>
  badInput([
    {
      path: 'text',
      message: `give the rule as text (e.g. ${RULE_EXAMPLES}) or an rrule with dtstart`,
    },
  ]);
const needsDtstart = () =>
  badInput([
    {
      path: 'dtstart',
      message: 'is needed with rrule: a local date-time, e.g. 2026-03-30T07:00:00',
    },
  ]);

const writes = (destructiveHint: boolean, idempotentHint: boolean) => ({
  readOnlyHint: false,
  destructiveHint,
  idempotentHint,
  openWorldHint: false,
});

export function registerSeriesTools(server: McpServer, ctx: ToolContext): void {
  const zoneOf = async () => (await getSettings(ctx.command.sql, ctx.command.userId)).timeZone;
  const row = (s: Parameters<typeof seriesRow>[1], zone: string) =>
    seriesRow(ctx.command.sql, s, zone, ctx.now());

  server.registerTool(
    'add_series',
    {
      title: 'Add a recurring series',
      description:
        'Creates a recurring task ("remind me to exercise every Monday at 7am"): give the rule ' +
        'as text in plain English, or as an RRULE with dtstart. Each occurrence becomes a task ' +
        'when it comes due. Give an idempotencyKey so that a retried call creates nothing new. ' +
        'Check an unusual rule with preview_series first.',
      inputSchema: {
        title: z.string().describe('What to do each time, at most 500 characters'),
        text: rule.text.optional(),
        rrule: rule.rrule.optional(),
        dtstart: rule.dtstart.optional(),
        timeZone: rule.timeZone.optional(),
        description: template.description.optional(),
        priority: template.priority.optional(),
        tags: template.tags.optional(),
        remindBefore: template.remindBefore.optional(),
        idempotencyKey: z
          .string()
          .describe('Retrying with the same key returns the series the first call created')
          .optional(),
      },
      outputSchema: { series: SeriesRow },
      annotations: writes(false, false),
    },
    (args) =>
      guarded(ctx, async () => {
        const zone = await zoneOf();
        try {
          const r = ruleOf(args, zone, ctx.now());
          if (!r) throw needsRule();
          if (r.dtstart === undefined) throw needsDtstart();
          const input = parseInput(
            CreateSeriesInput,
            {
              title: args.title,
              description: args.description,
              priority: args.priority,
              tags: args.tags,
              remindBefore: remindersOf(args.remindBefore),
              idempotencyKey: args.idempotencyKey,
              ...r,
            },
            'input',
          );
          return structured({ series: await row(await createSeries(ctx.command, input), zone) });
        } catch (err) {
          throw asToolArguments(err);
        }
      }),
  );

  server.registerTool(
    'find_series',
    {
      title: 'Find recurring series',
      description:
        "Finds the user's recurring series and their ids, by words of the title, description " +
        'or tags: any word may match ("my exercise reminder" finds "Exercise"), best match ' +
        'first. Use it to turn what the user names into a series id before changing it. ' +
        'Returns compact rows with the rule in words and the next occurrence; pass nextCursor ' +
        'back as cursor for more.',
      inputSchema: {
        text: z.string().describe('Words the series is named by, e.g. "exercise"').optional(),
        states: z
          .array(SeriesState)
          .describe('Any of these states; default ACTIVE and PAUSED (the running ones)')
          .optional(),
        ...pageArgs(FIND_SERIES_MAX_LIMIT, SERIES_DEFAULT_PAGE),
      },
      outputSchema: {
        series: z.array(SeriesRow),
        nextCursor: z.string().nullable().describe('More rows: call again with this cursor'),
        timeZone: z.string().describe("The user's zone, in which times are shown"),
      },
      annotations: READ_ONLY,
    },
    (args) =>
      guarded(ctx, async () => {
        const zone = await zoneOf();
        const names: Record<string, string> = { search: 'text', first: 'limit', after: 'cursor' };
        try {
          const query = parseInput(
            SeriesListArgs,
            {
              search: args.text,
              states: args.states ?? ['ACTIVE', 'PAUSED'],
              first: args.limit ?? SERIES_DEFAULT_PAGE,
              after: args.cursor,
            },
            '',
          );
          const page = await listSeriesConnection(ctx.command.sql, ctx.command.userId, query);
          const rows = await Promise.all(page.edges.map((e) => row(e.node, zone)));
          const envelope = (kept: typeof rows) => ({
            series: kept,
            nextCursor: page.pageInfo.endCursor,
            timeZone: zone,
          });
          const { rows: kept, cut } = keepWithinBudget(rows, envelope);
          const nextCursor =
            cut || page.pageInfo.hasNextPage ? page.edges[kept.length - 1]!.cursor : null;
          return structured({ series: kept, nextCursor, timeZone: zone });
        } catch (err) {
          throw renamePaths(err, (p) => names[p.split('.')[0]!] ?? p);
        }
      }),
  );

  server.registerTool(
    'preview_series',
    {
      title: 'Preview a rule',
      description:
        'The next occurrences a rule would have, from now, without creating anything: check ' +
        'what the user asked for ("every weekday at 9") before add_series or update_series. ' +
        'Give text or an RRULE with dtstart.',
      inputSchema: {
        text: rule.text.optional(),
        rrule: rule.rrule.optional(),
        dtstart: rule.dtstart.optional(),
        timeZone: rule.timeZone.optional(),
        count: z
          .number()
          .int()
          .min(1)
          .max(PREVIEW_MAX_COUNT)
          .describe(`How many occurrences, 1 to ${PREVIEW_MAX_COUNT}; default 5`)
          .optional(),
      },
      outputSchema: {
        rule: z.string().describe('The rule in words'),
        rrule: z.string(),
        dtstart: z.string(),
        timeZone: z.string(),
        occurrences: z.array(z.string()).describe("ISO-8601 with the zone's UTC offset"),
      },
      annotations: READ_ONLY,
    },
    (args) =>
      guarded(ctx, async () => {
        const zone = await zoneOf();
        const now = ctx.now();
        try {
          const r = ruleOf(args, zone, now);
          if (!r) throw needsRule();
          if (r.dtstart === undefined) throw needsDtstart();
          const preview = previewRecurrence({
            rrule: r.rrule,
            dtstart: r.dtstart,
            timeZone: r.timeZone,
            after: now.toISOString(),
            count: args.count ?? 5,
          });
          return structured({
            rule: preview.text,
            rrule: r.rrule,
            dtstart: r.dtstart,
            timeZone: r.timeZone,
            occurrences: preview.occurrences,
          });
        } catch (err) {
          throw asToolArguments(err);
        }
      }),
  );

  server.registerTool(
    'update_series',
    {
      title: 'Update a series (this and future)',
      description:
        'Changes a series for this and future occurrences (id from find_series): only the ' +
        'fields given change. Open occurrences not started yet take the new title, notes, ' +
        'priority and tags; those a new rule no longer produces are removed. Past and ' +
        'completed occurrences stay as they were. A new rule as text or rrule (dtstart stays ' +
        'unless given).',
      inputSchema: {
        id: idArg('The series id, from find_series or add_series'),
        expectedVersion: z
          .number()
          .int()
          .describe('Fail with CONFLICT if the series changed since this version was read')
          .optional(),
        title: z.string().describe('New title').optional(),
        text: rule.text.optional(),
        rrule: rule.rrule.optional(),
        dtstart: rule.dtstart.optional(),
        timeZone: rule.timeZone.optional(),
        // A described schema made nullable loses its description: each is described again.
        description: template.description
          .nullable()
          .optional()
          .describe('New notes for this and future occurrences (null clears them)'),
        priority: template.priority.optional(),
        tags: template.tags
          .nullable()
          .optional()
          .describe('New labels for this and future occurrences (null clears them)'),
        remindBefore: template.remindBefore
          .nullable()
          .optional()
          .describe('New reminders before each occurrence, e.g. "15 minutes" (null: none)'),
      },
      outputSchema: { series: SeriesRow },
      annotations: writes(true, true),
    },
    (args) =>
      guarded(ctx, async () => {
        const zone = await zoneOf();
        try {
          const { text, rrule, dtstart, timeZone, ...fields } = args;
          if (text !== undefined && (rrule !== undefined || dtstart !== undefined))
            throw badInput([
              { path: 'text', message: 'give either text or rrule with dtstart, not both' },
            ]);
          const r =
            text !== undefined
              ? ruleOf({ text, timeZone }, zone, ctx.now())
              : { rrule, dtstart, timeZone, mode: undefined };
          const input = parseInput(
            UpdateSeriesInput,
            { ...fields, remindBefore: remindersOf(fields.remindBefore), ...r },
            'input',
          );
          return structured({ series: await row(await editSeries(ctx.command, input), zone) });
        } catch (err) {
          throw asToolArguments(err);
        }
      }),
  );

  const batchTool = (
    name: string,
    title: string,
    description: string,
    annotations: ReturnType<typeof writes>,
    run: (id: string) => ReturnType<typeof pauseSeries>,
  ) =>
    server.registerTool(
      name,
      {
        title,
        description,
        inputSchema: { ids: seriesIds },
        outputSchema: SeriesBatchOutput,
        annotations,
      },
      ({ ids }) => guarded(ctx, async () => runSeriesBatch(ctx, await zoneOf(), ids, run)),
    );

  batchTool(
    'pause_series',
    'Pause series',
    'Pauses 1 to 25 series (ids from find_series): no occurrences are created while paused; ' +
      'those already created stay. Pausing a paused series changes nothing.',
    writes(false, true),
    (id) => pauseSeries(ctx.command, id),
  );
  batchTool(
    'resume_series',
    'Resume series',
    'Resumes 1 to 25 paused series: they go on with the next occurrence from now on, none of ' +
      'those missed while paused. Resuming a running series changes nothing.',
    writes(false, true),
    (id) => resumeSeries(ctx.command, id),
  );
  batchTool(
    'skip_next_occurrence',
    'Skip the next occurrence',
    'Skips the next occurrence not started yet of 1 to 25 series (its task, if created, is ' +
      'removed); each series goes on after it. Each call skips one more: do not retry blindly.',
    writes(true, false),
    (id) => skipNextOccurrence(ctx.command, id),
  );
  batchTool(
    'stop_series',
    'Stop series',
    'Stops 1 to 25 series for good ("stop my exercise reminder": find_series first): no ' +
      'further occurrences; created ones not started yet are removed; open ones already due ' +
      'stay as ordinary tasks. Cannot be undone; a stopped series stays stopped.',
    writes(true, true),
    (id) => stopSeries(ctx.command, id),
  );

  server.registerTool(
    'delete_occurrence',
    {
      title: 'Delete an occurrence',
      description:
        'Deletes an occurrence of a series (its task id, from find_tasks with seriesId) with a ' +
        'scope, as calendars ask: THIS (that one; the series goes on), THIS_AND_FOLLOWING (the ' +
        'series ends before it; its open occurrences from it on are removed) or ALL (the series ' +
        'stops; all its open occurrences are removed). Completed occurrences always stay.',
      inputSchema: {
        taskId: idArg('The task id of the occurrence'),
        scope: z
          .enum(['THIS', 'THIS_AND_FOLLOWING', 'ALL'])
          .describe('THIS (default), THIS_AND_FOLLOWING or ALL')
          .optional(),
      },
      outputSchema: { series: SeriesRow },
      annotations: writes(true, true),
    },
    ({ taskId, scope }) =>
      guarded(ctx, async () => {
        const zone = await zoneOf();
        const s = await deleteOccurrence(ctx.command, taskId, scope ?? 'THIS');
        return structured({ series: await row(s, zone) });
      }),
  );
}
