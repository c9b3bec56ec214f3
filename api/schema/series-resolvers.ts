import { z } from 'zod';
import {
  CreateSeriesInput,
  SeriesId,
  UpdateSeriesInput,
  type Series,
} from '../../domain/series.js';
import type { TaskId } from '../../domain/ids.js';
import { SeriesListArgs } from '../../domain/series-query.js';
import { parseInput } from '../../domain/validation.js';
import { findSeries, occurrencesOf } from '../../db/series.js';
import { findTask } from '../../db/tasks.js';
import type { ApiContext } from '../context.js';
import {
  editSeries,
  pauseSeries,
  resumeSeries,
  skipNextOccurrence,
  stopSeries,
} from '../series/change-series.js';
import { createSeries } from '../series/create-series.js';
import { parseRecurrence, previewRecurrence } from '../series/recurrence-queries.js';
import {
  nextOccurrenceOf,
  occurrenceList,
  presentSeries,
  type OccurrenceView,
} from '../series/series-view.js';
import { deleteOccurrence, type OccurrenceScope } from '../series/delete-occurrence.js';
import { listSeriesConnection } from '../series/list-series.js';

// The series part of the schema: arguments parsed here, rules in api/series/.

type Args<T> = (_: unknown, args: T, ctx: ApiContext) => unknown;
type SeriesView = ReturnType<typeof presentSeries>;
const command = (ctx: ApiContext) => ({
  sql: ctx.sql,
  userId: ctx.userId,
  traceparent: ctx.traceparent,
  quotas: ctx.quotas,
});
const view = async (s: Promise<Series>) => presentSeries(await s);

const OccurrencesArgs = z.object({
  past: z.number().int().min(0).max(100, 'must be at most 100'),
  upcoming: z.number().int().min(0).max(100, 'must be at most 100'),
});

// `occurrences` and `nextOccurrenceAt` both need the series' created occurrences: read them
// once per series object (one per request), not once per field.
const createdCache = new WeakMap<SeriesView, ReturnType<typeof occurrencesOf>>();
function createdOf(ctx: ApiContext, s: SeriesView) {
  let created = createdCache.get(s);
  if (!created) createdCache.set(s, (created = occurrencesOf(ctx.sql, s.id)));
  return created;
}

export const seriesResolvers = {
  Query: {
    series: (async (_, args, ctx) => {
      const id = SeriesId.safeParse(args.id);
      const s = id.success ? await findSeries(ctx.sql, ctx.userId, id.data) : undefined;
      return s ? presentSeries(s) : null;
    }) satisfies Args<{ id: string }>,
    seriesList: (async (_, args, ctx) => {
      const page = await listSeriesConnection(
        ctx.sql,
        ctx.userId,
        parseInput(SeriesListArgs, args, ''),
      );
      return {
        ...page,
        edges: page.edges.map((e) => ({ cursor: e.cursor, node: presentSeries(e.node) })),
      };
    }) satisfies Args<unknown>,
    previewRecurrence: ((_, args) => previewRecurrence(args.input)) satisfies Args<{
      input: unknown;
    }>,
    parseRecurrence: ((_, args) =>
      parseRecurrence(args.text, args.timeZone, new Date())) satisfies Args<{
      text: string;
      timeZone: string;
    }>,
  },
  Mutation: {
    createSeries: ((_, args, ctx) =>
      view(
        createSeries(command(ctx), parseInput(CreateSeriesInput, args.input, 'input')),
      )) satisfies Args<{ input: unknown }>,
    updateSeries: ((_, args, ctx) =>
      view(
        editSeries(command(ctx), parseInput(UpdateSeriesInput, args.input, 'input')),
      )) satisfies Args<{ input: unknown }>,
    pauseSeries: ((_, args, ctx) => view(pauseSeries(command(ctx), args.id))) satisfies Args<{
      id: string;
    }>,
    resumeSeries: ((_, args, ctx) => view(resumeSeries(command(ctx), args.id))) satisfies Args<{
      id: string;
    }>,
    skipNextOccurrence: ((_, args, ctx) =>
      view(skipNextOccurrence(command(ctx), args.id))) satisfies Args<{ id: string }>,
    stopSeries: ((_, args, ctx) => view(stopSeries(command(ctx), args.id))) satisfies Args<{
      id: string;
    }>,
    deleteOccurrence: ((_, args, ctx) =>
      view(deleteOccurrence(command(ctx), args.taskId, args.scope ?? 'THIS'))) satisfies Args<{
      taskId: string;
      scope?: OccurrenceScope | null;
    }>,
  },
  Series: {
    occurrences: async (s: SeriesView, args: unknown, ctx: ApiContext) => {
      const { past, upcoming } = parseInput(OccurrencesArgs, args, '');
      return occurrenceList(s, await createdOf(ctx, s), new Date(), past, upcoming);
    },
    nextOccurrenceAt: async (s: SeriesView, _: unknown, ctx: ApiContext) =>
      nextOccurrenceOf(s, await createdOf(ctx, s), new Date()),
  },
  Occurrence: {
    task: (o: OccurrenceView, _: unknown, ctx: ApiContext) =>
      o.taskId && o.state !== 'DELETED' ? findTask(ctx.sql, ctx.userId, o.taskId as TaskId) : null,
  },
};
