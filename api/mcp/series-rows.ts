import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { Priority } from '../../domain/task.js';
import { SeriesState, type Series } from '../../domain/series.js';
import { describeRecurrence } from '../../domain/recurrence/describe.js';
import { formatWithOffset } from '../../domain/time/local-date-time.js';
import { occurrencesOf } from '../../db/series.js';
import type { Db } from '../../db/sql.js';
import { nextOccurrenceOf } from '../series/series-view.js';
import type { ToolContext } from './context.js';
import {
  batchAnswer,
  BatchCounts,
  renamePaths,
  rewriteProblems,
  toToolError,
  ToolError,
} from './results.js';

/** A series as the series tools show it: what a model needs to answer and to act. */
export const SeriesRow = z.object({
  id: z.string(),
  title: z.string(),
  rule: z.string().describe('The rule in words, e.g. "every Monday at 7:00 AM"'),
  rrule: z.string().describe('The same rule as an RFC 5545 RRULE'),
  timeZone: z.string().describe('The zone the rule is read in'),
  state: SeriesState.describe('ACTIVE, PAUSED, STOPPED, or ENDED (the rule has run out)'),
  nextOccurrenceAt: z
    .string()
    .nullable()
    .describe("The next occurrence not started yet, ISO-8601 with the user's UTC offset"),
  priority: Priority,
  tags: z.array(z.string()),
  version: z.number(),
});
export type SeriesRow = z.infer<typeof SeriesRow>;

/** The row of a series, its next occurrence read from what it created and its calendar. */
export async function seriesRow(
  db: Db,
  s: Series,
  userZone: string,
  now: Date,
): Promise<SeriesRow> {
  const next =
    s.state === 'ACTIVE' || s.state === 'PAUSED'
      ? nextOccurrenceOf(s, await occurrencesOf(db, s.id), now)
      : null;
  return {
    id: s.id,
    title: s.title,
    rule: describeRecurrence(s.recurrence, s.mode),
    rrule: s.recurrence.rrule,
    timeZone: s.recurrence.timeZone,
    state: s.state,
    nextOccurrenceAt: next && formatWithOffset(new Date(next), userZone),
    priority: s.priority,
    tags: s.tags,
    version: s.version,
  };
}

export const SeriesItemResult = z.object({
  index: z.number().describe('Position of the id in the request'),
  status: z.enum(['succeeded', 'failed']),
  id: z.string().describe('The series id the item is about'),
  series: SeriesRow.optional().describe('The series after the change'),
  error: ToolError.optional(),
});

export const SeriesBatchOutput = {
  results: z.array(SeriesItemResult),
  ...BatchCounts,
};

/** Runs the command on each id on its own (its own transaction): one bad id fails alone. */
export async function runSeriesBatch(
  ctx: ToolContext,
  timeZone: string,
  ids: string[],
  run: (id: string) => Promise<Series>,
): Promise<CallToolResult> {
  const results: z.infer<typeof SeriesItemResult>[] = [];
  for (const [index, id] of ids.entries()) {
    try {
      const series = await seriesRow(ctx.command.sql, await run(id), timeZone, ctx.now());
      results.push({ index, status: 'succeeded', id, series });
    } catch (err) {
      results.push({
        index,
        status: 'failed',
        id,
        error: toToolError(err, ctx.log, ctx.requestId),
      });
    }
  }
  return batchAnswer(results, 'series');
}

/** Phrases the rule reader understands, offered when it could not read one. */
export const RULE_EXAMPLES =
  '"every weekday at 9am", "every Monday at 7am", "every 2 weeks on Friday", ' +
  '"on the last day of every month", "every 3 days after completion"';

/** A problem of the rule reader with phrases it does understand: the model can try one. */
export const withRuleExamples = (err: unknown): unknown =>
  rewriteProblems(err, (p) =>
    p.path === 'text' ? { ...p, message: `${p.message}; say it like ${RULE_EXAMPLES}` } : p,
  );

/** Field paths named after the tool's arguments (`input.rrule` → `rrule`). */
export const asToolArguments = (err: unknown): unknown =>
  renamePaths(err, (path) => path.replace(/^input\./, ''));
