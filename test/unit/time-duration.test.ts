import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DurationMs, formatDurationMs, parseDurationMs } from '../../domain/time/duration.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('parseDurationMs', () => {
  const valid: [string, number][] = [
    ['PT30M', 30 * MIN],
    ['P1DT2H', DAY + 2 * HOUR],
    ['PT0.5S', 500],
    ['PT1.234S', 1_234],
    ['P2W', 14 * DAY],
    ['P1W2DT3H4M5S', 7 * DAY + 2 * DAY + 3 * HOUR + 4 * MIN + 5_000],
    ['PT0S', 0],
    ['P3D', 3 * DAY],
    ['-PT5M', -5 * MIN],
    ['-P1D', -DAY],
  ];
  for (const [text, ms] of valid) {
    test(`${text} is ${ms} ms`, () => {
      assert.equal(parseDurationMs(text), ms);
    });
  }

  const rejected = [
    'P',
    'PT',
    '-P',
    'P1DT',
    'P1M', // months have no fixed length
    'P1Y', // nor do years
    'P1Y2M',
    '30m',
    'pt30m',
    '',
    ' PT30M',
    'PT30M ',
    'PT-5M',
    'PT0.1234S', // below a millisecond
    'PT.5S',
    'P1H', // hours belong after T
    'PT1D', // days belong before T
    'P1D2W', // out of order
    '1800000',
  ];
  for (const text of rejected) {
    test(`${JSON.stringify(text)} is refused`, () => {
      assert.equal(parseDurationMs(text), undefined);
    });
  }
});

describe('formatDurationMs', () => {
  const cases: [number, string][] = [
    [30 * MIN, 'PT30M'],
    [DAY + 2 * HOUR, 'P1DT2H'],
    [500, 'PT0.5S'],
    [14 * DAY, 'P14D'],
    [-5 * MIN, '-PT5M'],
    [0, 'PT0S'],
    [DAY + 1, 'P1DT0.001S'],
    [HOUR + MIN + 1_500, 'PT1H1M1.5S'],
  ];
  for (const [ms, text] of cases) {
    test(`${ms} ms is ${text}`, () => {
      assert.equal(formatDurationMs(ms), text);
    });
  }

  test('format(parse(x)) denotes the same duration for every valid form', () => {
    for (const text of [
      'PT30M',
      'P1DT2H',
      'PT0.5S',
      'P2W',
      '-PT5M',
      'P1W2DT3H4M5.678S',
      'PT0S',
      'PT90M',
      'PT3600S',
    ]) {
      const ms = parseDurationMs(text);
      assert.notEqual(ms, undefined, text);
      const formatted = formatDurationMs(ms!);
      assert.equal(parseDurationMs(formatted), ms, `${text} → ${formatted}`);
      // The formatted form is canonical: formatting it again changes nothing.
      assert.equal(formatDurationMs(parseDurationMs(formatted)!), formatted);
    }
  });

  test('parse(format(ms)) is the identity on whole milliseconds', () => {
    // A fixed pseudo-random sample (LCG), so a failure is reproducible.
    let seed = 42;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    const samples = [0, 1, 999, 1_000, 59_999, 60_000, HOUR - 1, DAY - 1, DAY, 400 * DAY + 1];
    for (let i = 0; i < 2_000; i++)
      samples.push((next() % 2_000_000) * (next() % 3 === 0 ? 1 : 997) * (i % 2 ? 1 : -1));
    for (const ms of samples) {
      const text = formatDurationMs(ms);
      // (-0 formats as PT0S, which parses to +0; strict equal tells them apart.)
      assert.equal(parseDurationMs(text), ms === 0 ? 0 : ms, `${ms} → ${text}`);
    }
  });
});

describe('DurationMs (zod)', () => {
  test('parses a valid duration to milliseconds', () => {
    assert.deepEqual(DurationMs.safeParse('PT30M'), { success: true, data: 30 * MIN });
  });

  test('refuses P1M with a message naming the value and the accepted units', () => {
    const r = DurationMs.safeParse('P1M');
    assert.equal(r.success, false);
    assert.match(
      r.error!.issues[0]!.message,
      /"P1M" is not an ISO-8601 duration in weeks, days, hours, minutes or seconds/,
    );
  });

  test('refuses a non-string', () => {
    assert.equal(DurationMs.safeParse(1_800_000).success, false);
  });
});
