import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dueFilterOf } from '../../api/mcp/due-range.js';

// find_tasks' named due ranges, read in the user's zone from local midnights.

test('today in Berlin on the day clocks go forward is 23 hours, from local midnight', () => {
  const now = new Date('2026-03-29T10:00:00Z'); // Sunday 12:00 CEST
  const { dueAfter, dueBefore } = dueFilterOf('today', now, 'Europe/Berlin');
  assert.equal(dueAfter?.toISOString(), '2026-03-28T23:00:00.000Z');
  assert.equal(dueBefore?.toISOString(), '2026-03-29T22:00:00.000Z');
});

test('today in New York late in the evening is still the local day, not the UTC one', () => {
  const now = new Date('2026-11-03T03:30:00Z'); // Monday 22:30 EST
  const { dueAfter, dueBefore } = dueFilterOf('today', now, 'America/New_York');
  assert.equal(dueAfter?.toISOString(), '2026-11-02T05:00:00.000Z');
  assert.equal(dueBefore?.toISOString(), '2026-11-03T05:00:00.000Z');
});

test('this week runs Monday to Sunday, also when asked on a Sunday', () => {
  const now = new Date('2026-03-29T10:00:00Z'); // Sunday
  const { dueAfter, dueBefore } = dueFilterOf('this_week', now, 'Europe/Berlin');
  assert.equal(dueAfter?.toISOString(), '2026-03-22T23:00:00.000Z'); // Monday 23 March, CET
  assert.equal(dueBefore?.toISOString(), '2026-03-29T22:00:00.000Z'); // Monday 30 March, CEST
});

test('tomorrow, next 7 days, overdue and no due date', () => {
  const now = new Date('2026-06-10T12:00:00Z');
  assert.deepEqual(dueFilterOf('tomorrow', now, 'UTC'), {
    dueAfter: new Date('2026-06-11T00:00:00Z'),
    dueBefore: new Date('2026-06-12T00:00:00Z'),
  });
  assert.deepEqual(dueFilterOf('next_7_days', now, 'UTC'), {
    dueAfter: now,
    dueBefore: new Date('2026-06-18T00:00:00Z'),
  });
  assert.deepEqual(dueFilterOf('overdue', now, 'UTC'), { overdue: true });
  assert.deepEqual(dueFilterOf('no_due_date', now, 'UTC'), { hasDueDate: false });
});
