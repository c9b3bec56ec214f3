import { notFound, versionConflict } from '../../domain/errors.js';
import type { EventData, TicklerEvent } from '../../domain/events.js';
import { SeriesId, type Series } from '../../domain/series.js';
import { appendEvent } from '../../db/outbox.js';
import { findSeries } from '../../db/series.js';
import type { Db } from '../../db/sql.js';
import { EVENT_SOURCE, type CommandContext } from '../tasks/command.js';

/** A malformed id names nothing the caller owns: NOT_FOUND. */
export function parseSeriesId(id: string): SeriesId {
  const parsed = SeriesId.safeParse(id);
  if (!parsed.success) throw notFound(`series ${id}`);
  return parsed.data;
}

/** Locks the caller's series, checking the optimistic-concurrency version when one is given. */
export async function lockSeries(
  tx: Db,
  ctx: CommandContext,
  id: string,
  expectedVersion?: number | null,
): Promise<Series> {
  const series = await findSeries(tx, ctx.userId, parseSeriesId(id), { forUpdate: true });
  if (!series) throw notFound(`series ${id}`);
  if (expectedVersion != null && expectedVersion !== series.version)
    throw versionConflict('series', id, series.version, expectedVersion);
  return series;
}

/** Records a series event in the caller's transaction (subject: the series id). */
export function recordSeriesEvent<T extends 'series.created' | 'series.updated'>(
  tx: Db,
  ctx: CommandContext,
  series: Series,
  type: T,
  data: EventData<T>,
): Promise<TicklerEvent> {
  return appendEvent(tx, {
    type,
    source: EVENT_SOURCE,
    time: series.updatedAt,
    subject: series.id,
    userId: ctx.userId,
    traceparent: ctx.traceparent,
    data,
  });
}
