import { randomUUID } from 'node:crypto';
import { insertReminders } from '../db/reminders.js';
import {
  findSeriesById,
  insertOccurrence,
  occurrencesOf,
  occurrenceTaskId,
  updateSeries,
} from '../db/series.js';
import { appendEvent } from '../db/outbox.js';
import { transaction, type Sql } from '../db/sql.js';
import { findTaskById } from '../db/tasks.js';
import { EventSource, toTaskSnapshot } from '../domain/events.js';
import { newTaskId, type UserId } from '../domain/ids.js';
import { decideSeriesStep } from '../domain/series-plan.js';
import { seriesSummaryOf } from './series-summary.js';

export interface PlanSeriesInput {
  seriesId: string;
  /** The workflow's clock (ISO): the plan is made for the workflow's now, replay-safe. */
  now: string;
}

/**
 * A plan as plain data for the workflow (no Dates through the payload converter), with the
 * series' one-line summary for the web UI as of now (absent from plans recorded before it).
 */
export type SeriesStep = (
  | { kind: 'create'; start: string }
  | { kind: 'sleep'; until: string }
  | { kind: 'wait'; reason: string }
  | { kind: 'done'; reason: string }
) & { summary?: string };

export interface CreateOccurrenceInput {
  seriesId: string;
  /** ISO instant: with the series id, the occurrence's identity. */
  start: string;
}

export type CreateOccurrenceOutcome =
  { outcome: 'created' | 'exists'; taskId: string } | { outcome: 'not-active' };

export function createSeriesActivities({ sql }: { sql: Sql }) {
  return {
    /**
     * Expands the rule (rrule reads Intl: never in workflow code) against what the database
     * says has happened, and tells the workflow what to do next. A series left with nothing
     * to create is marked ENDED.
     */
    async planSeries(input: PlanSeriesInput): Promise<SeriesStep> {
      const series = await findSeriesById(sql, input.seriesId);
      if (!series) return { kind: 'done', reason: 'no such series' };
      const plan = decideSeriesStep(
        series,
        await occurrencesOf(sql, series.id),
        new Date(input.now),
      );
      if (plan.kind === 'done' && plan.reason === 'ended' && series.state === 'ACTIVE')
        await updateSeries(sql, series.id, { state: 'ENDED' });
      const summary = seriesSummaryOf(series.title, series.recurrence, series.mode);
      switch (plan.kind) {
        case 'create':
          return { kind: 'create', start: plan.start.toISOString(), summary };
        case 'sleep':
          return { kind: 'sleep', until: plan.until.toISOString(), summary };
        default:
          return { ...plan, summary };
      }
    },

    /**
     * Creates the occurrence's task from the series' current template, with its reminders and
     * its task.created event, in one transaction; idempotent on (seriesId, start) through the
     * unique index, so a retry after a crash, or a duplicate plan, creates nothing more.
     */
    async createOccurrence(input: CreateOccurrenceInput): Promise<CreateOccurrenceOutcome> {
      return transaction(sql, async (tx) => {
        // Locked: a pause or stop committed meanwhile wins over a plan made before it.
        const series = await findSeriesById(tx, input.seriesId, { forUpdate: true });
        if (!series || series.state !== 'ACTIVE') return { outcome: 'not-active' };
        const start = new Date(input.start);
        const id = newTaskId();
        if (!(await insertOccurrence(tx, { id, series, start }))) {
          return { outcome: 'exists', taskId: (await occurrenceTaskId(tx, series.id, start))! };
        }
        const userId = series.userId as UserId;
        await insertReminders(
          tx,
          series.remindBeforeMs.map((ms) => ({
            id: randomUUID(),
            taskId: id,
            userId,
            offsetMs: -ms,
            at: null,
          })),
        );
        const task = (await findTaskById(tx, id))!;
        await appendEvent(tx, {
          type: 'task.created',
          source: EventSource.worker,
          time: task.createdAt,
          subject: task.id,
          userId,
          data: { task: toTaskSnapshot(task) },
        });
        return { outcome: 'created', taskId: id };
      });
    },
  };
}

export type SeriesActivities = ReturnType<typeof createSeriesActivities>;
