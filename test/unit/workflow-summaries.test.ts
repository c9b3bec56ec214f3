import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seriesSummaryOf } from '../../activities/series-summary.js';
import {
  clipTitle,
  reminderCurrentDetails,
  reminderSummary,
  TITLE_MAX_CHARS,
  utc,
} from '../../workflows/summaries.js';

// The web UI's lines for each workflow: titles are user text, so they are bounded and kept on
// one line; a series' rule is described in words.

describe('workflow summaries', () => {
  test('a short title is kept; whitespace and line breaks become single spaces', () => {
    assert.equal(reminderSummary('Pay rent'), 'Reminders for ‘Pay rent’');
    assert.equal(clipTitle('  Pay\n\trent  '), 'Pay rent');
  });

  test('a long title is cut to the bound with an ellipsis, never inside a code point', () => {
    const long = 'x'.repeat(TITLE_MAX_CHARS - 1) + '😀'.repeat(10);
    const clipped = clipTitle(long);
    assert.equal([...clipped].length, TITLE_MAX_CHARS);
    assert.ok(clipped.endsWith('x…'), clipped);
    assert.equal(clipTitle('y'.repeat(TITLE_MAX_CHARS)), 'y'.repeat(TITLE_MAX_CHARS));
    assert.equal([...clipTitle('😀'.repeat(200))].length, TITLE_MAX_CHARS);
  });

  test('current details: the summary, then the next fire time in UTC', () => {
    const next = { id: 'r1', fireAt: '2026-12-01T08:30:00.000Z' };
    assert.equal(utc(next.fireAt), '2026-12-01 08:30:00 UTC');
    assert.equal(
      reminderCurrentDetails('Pay rent', 'OPEN', next, 2),
      'Reminders for ‘Pay rent’\n\nNext reminder at 2026-12-01 08:30:00 UTC (reminder `r1`; 2 pending)',
    );
    assert.equal(
      reminderCurrentDetails('Pay rent', 'COMPLETED', undefined, 0),
      'Reminders for ‘Pay rent’\n\nTask completed: nothing left to fire',
    );
  });

  test('a series: its title and its rule in words; a rule it cannot read leaves the title', () => {
    const recurrence = {
      rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
      dtstart: '2026-12-01T09:00:00',
      timeZone: 'UTC',
      exdates: [],
    };
    assert.match(
      seriesSummaryOf('Standup', recurrence, 'FIXED'),
      /^Series ‘Standup’ · every .*9:00 AM$/,
    );
    assert.equal(
      seriesSummaryOf('Standup', { ...recurrence, rrule: 'FREQ=NEVER' }, 'FIXED'),
      'Series ‘Standup’',
    );
  });
});
