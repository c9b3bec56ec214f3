import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiUser, assertError, type ApiUser } from '../support/api-client.js';
import { eventually } from '../support/graphql.js';

// Recurring series through the real stack: api → outbox → relay → series workflow on the
// Temporal dev server → occurrence tasks, visible through the tasks query. Rules start
// tomorrow, so every step here is driven by completions and edits, not by waiting for time.

const SERIES = /* GraphQL */ `
  fragment S on Series {
    id
    title
    state
    rrule
    dtstart
    timeZone
    exdates
    text
    version
    nextOccurrenceAt
    occurrences(past: 10, upcoming: 3) {
      start
      state
      task {
        id
      }
    }
  }
`;
const CREATE = `mutation($input: CreateSeriesInput!) { createSeries(input: $input) { ...S } } ${SERIES}`;
const GET = `query($id: ID!) { series(id: $id) { ...S } } ${SERIES}`;
const OCCURRENCES = /* GraphQL */ `
  query ($id: ID!) {
    tasks(filter: { seriesId: $id }, orderBy: { field: DUE_AT }) {
      edges {
        node {
          id
          title
          status
          dueAt
          nextReminderAt
        }
      }
    }
  }
`;
const COMPLETE = `mutation($id: ID!) { completeTask(id: $id) { id } }`;

interface Occ {
  id: string;
  title: string;
  status: string;
  dueAt: string;
  nextReminderAt: string | null;
}
interface SeriesView {
  id: string;
  title: string;
  state: string;
  exdates: string[];
  text: string;
  version: number;
  nextOccurrenceAt: string | null;
  occurrences: { start: string; state: string; task: { id: string } | null }[];
}

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

async function occurrences(u: ApiUser, seriesId: string): Promise<Occ[]> {
  const data = await u.ok<{ tasks: { edges: { node: Occ }[] } }>(OCCURRENCES, { id: seriesId });
  return data.tasks.edges.map((e) => e.node);
}

/** Waits until the series has `count` occurrences (any status). */
const untilOccurrences = (u: ApiUser, seriesId: string, count: number) =>
  eventually(`${count} occurrences of ${seriesId}`, async () => {
    const list = await occurrences(u, seriesId);
    return list.length >= count ? list : undefined;
  });

async function create(u: ApiUser, input: Record<string, unknown>): Promise<SeriesView> {
  return (await u.ok<{ createSeries: SeriesView }>(CREATE, { input })).createSeries;
}
const get = async (u: ApiUser, id: string) =>
  (await u.ok<{ series: SeriesView | null }>(GET, { id })).series;

describe('recurring series through the stack', () => {
  test('COUNT=5: each completion creates the next; after five, the series has ended', async () => {
    const u = await apiUser('series-count');
    const s = await create(u, {
      title: 'Stretch',
      rrule: 'FREQ=DAILY;COUNT=5',
      dtstart: `${tomorrow()}T09:00:00`,
      timeZone: 'Europe/Berlin',
      remindBefore: ['PT30M'],
    });
    assert.equal(s.state, 'ACTIVE');
    assert.match(s.text, /every day at 9:00 AM, 5 times/);
    for (let i = 1; i <= 5; i++) {
      const list = await untilOccurrences(u, s.id, i);
      assert.equal(list.length, i);
      const current = list[i - 1]!;
      assert.equal(current.status, 'OPEN');
      assert.ok(current.nextReminderAt, 'the template reminder is armed');
      assert.equal(Date.parse(current.dueAt) - Date.parse(current.nextReminderAt!), 30 * 60_000);
      await u.ok(COMPLETE, { id: current.id });
    }
    const ended = await eventually('the series to end', async () => {
      const now = await get(u, s.id);
      return now?.state === 'ENDED' ? now : undefined;
    });
    assert.equal(ended.nextOccurrenceAt, null);
    await new Promise((r) => setTimeout(r, 1_500));
    const list = await occurrences(u, s.id);
    assert.equal(list.length, 5, 'exactly five occurrences');
    // Local 09:00 every day, whatever the offset (the series may cross a DST change).
    for (const o of list) assert.match(new Date(o.dueAt).toISOString(), /T0[78]:00:00/);
  });

  test('deleting one occurrence leaves the series running; skipping goes past the next', async () => {
    const u = await apiUser('series-delete');
    const s = await create(u, {
      title: 'Water the plants',
      rrule: 'FREQ=DAILY',
      dtstart: `${tomorrow()}T09:00:00`,
      timeZone: 'UTC',
    });
    const [first] = await untilOccurrences(u, s.id, 1);
    const after = await u.ok<{ deleteOccurrence: SeriesView }>(
      `mutation($id: ID!) { deleteOccurrence(taskId: $id) { ...S } } ${SERIES}`,
      { id: first!.id },
    );
    assert.deepEqual(after.deleteOccurrence.exdates, [new Date(first!.dueAt).toISOString()]);
    const second = await eventually('the next occurrence', async () => {
      const list = await occurrences(u, s.id);
      return list.find((o) => o.id !== first!.id);
    });
    assert.equal(Date.parse(second.dueAt) - Date.parse(first!.dueAt), 86_400_000);

    await u.ok(`mutation($id: ID!) { skipNextOccurrence(id: $id) { id } }`, { id: s.id });
    const third = await eventually('the occurrence after the skipped one', async () => {
      const list = await occurrences(u, s.id);
      return list.find((o) => o.id !== second.id);
    });
    assert.equal(Date.parse(third.dueAt) - Date.parse(second.dueAt), 86_400_000);
    const view = (await get(u, s.id))!;
    assert.deepEqual(
      view.occurrences.map((o) => o.state),
      ['DELETED', 'DELETED', 'OPEN'],
    );
  });

  test('editing this and future: later occurrences change, earlier ones stay', async () => {
    const u = await apiUser('series-edit');
    const s = await create(u, {
      title: 'Read',
      rrule: 'FREQ=DAILY',
      dtstart: `${tomorrow()}T09:00:00`,
      timeZone: 'UTC',
    });
    const [first] = await untilOccurrences(u, s.id, 1);
    await u.ok(COMPLETE, { id: first!.id });
    const [, second] = await untilOccurrences(u, s.id, 2);
    await u.ok(`mutation($input: UpdateSeriesInput!) { updateSeries(input: $input) { id } }`, {
      input: { id: s.id, title: 'Read a chapter' },
    });
    const list = await occurrences(u, s.id);
    assert.deepEqual(
      list.map((o) => [o.id, o.title]),
      [
        [first!.id, 'Read'],
        [second!.id, 'Read a chapter'],
      ],
    );
    await u.ok(COMPLETE, { id: second!.id });
    const third = (await untilOccurrences(u, s.id, 3))[2]!;
    assert.equal(third.title, 'Read a chapter');
  });

  test('stop: the upcoming occurrence is removed and nothing more is created', async () => {
    const u = await apiUser('series-stop');
    const s = await create(u, {
      title: 'Gym',
      rrule: 'FREQ=WEEKLY;BYDAY=MO,TH',
      dtstart: `${tomorrow()}T18:00:00`,
      timeZone: 'America/New_York',
    });
    await untilOccurrences(u, s.id, 1);
    const stopped = await u.ok<{ stopSeries: SeriesView }>(
      `mutation($id: ID!) { stopSeries(id: $id) { ...S } } ${SERIES}`,
      { id: s.id },
    );
    assert.equal(stopped.stopSeries.state, 'STOPPED');
    await new Promise((r) => setTimeout(r, 1_500));
    assert.deepEqual(await occurrences(u, s.id), []);
  });

  test("another user's series is absent", async () => {
    const [a, b] = [await apiUser('series-a'), await apiUser('series-b')];
    const s = await create(a, {
      title: 'Mine',
      rrule: 'FREQ=MONTHLY;BYMONTHDAY=-1',
      dtstart: `${tomorrow()}T09:00:00`,
    });
    assert.equal(await get(b, s.id), null);
    assertError(
      await b.fails(`mutation($id: ID!) { pauseSeries(id: $id) { id } }`, { id: s.id }),
      'NOT_FOUND',
    );
  });

  test('bad input names the field', async () => {
    const u = await apiUser('series-bad');
    const base = { title: 'x', rrule: 'FREQ=DAILY', dtstart: '2026-03-28T09:00:00' };
    for (const [input, path] of [
      [{ ...base, rrule: 'FREQ=HOURLY' }, 'input.rrule'],
      [{ ...base, dtstart: '2026-03-28T09:00:00+01:00' }, 'input.dtstart'],
      [{ ...base, timeZone: 'Mars/Olympus' }, 'input.timeZone'],
      [{ ...base, maxOpen: 0 }, 'input.maxOpen'],
      [{ ...base, title: '' }, 'input.title'],
    ] as const) {
      assertError(await u.fails(CREATE, { input }), 'BAD_USER_INPUT', path);
    }
  });
});

describe('previewRecurrence and parseRecurrence', () => {
  const PREVIEW = `query($input: PreviewRecurrenceInput!) { previewRecurrence(input: $input) { occurrences text } }`;
  const PARSE = `query($text: String!, $tz: String!) { parseRecurrence(text: $text, timeZone: $tz) { rrule dtstart mode text } }`;

  test('RFC 5545: monthly on the first Friday, ten times, in New York', async () => {
    const u = await apiUser('preview');
    const { previewRecurrence } = await u.ok<{
      previewRecurrence: { occurrences: string[]; text: string };
    }>(PREVIEW, {
      input: {
        rrule: 'FREQ=MONTHLY;COUNT=10;BYDAY=1FR',
        dtstart: '1997-09-05T09:00:00',
        timeZone: 'America/New_York',
        count: 20,
      },
    });
    assert.deepEqual(previewRecurrence.occurrences, [
      '1997-09-05T09:00:00-04:00',
      '1997-10-03T09:00:00-04:00',
      '1997-11-07T09:00:00-05:00',
      '1997-12-05T09:00:00-05:00',
      '1998-01-02T09:00:00-05:00',
      '1998-02-06T09:00:00-05:00',
      '1998-03-06T09:00:00-05:00',
      '1998-04-03T09:00:00-05:00',
      '1998-05-01T09:00:00-04:00',
      '1998-06-05T09:00:00-04:00',
    ]);
    assert.ok(previewRecurrence.text.length > 0);
  });

  test('count above 500 and an unreadable rule are BAD_USER_INPUT naming the field', async () => {
    const u = await apiUser('preview-bad');
    const input = { rrule: 'FREQ=DAILY', dtstart: '2026-03-28T09:00:00', timeZone: 'UTC' };
    assertError(
      await u.fails(PREVIEW, { input: { ...input, count: 501 } }),
      'BAD_USER_INPUT',
      'input.count',
    );
    assertError(
      await u.fails(PREVIEW, { input: { ...input, rrule: 'FREQ=DAILY;BYDAY=XX', count: 1 } }),
      'BAD_USER_INPUT',
      'input.rrule',
    );
  });

  test('parseRecurrence reads words; what it cannot read is named', async () => {
    const u = await apiUser('parse');
    const ok = await u.ok<{ parseRecurrence: { rrule: string; mode: string } }>(PARSE, {
      text: 'every 3 days after completion',
      tz: 'Europe/Berlin',
    });
    assert.equal(ok.parseRecurrence.mode, 'AFTER_COMPLETION');
    assert.match(ok.parseRecurrence.rrule, /FREQ=DAILY/);
    assert.match(ok.parseRecurrence.rrule, /INTERVAL=3/);
    const err = await u.fails(PARSE, { text: 'every blorp', tz: 'Europe/Berlin' });
    assertError(err, 'BAD_USER_INPUT', 'text');
    assert.match(err.message, /blorp/);
  });
});
