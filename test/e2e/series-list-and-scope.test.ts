import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiUser, assertError, openDb, type ApiUser } from '../support/api-client.js';
import { eventually } from '../support/graphql.js';

// Listing and searching a user's series, and deleting an occurrence with a scope (this one,
// this and following, all), through GraphQL on the real stack; the series workflow must not
// bring anything back afterwards.

const CREATE = `mutation($input: CreateSeriesInput!) { createSeries(input: $input) { id } }`;
const LIST = /* GraphQL */ `
  query ($search: String, $states: [SeriesState!], $first: Int, $after: String) {
    seriesList(search: $search, states: $states, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          title
          state
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
const GET = /* GraphQL */ `
  query ($id: ID!) {
    series(id: $id) {
      id
      state
      rrule
      exdates
    }
  }
`;
const OCCURRENCES = /* GraphQL */ `
  query ($id: ID!) {
    tasks(filter: { seriesId: $id }, orderBy: { field: DUE_AT }) {
      edges {
        node {
          id
          status
          dueAt
        }
      }
    }
  }
`;
const DELETE = /* GraphQL */ `
  mutation ($taskId: ID!, $scope: OccurrenceScope) {
    deleteOccurrence(taskId: $taskId, scope: $scope) {
      id
      state
      rrule
      exdates
    }
  }
`;

interface Page {
  seriesList: {
    edges: { cursor: string; node: { id: string; title: string; state: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}
interface Occ {
  id: string;
  status: string;
  dueAt: string;
}
interface SeriesState {
  id: string;
  state: string;
  rrule: string;
  exdates: string[];
}

const create = async (u: ApiUser, input: Record<string, unknown>): Promise<string> =>
  (await u.ok<{ createSeries: { id: string } }>(CREATE, { input })).createSeries.id;
const list = async (u: ApiUser, vars: Record<string, unknown>) =>
  (await u.ok<Page>(LIST, vars)).seriesList;
const titles = (p: Page['seriesList']) => p.edges.map((e) => e.node.title);
/** Every series' title, one page of one series at a time (at most 5 pages). */
async function pageByPage(u: ApiUser): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 5; i++) {
    const page: Page['seriesList'] = await list(u, { first: 1, after });
    seen.push(...titles(page));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return seen;
}

const occurrences = async (u: ApiUser, id: string): Promise<Occ[]> =>
  (await u.ok<{ tasks: { edges: { node: Occ }[] } }>(OCCURRENCES, { id })).tasks.edges.map(
    (e) => e.node,
  );
const get = async (u: ApiUser, id: string) =>
  (await u.ok<{ series: SeriesState }>(GET, { id })).series;
const untilOccurrences = (u: ApiUser, id: string, count: number) =>
  eventually(`${count} occurrences of ${id}`, async () => {
    const l = await occurrences(u, id);
    return l.length >= count ? l : undefined;
  });
const complete = (u: ApiUser, id: string) =>
  u.ok(`mutation($id: ID!) { completeTask(id: $id) { id } }`, { id });
const settle = () => new Promise((r) => setTimeout(r, 2_000));

/**
 * A daily series in UTC whose first occurrence was 30 minutes ago (created at once: within the
 * catch-up grace) and two more created ahead: one past open occurrence and two future ones.
 */
function pastAndAhead(title: string) {
  const start = new Date(Date.now() - 30 * 60_000);
  return {
    title,
    rrule: 'FREQ=DAILY',
    dtstart: `${start.toISOString().slice(0, 16)}:00`,
    timeZone: 'UTC',
    materializeAhead: 2,
  };
}

describe('seriesList', () => {
  test('search by any telling word, best match first; states; pages; bad arguments', async () => {
    const u = await apiUser('series-list');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const base = { rrule: 'FREQ=WEEKLY;BYDAY=MO', dtstart: `${tomorrow}T07:00:00` };
    const exercise = await create(u, { ...base, title: 'Exercise', tags: ['health'] });
    await create(u, { ...base, title: 'Morning run', description: 'exercise outdoors' });
    const mom = await create(u, { ...base, title: 'Call mom' });

    assert.deepEqual(titles(await list(u, { search: 'my exercise reminder' })).sort(), [
      'Exercise',
      'Morning run',
    ]);
    assert.deepEqual(titles(await list(u, { search: 'exer' })).sort(), ['Exercise', 'Morning run']);
    assert.deepEqual(titles(await list(u, { search: 'morning exercise' }))[0], 'Morning run');
    assert.deepEqual(titles(await list(u, { search: 'HEALTH' })), ['Exercise']);
    assert.deepEqual(titles(await list(u, { search: 'groceries' })), []);
    assert.deepEqual(titles(await list(u, {})), ['Call mom', 'Morning run', 'Exercise']);

    await u.ok(`mutation($id: ID!) { stopSeries(id: $id) { id } }`, { id: mom });
    assert.deepEqual(titles(await list(u, { states: ['STOPPED'] })), ['Call mom']);
    assert.deepEqual(titles(await list(u, { states: ['ACTIVE', 'PAUSED'] })), [
      'Morning run',
      'Exercise',
    ]);

    const seen = await pageByPage(u);
    assert.deepEqual(seen, ['Call mom', 'Morning run', 'Exercise'], 'each once, in order');

    const first = await list(u, { search: 'exercise', first: 1 });
    assertError(
      await u.fails(LIST, { search: 'call', after: first.pageInfo.endCursor }),
      'BAD_USER_INPUT',
      'after',
    );
    assertError(await u.fails(LIST, { after: 'nope' }), 'BAD_USER_INPUT', 'after');
    assertError(await u.fails(LIST, { search: '!!!' }), 'BAD_USER_INPUT', 'search');
    assert.equal((await u.fails(LIST, { first: 101 })).extensions?.code, 'BAD_USER_INPUT');

    const other = await apiUser('series-list-other');
    assert.deepEqual(titles(await list(other, { search: 'exercise' })), []);
    assert.equal((await get(u, exercise)).state, 'ACTIVE');
  });
});

test('pages go on within one millisecond: the cursor keeps created_at to the microsecond', async () => {
  const u = await apiUser('series-list-micros');
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const base = { rrule: 'FREQ=WEEKLY;BYDAY=MO', dtstart: `${tomorrow}T07:00:00` };
  const ids = [
    await create(u, { ...base, title: 'First' }),
    await create(u, { ...base, title: 'Second' }),
    await create(u, { ...base, title: 'Third' }),
  ];
  // Three series created within one millisecond (as a batch or a busy replica may): a cursor
  // cut to the millisecond would skip every row after the first page's. (Passed as text: a
  // timestamptz parameter goes through a JS Date, which keeps milliseconds only.)
  const sql = openDb();
  try {
    for (const [i, id] of ids.entries())
      await sql`UPDATE series SET created_at = ${`2026-11-01 10:00:00.000${i + 1}00+00`}::text::timestamptz
                WHERE id = ${id}`;
  } finally {
    await sql.end({ timeout: 2 });
  }
  const seen = await pageByPage(u);
  assert.deepEqual(seen, ['Third', 'Second', 'First'], 'each once, newest first');
});

test('nextOccurrenceAt right after a skip is the slot after the skipped one', async () => {
  const u = await apiUser('series-skip-next');
  const id = await create(u, {
    title: 'Walk',
    rrule: 'FREQ=DAILY',
    dtstart: `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T09:00:00`,
    timeZone: 'UTC',
  });
  const [first] = await untilOccurrences(u, id, 1);
  const { skipNextOccurrence } = await u.ok<{ skipNextOccurrence: { nextOccurrenceAt: string } }>(
    `mutation($id: ID!) { skipNextOccurrence(id: $id) { nextOccurrenceAt } }`,
    { id },
  );
  assert.equal(
    Date.parse(skipNextOccurrence.nextOccurrenceAt),
    Date.parse(first!.dueAt) + 86_400_000,
  );
});

describe('deleteOccurrence with a scope', () => {
  test('THIS_AND_FOLLOWING: the series ends before it; later open ones go, completed stay', async () => {
    const u = await apiUser('scope-following');
    const id = await create(u, pastAndAhead('Stretch'));
    const [past, d1, d2] = await untilOccurrences(u, id, 3);
    await complete(u, past!.id);

    const cut = (
      await u.ok<{ deleteOccurrence: SeriesState }>(DELETE, {
        taskId: d1!.id,
        scope: 'THIS_AND_FOLLOWING',
      })
    ).deleteOccurrence;
    const until = new Date(Date.parse(d1!.dueAt) - 1000).toISOString().replace(/[-:]|\.\d+/g, '');
    assert.equal(cut.rrule, `FREQ=DAILY;UNTIL=${until}`);
    assert.deepEqual(cut.exdates, [], 'an end, not exclusions');

    await eventually('the series to end', async () =>
      (await get(u, id)).state === 'ENDED' ? true : undefined,
    );
    await settle();
    const left = await occurrences(u, id);
    assert.deepEqual(
      left.map((o) => [o.id, o.status]),
      [[past!.id, 'COMPLETED']],
      `only the completed one stays (${d2!.id} went too), and nothing comes back`,
    );
  });

  test('THIS_AND_FOLLOWING on the first occurrence stops the series', async () => {
    const u = await apiUser('scope-first');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const id = await create(u, {
      title: 'Floss',
      rrule: 'FREQ=DAILY',
      dtstart: `${tomorrow}T21:00:00`,
      timeZone: 'Europe/Berlin',
    });
    const [first] = await untilOccurrences(u, id, 1);
    const s = (
      await u.ok<{ deleteOccurrence: SeriesState }>(DELETE, {
        taskId: first!.id,
        scope: 'THIS_AND_FOLLOWING',
      })
    ).deleteOccurrence;
    assert.equal(s.state, 'STOPPED');
    await settle();
    assert.deepEqual(await occurrences(u, id), []);
  });

  test('ALL: the series stops; every open occurrence goes, past ones too; completed stay', async () => {
    const u = await apiUser('scope-all');
    const id = await create(u, pastAndAhead('Vitamins'));
    const [past, d1, d2] = await untilOccurrences(u, id, 3);
    await complete(u, d1!.id);

    const s = (
      await u.ok<{ deleteOccurrence: SeriesState }>(DELETE, {
        taskId: d2!.id,
        scope: 'ALL',
      })
    ).deleteOccurrence;
    assert.equal(s.state, 'STOPPED');
    await settle();
    assert.deepEqual(
      (await occurrences(u, id)).map((o) => [o.id, o.status]),
      [[d1!.id, 'COMPLETED']],
      `the past open one (${past!.id}) and the later one went; nothing comes back`,
    );
    assert.equal((await get(u, id)).state, 'STOPPED');
  });

  test('THIS (the default) is an EXDATE: the series goes on', async () => {
    const u = await apiUser('scope-this');
    const id = await create(u, pastAndAhead('Water'));
    const [, d1] = await untilOccurrences(u, id, 3);
    const s = (await u.ok<{ deleteOccurrence: SeriesState }>(DELETE, { taskId: d1!.id }))
      .deleteOccurrence;
    assert.equal(s.state, 'ACTIVE');
    assert.deepEqual(s.exdates, [new Date(d1!.dueAt).toISOString()]);
    const after = await eventually('a replacement ahead', async () => {
      const l = await occurrences(u, id);
      return l.length === 3 && !l.some((o) => o.id === d1!.id) ? l : undefined;
    });
    assert.ok(after.every((o) => o.status === 'OPEN'));
  });

  test("another user's occurrence, or a task of no series, is NOT_FOUND", async () => {
    const [a, b] = [await apiUser('scope-a'), await apiUser('scope-b')];
    const id = await create(a, pastAndAhead('Mine'));
    const [occ] = await untilOccurrences(a, id, 1);
    for (const scope of ['THIS', 'THIS_AND_FOLLOWING', 'ALL'])
      assertError(await b.fails(DELETE, { taskId: occ!.id, scope }), 'NOT_FOUND');
    const plain = await a.createTask({ title: 'plain' });
    assertError(await a.fails(DELETE, { taskId: plain.id, scope: 'ALL' }), 'NOT_FOUND');
    assert.equal((await get(a, id)).state, 'ACTIVE');
  });
});
