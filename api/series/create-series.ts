import { toSeriesSnapshot } from '../../domain/events.js';
import { RecurrenceInput } from '../../domain/recurrence/input.js';
import type { CreateSeriesInput, Series, SeriesId } from '../../domain/series.js';
import { DEFAULT_MAX_OPEN } from '../../domain/series.js';
import { parseInput } from '../../domain/validation.js';
import { quotaExceeded } from '../../domain/errors.js';
import { findSeries, hasRunningSeries, insertSeries } from '../../db/series.js';
import { idFromKey } from '../../domain/ids.js';
import { lockUser } from '../../db/users.js';
import { randomUUID } from 'node:crypto';
import { quotasOf, type CommandContext } from '../command.js';
import { recordSeriesEvent } from './series-command.js';
import { transaction } from '../../db/sql.js';

/**
 * The series and its `series.created` event commit together; the relay then starts its
 * workflow (`series:<id>`), which creates the first occurrence. The rule is anchored in the
 * given zone, or the user's.
 */
export async function createSeries(ctx: CommandContext, input: CreateSeriesInput): Promise<Series> {
  // With a key, the id is the key's (idFromKey): a retry finds the series the first call made.
  const id = (
    input.idempotencyKey ? idFromKey(`series:${ctx.userId}`, input.idempotencyKey) : randomUUID()
  ) as SeriesId;
  return transaction(ctx.sql, async (tx) => {
    const settings = await lockUser(tx, ctx.userId);
    // Under the user lock: a concurrent retry waits, then finds the first one's series.
    if (input.idempotencyKey) {
      const existing = await findSeries(tx, ctx.userId, id);
      if (existing) return existing;
    }
    // Under the user lock, like task creation: two creates cannot both take the last place.
    const { series: limit } = quotasOf(ctx);
    if (await hasRunningSeries(tx, ctx.userId, limit))
      throw quotaExceeded('too many running series (stop some first)', limit, 'input');
    const recurrence = parseInput(
      RecurrenceInput,
      {
        rrule: input.rrule,
        dtstart: input.dtstart,
        timeZone: input.timeZone ?? settings.timeZone,
        exdates: (input.exdates ?? []).map((d) => d.toISOString()),
      },
      'input',
    );
    const series = await insertSeries(tx, {
      id,
      userId: ctx.userId,
      title: input.title,
      description: input.description ?? '',
      priority: input.priority ?? 'NONE',
      tags: input.tags ?? [],
      remindBeforeMs: input.remindBefore ?? [],
      recurrence,
      mode: input.mode ?? 'FIXED',
      maxOpen: input.maxOpen ?? DEFAULT_MAX_OPEN,
      materializeAhead: input.materializeAhead ?? 0,
    });
    await recordSeriesEvent(tx, ctx, series, 'series.created', {
      series: toSeriesSnapshot(series),
    });
    return series;
  });
}
