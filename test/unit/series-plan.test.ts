import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Recurrence } from '../../domain/recurrence/rule.js';
import { decideSeriesStep, type CreatedOccurrence } from '../../domain/series-plan.js';

// The series planner on its own: what the workflow does next, for a given rule, state and set
// of created occurrences. Daily at 09:00 UTC from 2026-06-01 unless said.

const at = (iso: string) => new Date(iso);
const daily: Recurrence = {
  rrule: 'FREQ=DAILY',
  dtstart: '2026-06-01T09:00:00',
  timeZone: 'UTC',
  exdates: [],
};
type PlanSeries = Parameters<typeof decideSeriesStep>[0];
const series = (over: Partial<PlanSeries> = {}): PlanSeries => ({
  recurrence: daily,
  mode: 'FIXED',
  state: 'ACTIVE',
  maxOpen: 3,
  materializeAhead: 0,
  notBefore: null,
  ...over,
});
const occ = (iso: string, how: 'open' | 'done' | 'deleted' = 'open', closedAt?: string) =>
  ({
    start: at(iso),
    open: how === 'open',
    deleted: how === 'deleted',
    closedAt: how === 'open' ? null : at(closedAt ?? iso),
  }) satisfies CreatedOccurrence;
const plan = (s: PlanSeries, created: CreatedOccurrence[], now: string) =>
  decideSeriesStep(s, created, at(now));
const create = (iso: string) => ({ kind: 'create', start: at(iso) });

describe('series plan: FIXED', () => {
  test('a new series creates its first occurrence at once, even days ahead', () => {
    assert.deepEqual(plan(series(), [], '2026-05-20T12:00:00Z'), create('2026-06-01T09:00:00Z'));
  });

  test('a first occurrence already long past is skipped for the next', () => {
    assert.deepEqual(plan(series(), [], '2026-06-03T12:00:00Z'), create('2026-06-04T09:00:00Z'));
  });

  test('while the latest is open and not due, it sleeps until the next start', () => {
    assert.deepEqual(plan(series(), [occ('2026-06-01T09:00:00Z')], '2026-05-30T00:00:00Z'), {
      kind: 'sleep',
      until: at('2026-06-02T09:00:00Z'),
    });
  });

  test('completing the latest creates the next at once', () => {
    const done = [occ('2026-06-01T09:00:00Z', 'done', '2026-06-01T10:00:00Z')];
    assert.deepEqual(plan(series(), done, '2026-06-01T10:00:01Z'), create('2026-06-02T09:00:00Z'));
  });

  test('neglected: occurrences come from the calendar, piling up to maxOpen, then wait', () => {
    const open = [occ('2026-06-01T09:00:00Z'), occ('2026-06-02T09:00:00Z')];
    assert.deepEqual(plan(series(), open, '2026-06-03T09:00:00Z'), create('2026-06-03T09:00:00Z'));
    const three = [...open, occ('2026-06-03T09:00:00Z')];
    assert.equal(plan(series(), three, '2026-06-04T09:00:00Z').kind, 'wait');
  });

  test('after a long gap (an outage) the series goes on with the next slot, no burst', () => {
    const done = [occ('2026-06-01T09:00:00Z', 'done')];
    // Ten days later, within the hour after 09:00: today's slot is created, not the nine before.
    assert.deepEqual(plan(series(), done, '2026-06-11T09:30:00Z'), create('2026-06-11T09:00:00Z'));
    // Later in the day: tomorrow's.
    assert.deepEqual(plan(series(), done, '2026-06-11T12:00:00Z'), create('2026-06-12T09:00:00Z'));
  });

  test('paused: wait; resumed: nothing before the resume time', () => {
    const done = [occ('2026-06-01T09:00:00Z', 'done')];
    assert.equal(plan(series({ state: 'PAUSED' }), done, '2026-06-05T09:10:00Z').kind, 'wait');
    const resumed = series({ notBefore: at('2026-06-05T09:10:00Z') });
    assert.deepEqual(plan(resumed, done, '2026-06-05T09:10:00Z'), create('2026-06-06T09:00:00Z'));
  });

  test('stopped or ended: done', () => {
    assert.deepEqual(plan(series({ state: 'STOPPED' }), [], '2026-06-01T00:00:00Z'), {
      kind: 'done',
      reason: 'stopped',
    });
  });

  test('COUNT: after the last occurrence, done (ended)', () => {
    const five = series({ recurrence: { ...daily, rrule: 'FREQ=DAILY;COUNT=2' } });
    const both = [occ('2026-06-01T09:00:00Z', 'done'), occ('2026-06-02T09:00:00Z', 'done')];
    assert.deepEqual(plan(five, both, '2026-06-02T10:00:00Z'), { kind: 'done', reason: 'ended' });
  });

  test('a deleted occurrence (EXDATE) counts as created: the series goes on after it', () => {
    const s = series({ recurrence: { ...daily, exdates: ['2026-06-02T09:00:00.000Z'] } });
    const created = [occ('2026-06-01T09:00:00Z', 'done'), occ('2026-06-02T09:00:00Z', 'deleted')];
    assert.deepEqual(plan(s, created, '2026-06-01T12:00:00Z'), create('2026-06-03T09:00:00Z'));
  });

  test('an occurrence removed by a rule edit does not count: the new rule fills in', () => {
    const weekly = series({
      recurrence: { ...daily, rrule: 'FREQ=WEEKLY;BYDAY=MO,WE', dtstart: '2026-06-01T09:00:00' },
    });
    // Created under the old daily rule: 1 June (Mon, done) and 2 June (Tue, removed by the edit).
    const created = [occ('2026-06-01T09:00:00Z', 'done'), occ('2026-06-02T09:00:00Z', 'deleted')];
    assert.deepEqual(plan(weekly, created, '2026-06-01T12:00:00Z'), create('2026-06-03T09:00:00Z'));
  });

  test('a start the series already has a task for is never planned again', () => {
    // The daily rule was edited to weekdays and back: 2 June's task, removed by the first
    // edit, is still there (deleted); the next start is 3 June, not 2 June again.
    const created = [occ('2026-06-01T09:00:00Z', 'done'), occ('2026-06-02T09:00:00Z', 'deleted')];
    const plans = plan(series(), created.slice(0, 1), '2026-06-01T12:00:00Z');
    assert.deepEqual(plans, create('2026-06-02T09:00:00Z'));
    const edited = { ...created[1]!, start: at('2026-06-02T09:00:00Z') };
    assert.deepEqual(
      plan(series(), [created[0]!, edited], '2026-06-01T12:00:00Z'),
      create('2026-06-03T09:00:00Z'),
    );
  });

  test('materializeAhead keeps that many future occurrences created', () => {
    const s = series({ materializeAhead: 2 });
    const one = [occ('2026-06-01T09:00:00Z')];
    assert.deepEqual(plan(s, one, '2026-05-30T00:00:00Z'), create('2026-06-02T09:00:00Z'));
    const two = [...one, occ('2026-06-02T09:00:00Z')];
    assert.equal(plan(s, two, '2026-05-30T00:00:00Z').kind, 'sleep');
  });
});

describe('series plan: AFTER_COMPLETION', () => {
  const every3 = series({
    mode: 'AFTER_COMPLETION',
    recurrence: { ...daily, rrule: 'FREQ=DAILY;INTERVAL=3' },
  });

  test('one open occurrence at a time', () => {
    assert.equal(plan(every3, [occ('2026-06-01T09:00:00Z')], '2026-06-09T00:00:00Z').kind, 'wait');
  });

  test('the next counts from the completion day, at the time of day of DTSTART', () => {
    const done = [occ('2026-06-01T09:00:00Z', 'done', '2026-06-05T15:00:00Z')];
    assert.deepEqual(plan(every3, done, '2026-06-05T15:00:01Z'), create('2026-06-08T09:00:00Z'));
  });

  test('completed before its own start: the next still comes after it', () => {
    // Due 10 June, completed on 2 June: "3 days after" would be 5 June, before the one done.
    const early = [occ('2026-06-10T09:00:00Z', 'done', '2026-06-02T08:00:00Z')];
    const next = plan(every3, early, '2026-06-02T08:00:01Z');
    assert.equal(next.kind, 'create');
    assert.ok(
      next.kind === 'create' && next.start > at('2026-06-10T09:00:00Z'),
      JSON.stringify(next),
    );
  });

  test('COUNT counts created occurrences', () => {
    const twice = series({ ...every3, recurrence: { ...daily, rrule: 'FREQ=DAILY;COUNT=1' } });
    const done = [occ('2026-06-01T09:00:00Z', 'done', '2026-06-01T10:00:00Z')];
    assert.deepEqual(plan(twice, done, '2026-06-01T10:00:01Z'), { kind: 'done', reason: 'ended' });
  });

  test('resumed long after the last completion: counts from now', () => {
    const done = [occ('2026-06-01T09:00:00Z', 'done', '2026-06-01T10:00:00Z')];
    const resumed = { ...every3, notBefore: at('2026-06-20T12:00:00Z') };
    assert.deepEqual(plan(resumed, done, '2026-06-20T12:00:00Z'), create('2026-06-23T09:00:00Z'));
  });
});
