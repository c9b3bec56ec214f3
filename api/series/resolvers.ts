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
import { commandContext, type ApiContext } from '../context.js';
import type { Resolvers } from '../schema/resolver-types.js';
import {
  editSeries,
  pauseSeries,
  resumeSeries,
  skipNextOccurrence,
  stopSeries,
} from './change-series.js';
import { createSeries } from './create-series.js';
import { deleteOccurrence } from './delete-occurrence.js';
import { listSeriesConnection } from './list-series.js';
import { parseRecurrence, previewRecurrence } from './recurrence-queries.js';
import { nextOccurrenceOf, occurrenceList, presentSeries, type SeriesView } from './series-view.js';

// The series part of the schema: arguments parsed here, rules in the commands beside it.

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

export const seriesResolvers: Resolvers = {
  Query: {
    series: async (_, args, ctx) => {
      const id = SeriesId.safeParse(args.id);
      const s = id.success ? await findSeries(ctx.sql, ctx.userId, id.data) : undefined;
      return s ? presentSeries(s) : null;
    },
    seriesList: async (_, args, ctx) => {
      const page = await listSeriesConnection(
        ctx.sql,
        ctx.userId,
        parseInput(SeriesListArgs, args, ''),
      );
      return {
        ...page,
        edges: page.edges.map((e) => ({ cursor: e.cursor, node: presentSeries(e.node) })),
      };
    },
    previewRecurrence: (_, args) => previewRecurrence(args.input),
    parseRecurrence: (_, args) => parseRecurrence(args.text, args.timeZone, new Date()),
  },
  Mutation: {
    createSeries: (_, args, ctx) =>
      view(createSeries(commandContext(ctx), parseInput(CreateSeriesInput, args.input, 'input'))),
    updateSeries: (_, args, ctx) =>
      view(editSeries(commandContext(ctx), parseInput(UpdateSeriesInput, args.input, 'input'))),
    pauseSeries: (_, args, ctx) => view(pauseSeries(commandContext(ctx), args.id)),
    resumeSeries: (_, args, ctx) => view(resumeSeries(commandContext(ctx), args.id)),
    skipNextOccurrence: (_, args, ctx) => view(skipNextOccurrence(commandContext(ctx), args.id)),
    stopSeries: (_, args, ctx) => view(stopSeries(commandContext(ctx), args.id)),
    deleteOccurrence: (_, args, ctx) =>
      // A client may pass scope: null explicitly, which the default does not replace.
      view(deleteOccurrence(commandContext(ctx), args.taskId, args.scope ?? 'THIS')),
  },
  Series: {
    occurrences: async (s, args, ctx) => {
      const { past, upcoming } = parseInput(OccurrencesArgs, args, '');
      return occurrenceList(s, await createdOf(ctx, s), new Date(), past, upcoming);
    },
    nextOccurrenceAt: async (s, _, ctx) => nextOccurrenceOf(s, await createdOf(ctx, s), new Date()),
  },
  Occurrence: {
    task: async (o, _, ctx) =>
      o.taskId && o.state !== 'DELETED'
        ? ((await findTask(ctx.sql, ctx.userId, o.taskId as TaskId)) ?? null)
        : null,
  },
};
