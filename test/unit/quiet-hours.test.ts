import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { QuietHoursInput, quietHoursEnd, type QuietHours } from '../../domain/quiet-hours.js';

const night = QuietHoursInput.parse({ start: '22:00', end: '07:00' });
const lunch = QuietHoursInput.parse({ start: '12:00', end: '13:30' });
const end = (iso: string, tz: string, q: QuietHours = night): string | null =>
  quietHoursEnd(new Date(iso), tz, q)?.toISOString() ?? null;

describe('quiet hours', () => {
  test('input: HH:MM, start and end differ', () => {
    assert.deepEqual(night, { startMinute: 22 * 60, endMinute: 7 * 60 });
    for (const bad of [
      { start: '7:00', end: '08:00' },
      { start: '24:00', end: '08:00' },
      { start: '22:00', end: '22:00' },
      { start: '22:00' },
    ])
      assert.equal(QuietHoursInput.safeParse(bad).success, false, JSON.stringify(bad));
  });

  test('across midnight: before midnight defers to tomorrow morning, after to this morning', () => {
    const tz = 'Europe/Berlin';
    // 2026-06-10 23:30 CEST → 2026-06-11 07:00 CEST
    assert.equal(end('2026-06-10T21:30:00Z', tz), '2026-06-11T05:00:00.000Z');
    // 2026-06-11 00:10 CEST → 07:00 the same day
    assert.equal(end('2026-06-10T22:10:00Z', tz), '2026-06-11T05:00:00.000Z');
    // exactly 22:00 is inside, exactly 07:00 is outside
    assert.equal(end('2026-06-10T20:00:00Z', tz), '2026-06-11T05:00:00.000Z');
    assert.equal(end('2026-06-11T05:00:00Z', tz), null);
    assert.equal(end('2026-06-10T19:59:59Z', tz), null);
  });

  test('a window within one day', () => {
    assert.equal(
      end('2026-06-10T16:15:00Z', 'America/New_York', lunch),
      '2026-06-10T17:30:00.000Z',
    );
    assert.equal(end('2026-06-10T18:00:00Z', 'America/New_York', lunch), null);
  });

  test('the night the clocks spring forward still ends at 07:00 local', () => {
    // Berlin, 28→29 Mar 2026: 23:00 CET → 07:00 CEST, only 7 hours later.
    assert.equal(end('2026-03-28T22:00:00Z', 'Europe/Berlin'), '2026-03-29T05:00:00.000Z');
    // New York, 7→8 Mar 2026: 23:00 EST → 07:00 EDT.
    assert.equal(end('2026-03-08T04:00:00Z', 'America/New_York'), '2026-03-08T11:00:00.000Z');
  });

  test('the night the clocks fall back still ends at 07:00 local', () => {
    // Berlin, 24→25 Oct 2026: 23:00 CEST → 07:00 CET, 9 hours later.
    assert.equal(end('2026-10-24T21:00:00Z', 'Europe/Berlin'), '2026-10-25T06:00:00.000Z');
    // New York, 31 Oct→1 Nov 2026: 23:00 EDT → 07:00 EST.
    assert.equal(end('2026-11-01T03:00:00Z', 'America/New_York'), '2026-11-01T12:00:00.000Z');
  });

  test('a window that ends inside the spring-forward gap ends at the far side of it', () => {
    const toHalfPastTwo = QuietHoursInput.parse({ start: '01:00', end: '02:30' });
    // Berlin 29 Mar 2026 01:30 CET: 02:30 does not exist; it resolves to 03:30 CEST (01:30Z).
    assert.equal(
      end('2026-03-29T00:30:00Z', 'Europe/Berlin', toHalfPastTwo),
      '2026-03-29T01:30:00.000Z',
    );
  });
});
