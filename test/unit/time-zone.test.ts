import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PreviewRecurrenceArgs, parseRecurrence } from '../../api/series/recurrence-queries.js';
import { RecurrenceInput } from '../../domain/recurrence/input.js';
import { parseRecurrenceText } from '../../domain/recurrence/parse-text.js';
import { canonicalTimeZone, MAX_TIME_ZONE_CHARS, TimeZone } from '../../domain/time/zone.js';
import { UpdateSettingsInput } from '../../domain/user.js';

// Settings refused Asia/Kolkata and Europe/Kyiv while series took them: every edge now reads a
// zone with the one TimeZone schema, and these tests hold each edge to the same answers.

/** Both names of each zone, and the one stored (what this runtime's ICU lists). */
const ALIASES: [string, string, string][] = [
  ['Asia/Kolkata', 'Asia/Calcutta', 'Asia/Calcutta'],
  ['Europe/Kyiv', 'Europe/Kiev', 'Europe/Kiev'],
  ['Asia/Ho_Chi_Minh', 'Asia/Saigon', 'Asia/Saigon'],
  ['America/Nuuk', 'America/Godthab', 'America/Godthab'],
];
const REFUSED = ['Mars/Olympus', '', 'europe/berlin ', '+02:00', 'Europe/Berlin\u0000', 'Local'];

const series = (timeZone: string) =>
  RecurrenceInput.safeParse({ rrule: 'FREQ=DAILY', dtstart: '2026-05-01T09:00', timeZone });

describe('canonicalTimeZone', () => {
  for (const [modern, old, stored] of ALIASES) {
    test(`${modern} and ${old} are one zone, stored as ${stored}`, () => {
      assert.equal(canonicalTimeZone(modern), stored);
      assert.equal(canonicalTimeZone(old), stored);
    });
  }

  test('listed names are kept; UTC spellings and letter case resolve', () => {
    assert.equal(canonicalTimeZone('Europe/Berlin'), 'Europe/Berlin');
    assert.equal(canonicalTimeZone('UTC'), 'UTC');
    assert.equal(canonicalTimeZone('Etc/UTC'), 'Etc/UTC');
    assert.equal(canonicalTimeZone('GMT'), 'UTC');
    assert.equal(canonicalTimeZone('europe/berlin'), 'Europe/Berlin');
  });

  for (const bad of REFUSED) {
    test(`${JSON.stringify(bad)} is no zone`, () => assert.equal(canonicalTimeZone(bad), null));
  }

  test(`text longer than ${MAX_TIME_ZONE_CHARS} characters is refused before Intl reads it`, () => {
    const long = `Europe/${'B'.repeat(MAX_TIME_ZONE_CHARS)}`;
    assert.equal(canonicalTimeZone(long), null);
    const parsed = TimeZone.safeParse(long);
    assert.equal(parsed.success, false);
    assert.match(parsed.error!.issues[0]!.message, /at most 64 characters/);
  });
});

describe('every edge reads a zone the same way', () => {
  for (const [modern, old, stored] of ALIASES) {
    for (const name of [modern, old]) {
      test(`${name}: settings, series, previews and parsed text all take it as ${stored}`, () => {
        assert.equal(UpdateSettingsInput.parse({ timeZone: name }).timeZone, stored);
        const s = series(name);
        assert.ok(s.success);
        assert.equal(s.data.timeZone, stored);
        assert.equal(
          PreviewRecurrenceArgs.safeParse({
            rrule: 'FREQ=DAILY',
            dtstart: '2026-05-01T09:00',
            timeZone: name,
            count: 1,
          }).success,
          true,
        );
        assert.equal(
          parseRecurrence('every day at 9am', name, new Date('2026-05-01T00:00:00Z')).timeZone,
          stored,
        );
        const text = parseRecurrenceText('every day', name, new Date('2026-05-01T00:00:00Z'));
        assert.ok(text.ok);
      });
    }
  }

  for (const bad of REFUSED) {
    test(`${JSON.stringify(bad)}: refused by settings and series with one message`, () => {
      const settings = UpdateSettingsInput.safeParse({ timeZone: bad });
      const s = series(bad);
      assert.equal(settings.success, false);
      assert.equal(s.success, false);
      assert.deepEqual(settings.error!.issues[0]!.path, ['timeZone']);
      assert.deepEqual(s.error!.issues[0]!.path, ['timeZone']);
      assert.equal(settings.error!.issues[0]!.message, s.error!.issues[0]!.message);
    });
  }
});
