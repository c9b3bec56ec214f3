import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addLocalDays,
  formatWithOffset,
  fromLocal,
  offsetMsAt,
  toLocal,
  type LocalDateTime,
} from '../../domain/time/local-date-time.js';

const local = (iso: string): LocalDateTime => {
  const [date, time = '00:00:00'] = iso.split('T');
  const [year, month, day] = date!.split('-').map(Number);
  const [hour, minute, second = 0] = time.split(':').map(Number);
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second };
};
const at = (tz: string, iso: string): string => fromLocal(local(iso), tz).toISOString();

describe('zoned time', () => {
  // 2026: Berlin springs forward 29 Mar 02:00→03:00 and falls back 25 Oct 03:00→02:00;
  // New York springs forward 8 Mar 02:00→03:00 and falls back 1 Nov 02:00→01:00.
  const cases: [string, string, string][] = [
    ['Europe/Berlin', '2026-03-28T09:00:00', '2026-03-28T08:00:00.000Z'],
    ['Europe/Berlin', '2026-03-30T09:00:00', '2026-03-30T07:00:00.000Z'],
    ['Europe/Berlin', '2026-10-24T09:00:00', '2026-10-24T07:00:00.000Z'],
    ['Europe/Berlin', '2026-10-26T09:00:00', '2026-10-26T08:00:00.000Z'],
    ['America/New_York', '2026-03-07T09:00:00', '2026-03-07T14:00:00.000Z'],
    ['America/New_York', '2026-03-09T09:00:00', '2026-03-09T13:00:00.000Z'],
    ['America/New_York', '2026-10-31T09:00:00', '2026-10-31T13:00:00.000Z'],
    ['America/New_York', '2026-11-02T09:00:00', '2026-11-02T14:00:00.000Z'],
    ['UTC', '2026-06-01T12:34:56', '2026-06-01T12:34:56.000Z'],
    ['Asia/Kolkata', '2026-06-01T09:00:00', '2026-06-01T03:30:00.000Z'],
  ];
  for (const [tz, wall, instant] of cases)
    test(`${wall} in ${tz} is ${instant}, and back`, () => {
      assert.equal(at(tz, wall), instant);
      assert.deepEqual(toLocal(new Date(instant), tz), local(wall));
    });

  test('a time in the spring-forward gap moves forward by the gap (RFC 5545)', () => {
    assert.equal(at('Europe/Berlin', '2026-03-29T02:30:00'), '2026-03-29T01:30:00.000Z'); // 03:30 CEST
    assert.equal(at('America/New_York', '2026-03-08T02:30:00'), '2026-03-08T07:30:00.000Z'); // 03:30 EDT
  });

  test('a time that occurs twice at fall-back is its first occurrence', () => {
    assert.equal(at('Europe/Berlin', '2026-10-25T02:30:00'), '2026-10-25T00:30:00.000Z'); // CEST
    assert.equal(at('America/New_York', '2026-11-01T01:30:00'), '2026-11-01T05:30:00.000Z'); // EDT
  });

  test('offsets either side of a change', () => {
    assert.equal(offsetMsAt(new Date('2026-03-29T00:59:59Z'), 'Europe/Berlin'), 3_600_000);
    assert.equal(offsetMsAt(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin'), 7_200_000);
    assert.equal(offsetMsAt(new Date('2026-11-01T06:00:00Z'), 'America/New_York'), -18_000_000);
  });

  test('formatWithOffset shows the offset in force', () => {
    const berlin = 'Europe/Berlin';
    assert.equal(
      formatWithOffset(new Date('2026-03-30T07:00:00Z'), berlin),
      '2026-03-30T09:00:00+02:00',
    );
    assert.equal(
      formatWithOffset(new Date('2026-03-28T08:00:00Z'), berlin),
      '2026-03-28T09:00:00+01:00',
    );
    assert.equal(
      formatWithOffset(new Date('2026-11-02T14:00:00Z'), 'America/New_York'),
      '2026-11-02T09:00:00-05:00',
    );
    assert.equal(
      formatWithOffset(new Date('2026-06-01T03:30:00Z'), 'Asia/Kolkata'),
      '2026-06-01T09:00:00+05:30',
    );
  });

  test('addLocalDays crosses month and year ends and leap days', () => {
    assert.deepEqual(addLocalDays(local('2026-12-31T09:00:00'), 1), local('2027-01-01T09:00:00'));
    assert.deepEqual(addLocalDays(local('2028-02-28T09:00:00'), 1), local('2028-02-29T09:00:00'));
    assert.deepEqual(addLocalDays(local('2026-03-01T09:00:00'), -1), local('2026-02-28T09:00:00'));
  });
});
