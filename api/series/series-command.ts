import { EventSource, type EventData, type TicklerEvent } from '../../domain/events.js';
import { SeriesId, type Series } from '../../domain/series.js';
import { appendEvent } from '../../db/outbox.js';
import { findSeries } from '../../db/series.js';
import type { Db } from '../../db/sql.js';
import { ownedAtVersion, parseOwnedId, type CommandContext } from '../command.js';

export const parseSeriesId = (id: string): SeriesId => parseOwnedId(SeriesId, 'series', id);

/** Locks the caller's series, checking the optimistic-concurrency version when one is given. */
export async function lockSeries(
  tx: Db,
  ctx: CommandContext,
  id: string,
  expectedVersion?: number | null,
): Promise<Series> {
  const series = await findSeries(tx, ctx.userId, parseSeriesId(id), { forUpdate: true });
  return ownedAtVersion('series', id, series ?? undefined, expectedVersion);
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
    source: EventSource.api,
    time: series.updatedAt,
    subject: series.id,
    userId: ctx.userId,
    traceparent: ctx.traceparent,
    data,
  });
}
