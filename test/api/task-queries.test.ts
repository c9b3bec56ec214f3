import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type postgres from 'postgres';
import { RELEVANCE_WALK } from '../../domain/task-query.js';
import {
  apiUser,
  assertError,
  openDb,
  type ApiUser,
  type TaskView,
} from '../support/api-client.js';

// tasks(): filters, orders, keyset pagination, full-text search and tag counts, through the
// running api. Each describe block owns its users, so expectations are computed from what the
// block created, never from the shared database.

const LIST = /* GraphQL */ `
  query List(
    $filter: TaskFilter
    $search: String
    $orderBy: TaskOrder
    $first: Int
    $after: String
  ) {
    tasks(filter: $filter, search: $search, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      totalCountIsExact
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          title
          priority
          tags
          status
          dueAt
          createdAt
          updatedAt
        }
      }
    }
  }
`;
const COMPLETE = /* GraphQL */ `
  mutation ($id: ID!) {
    completeTask(id: $id) {
      id
    }
  }
`;
const DELETE = /* GraphQL */ `
  mutation ($id: ID!) {
    deleteTask(id: $id) {
      deletedIds
    }
  }
`;

type Node = Pick<
  TaskView,
  'id' | 'title' | 'priority' | 'tags' | 'status' | 'dueAt' | 'createdAt' | 'updatedAt'
>;
interface Page {
  totalCount: number;
  totalCountIsExact: boolean;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: Node }[];
}
type Args = {
  filter?: Record<string, unknown>;
  search?: string;
  orderBy?: { field: string; direction?: string };
  first?: number;
  after?: string | null;
};

const page = async (u: ApiUser, args: Args): Promise<Page> =>
  (await u.ok<{ tasks: Page }>(LIST, args)).tasks;
const ids = (p: Page): string[] => p.edges.map((e) => e.node.id);

/** Every page of a listing, following endCursor, with the pages themselves for inspection. */
async function walk(
  u: ApiUser,
  args: Args,
  first: number,
): Promise<{ ids: string[]; pages: Page[] }> {
  const pages: Page[] = [];
  let after: string | null = null;
  for (let i = 0; i < 100; i++) {
    const p = await page(u, { ...args, first, after });
    pages.push(p);
    if (!p.pageInfo.hasNextPage) return { ids: pages.flatMap(ids), pages };
    assert.equal(p.edges.length, first, 'a page with a next page is full');
    assert.equal(p.pageInfo.endCursor, p.edges.at(-1)!.cursor);
    after = p.pageInfo.endCursor;
  }
  throw new Error('pagination did not end');
}

const PRIORITIES = ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
const rank = (p: string): number => PRIORITIES.indexOf(p as (typeof PRIORITIES)[number]);

interface Spec {
  title: string;
  priority: (typeof PRIORITIES)[number];
  tags: string[];
  dueAt: string | null;
  done: boolean;
}

// Single-word titles (the database collates in C.UTF-8; lower-cased ASCII letters sort the same
// in JavaScript), with repeats that differ only in case to exercise the id tie-break.
const WORDS = [
  'apple',
  'Apricot',
  'banana',
  'Blueberry',
  'cherry',
  'date',
  'Elderberry',
  'fig',
  'grape',
  'Guava',
  'honeydew',
  'kiwi',
  'Lemon',
  'lime',
  'mango',
  'Nectarine',
  'orange',
  'papaya',
  'peach',
  'Pear',
  'plum',
  'quince',
  'raspberry',
  'Strawberry',
  'tangerine',
  'ugli',
  'vanilla',
  'watermelon',
  'Apple',
  'APPLE',
];
const TAG_SETS = [['Home'], ['work', 'Urgent'], ['HOME', 'errand'], [], ['Work'], ['home', 'WORK']];

function specs(): Spec[] {
  return WORDS.map((title, i) => ({
    title,
    priority: PRIORITIES[(i * 3) % 5]!,
    tags: TAG_SETS[i % TAG_SETS.length]!,
    // Nulls, a few past dates (overdue when open), future dates; repeats to exercise ties.
    dueAt:
      i % 4 === 0
        ? null
        : i % 4 === 1
          ? `2020-01-0${1 + (i % 3)}T08:00:00.000Z`
          : `2031-0${1 + (i % 5)}-15T12:00:00.000Z`,
    done: i % 5 === 3,
  }));
}

interface Made extends Spec {
  id: string;
}

async function createAll(u: ApiUser, list: Spec[]): Promise<Made[]> {
  const made: Made[] = [];
  for (const s of list) {
    const t = await u.createTask({
      title: s.title,
      priority: s.priority,
      tags: s.tags,
      dueAt: s.dueAt,
    });
    if (s.done) await u.ok(COMPLETE, { id: t.id });
    made.push({ ...s, id: t.id });
  }
  return made;
}

const sameSet = (actual: string[], expected: string[], what: string) =>
  assert.deepEqual([...actual].sort(), [...expected].sort(), what);

describe('tasks(): filters', () => {
  let u: ApiUser;
  let made: Made[];
  const now = Date.now();
  before(async () => {
    u = await apiUser('q-filter');
    made = await createAll(u, specs());
  });

  const lowerTags = (m: Made) => m.tags.map((t) => t.toLowerCase());
  const cases: [string, Record<string, unknown>, (m: Made) => boolean][] = [
    ['no filter', {}, () => true],
    ['status OPEN', { status: 'OPEN' }, (m) => !m.done],
    ['status COMPLETED', { status: 'COMPLETED' }, (m) => m.done],
    ['priorities', { priorities: ['HIGH', 'URGENT'] }, (m) => rank(m.priority) >= 3],
    ['tags.any, ignoring case', { tags: { any: ['hOmE'] } }, (m) => lowerTags(m).includes('home')],
    [
      'tags.any with two tags',
      { tags: { any: ['ERRAND', 'urgent'] } },
      (m) => lowerTags(m).some((t) => t === 'errand' || t === 'urgent'),
    ],
    [
      'tags.all, ignoring case',
      { tags: { all: ['Work', 'HOME'] } },
      (m) => lowerTags(m).includes('work') && lowerTags(m).includes('home'),
    ],
    ['tags.all with an unused tag', { tags: { all: ['work', 'nope'] } }, () => false],
    [
      'dueAfter (inclusive)',
      { dueAfter: '2031-03-15T12:00:00Z' },
      (m) => m.dueAt !== null && m.dueAt >= '2031-03-15T12:00:00.000Z',
    ],
    [
      'dueBefore (exclusive)',
      { dueBefore: '2031-03-15T14:00:00+02:00' },
      (m) => m.dueAt !== null && m.dueAt < '2031-03-15T12:00:00.000Z',
    ],
    [
      'a due range',
      { dueAfter: '2020-01-02T08:00:00Z', dueBefore: '2031-02-15T12:00:01Z' },
      (m) =>
        m.dueAt !== null &&
        m.dueAt >= '2020-01-02T08:00:00.000Z' &&
        m.dueAt <= '2031-02-15T12:00:00.000Z',
    ],
    ['overdue', { overdue: true }, (m) => !m.done && m.dueAt !== null && Date.parse(m.dueAt) < now],
    [
      'not overdue',
      { overdue: false },
      (m) => !(!m.done && m.dueAt !== null && Date.parse(m.dueAt) < now),
    ],
    ['hasDueDate', { hasDueDate: true }, (m) => m.dueAt !== null],
    ['no due date', { hasDueDate: false }, (m) => m.dueAt === null],
    [
      'several filters at once',
      {
        status: 'OPEN',
        tags: { any: ['home'] },
        hasDueDate: true,
        priorities: ['NONE', 'MEDIUM', 'URGENT'],
      },
      (m) =>
        !m.done &&
        lowerTags(m).includes('home') &&
        m.dueAt !== null &&
        ['NONE', 'MEDIUM', 'URGENT'].includes(m.priority),
    ],
  ];
  for (const [what, filter, keep] of cases) {
    test(`${what}: exactly the matching tasks, and totalCount agrees`, async () => {
      const expected = made.filter(keep).map((m) => m.id);
      if (what !== 'tags.all with an unused tag') assert.ok(expected.length > 0, 'matches some');
      if (what !== 'no filter') assert.ok(expected.length < made.length, 'leaves some out');
      const p = await page(u, { filter, first: 200 });
      sameSet(ids(p), expected, what);
      assert.equal(p.totalCount, expected.length);
      assert.equal(p.totalCountIsExact, true);
      assert.equal(p.pageInfo.hasNextPage, false);
    });
  }

  test('the default page is 50 and the default order is by due date, nulls last', async () => {
    const p = await page(u, {});
    assert.equal(p.edges.length, made.length);
    const dues = p.edges.map((e) => e.node.dueAt);
    const firstNull = dues.indexOf(null);
    assert.ok(firstNull > 0);
    assert.ok(
      dues.slice(firstNull).every((d) => d === null),
      'nulls last',
    );
    const dated = dues.slice(0, firstNull) as string[];
    assert.deepEqual(dated, [...dated].sort());
  });
});

describe('tasks(): order and pagination', () => {
  let u: ApiUser;
  let made: Made[];
  let sql: postgres.Sql;
  /** created_at and updated_at to the microsecond, as the database orders them. */
  const micros = new Map<string, { created: bigint; updated: bigint }>();
  before(async () => {
    sql = openDb();
    u = await apiUser('q-order');
    made = await createAll(u, specs());
    const rows = await sql<{ id: string; created: string; updated: string }[]>`
      SELECT id,
             (extract(epoch FROM created_at) * 1000000)::bigint AS created,
             (extract(epoch FROM updated_at) * 1000000)::bigint AS updated
      FROM tasks WHERE user_id = ${u.id}`;
    for (const r of rows)
      micros.set(r.id, { created: BigInt(r.created), updated: BigInt(r.updated) });
  });
  after(async () => {
    await sql.end({ timeout: 2 });
  });

  const cmp = (a: string | number | bigint, b: string | number | bigint): number =>
    a < b ? -1 : a > b ? 1 : 0;

  /** The order the API promises: by key (nulls last either way), then by id, in one direction. */
  function expectedOrder(field: string, direction: 'ASC' | 'DESC'): string[] {
    const key = (m: Made): string | number | bigint | null => {
      switch (field) {
        case 'DUE_AT':
          return m.dueAt === null ? null : Date.parse(m.dueAt);
        case 'PRIORITY':
          return rank(m.priority);
        case 'TITLE':
          return m.title.toLowerCase();
        case 'CREATED_AT':
          return micros.get(m.id)!.created;
        case 'UPDATED_AT':
          return micros.get(m.id)!.updated;
      }
      throw new Error(field);
    };
    const sign = direction === 'ASC' ? 1 : -1;
    return [...made]
      .sort((a, b) => {
        const ka = key(a);
        const kb = key(b);
        if (ka === null || kb === null) {
          if (ka !== kb) return ka === null ? 1 : -1;
        } else if (ka !== kb) return sign * cmp(ka, kb);
        return sign * cmp(a.id, b.id);
      })
      .map((m) => m.id);
  }

  for (const field of ['DUE_AT', 'PRIORITY', 'CREATED_AT', 'UPDATED_AT', 'TITLE']) {
    for (const direction of ['ASC', 'DESC'] as const) {
      test(`${field} ${direction}: sorted, ties by id; walking pages of 7 visits each task once`, async () => {
        const orderBy = { field, direction };
        const expected = expectedOrder(field, direction);
        const whole = await page(u, { orderBy, first: 200 });
        assert.deepEqual(ids(whole), expected, 'one page holds them all, in order');

        const { ids: walked, pages } = await walk(u, { orderBy }, 7);
        assert.equal(new Set(walked).size, walked.length, 'no task twice');
        assert.deepEqual(walked, expected, 'the pages, joined, are the whole list');
        assert.equal(pages.length, Math.ceil(made.length / 7));
        assert.ok(
          pages.every((p) => p.totalCount === made.length && p.totalCountIsExact),
          'the exact totalCount on every page',
        );
        assert.equal(pages.at(-1)!.pageInfo.hasNextPage, false);
      });
    }
  }

  test('the direction defaults to ASC', async () => {
    const p = await page(u, { orderBy: { field: 'TITLE' }, first: 200 });
    assert.deepEqual(ids(p), expectedOrder('TITLE', 'ASC'));
  });

  test('an empty listing has no cursor and no next page', async () => {
    const p = await page(u, { filter: { tags: { any: ['no-such-tag'] } } });
    assert.deepEqual(p, {
      totalCount: 0,
      totalCountIsExact: true,
      pageInfo: { hasNextPage: false, endCursor: null },
      edges: [],
    });
  });

  test('a cursor from another order is BAD_USER_INPUT naming after', async () => {
    const p = await page(u, { orderBy: { field: 'DUE_AT', direction: 'ASC' }, first: 3 });
    for (const orderBy of [
      { field: 'DUE_AT', direction: 'DESC' },
      { field: 'TITLE', direction: 'ASC' },
    ]) {
      assertError(
        await u.fails(LIST, { orderBy, first: 3, after: p.pageInfo.endCursor }),
        'BAD_USER_INPUT',
        'after',
      );
    }
    // The default order without a search is DUE_AT ASC, so the cursor fits it.
    const next = await page(u, { first: 3, after: p.pageInfo.endCursor });
    assert.deepEqual(ids(next), expectedOrder('DUE_AT', 'ASC').slice(3, 6));
  });

  const forged = (o: Record<string, unknown> | null): string =>
    Buffer.from(JSON.stringify(o)).toString('base64url');
  const GARBAGE: [string, string, Record<string, unknown>?][] = [
    ['not base64 JSON', 'garbage!!'],
    ['base64 of plain text', Buffer.from('hello').toString('base64url')],
    ['a JSON number', Buffer.from('42').toString('base64url')],
    ['a JSON array', Buffer.from('[1,2]').toString('base64url')],
    ['JSON null', forged(null)],
    [
      'an object without an order',
      forged({ value: null, id: '00000000-0000-0000-0000-000000000000' }),
    ],
    [
      'an id that is not a uuid',
      forged({ value: null, id: 'x', o: 'DUE_AT:ASC' }),
      { field: 'DUE_AT' },
    ],
    [
      'a due date that is not a date',
      forged({ value: 'soon', id: '00000000-0000-0000-0000-000000000000', o: 'DUE_AT:ASC' }),
      { field: 'DUE_AT' },
    ],
    [
      'a priority that is not a number',
      forged({ value: 'high', id: '00000000-0000-0000-0000-000000000000', o: 'PRIORITY:ASC' }),
      { field: 'PRIORITY' },
    ],
    ['a 2 KB cursor', 'A'.repeat(2000)],
  ];
  for (const [what, cursor, orderBy] of GARBAGE) {
    test(`a cursor that is ${what} is BAD_USER_INPUT, not an internal error`, async () => {
      const err = await u.fails(LIST, { after: cursor, first: 3, ...(orderBy ? { orderBy } : {}) });
      assertError(err, 'BAD_USER_INPUT', 'after');
    });
  }

  for (const first of [0, -1, 201]) {
    test(`first: ${first} is BAD_USER_INPUT naming first`, async () => {
      assertError(await u.fails(LIST, { first }), 'BAD_USER_INPUT', 'first');
    });
  }

  test('first: 200 is allowed', async () => {
    const p = await page(u, { first: 200 });
    assert.equal(p.edges.length, made.length);
  });
});

describe('tasks(): pagination while tasks are inserted', () => {
  const ORIGINALS = 20;
  for (const [orderBy, label] of [
    [{ field: 'DUE_AT', direction: 'ASC' }, 'DUE_AT ASC'],
    [{ field: 'DUE_AT', direction: 'DESC' }, 'DUE_AT DESC'],
    [{ field: 'CREATED_AT', direction: 'DESC' }, 'CREATED_AT DESC'],
    [{ field: 'CREATED_AT', direction: 'ASC' }, 'CREATED_AT ASC'],
    [{ field: 'TITLE', direction: 'ASC' }, 'TITLE ASC'],
  ] as const) {
    test(`${label}: no task twice, no original skipped`, async () => {
      const u = await apiUser('q-stable');
      const originals = await createAll(
        u,
        Array.from({ length: ORIGINALS }, (_, i) => ({
          title: `m${String(i).padStart(2, '0')}`,
          priority: 'NONE',
          tags: [],
          dueAt: i % 5 === 0 ? null : `2031-01-${String(1 + i).padStart(2, '0')}T00:00:00.000Z`,
          done: false,
        })),
      );
      const seen: string[] = [];
      let after: string | null = null;
      let inserted = 0;
      for (let i = 0; i < 50; i++) {
        const p = await page(u, { orderBy, first: 4, after });
        seen.push(...ids(p));
        if (!p.pageInfo.hasNextPage) break;
        after = p.pageInfo.endCursor;
        // Between pages: tasks that sort before, among and after the ones not yet read.
        const mid = new Date(Date.UTC(2031, 0, i * 4 + 3, 12)).toISOString();
        for (const [title, dueAt] of [
          ['a-early', '2030-06-01T00:00:00.000Z'],
          [`m${String(i * 4 + 2).padStart(2, '0')}-mid`, mid],
          ['z-late', null],
        ] as const) {
          await u.createTask({ title, dueAt });
          inserted++;
        }
      }
      assert.ok(inserted >= 12, 'tasks were inserted during the walk');
      assert.equal(new Set(seen).size, seen.length, 'no task seen twice');
      const missing = originals.filter((o) => !seen.includes(o.id)).map((o) => o.title);
      assert.deepEqual(missing, [], 'no original task skipped');
    });
  }
});

describe('tasks(): search', () => {
  let u: ApiUser;
  const t: Record<string, TaskView> = {};
  before(async () => {
    u = await apiUser('q-search');
    t.plants = await u.createTask({ title: 'Water the plants', tags: ['garden'] });
    t.bills = await u.createTask({
      title: 'Pay the bills',
      description: 'call the water company first',
    });
    t.review = await u.createTask({ title: 'Weekly review', tags: ['Greenhouse'] });
    t.can = await u.createTask({ title: 'Buy watering can', priority: 'HIGH' });
    t.book = await u.createTask({ title: 'Read a book', description: 'something light' });
    const lawn = await u.createTask({ title: 'Water the lawn' });
    await u.ok(DELETE, { id: lawn.id });
  });

  const search = async (text: string, extra: Args = {}) =>
    page(u, { search: text, first: 50, ...extra });

  test("a word prefix matches: 'wat' finds the titles and the description that start so", async () => {
    const p = await search('wat');
    sameSet(ids(p), [t.plants!.id, t.bills!.id, t.can!.id], 'wat');
    assert.equal(p.totalCount, 3);
    assert.equal(p.totalCountIsExact, true);
  });

  test('ranked: title matches come before a description-only match (default RELEVANCE)', async () => {
    for (const text of ['wat', 'water', 'WATER']) {
      const p = await search(text);
      assert.equal(ids(p).at(-1), t.bills!.id, `${text}: the description-only match is last`);
      assert.equal(p.edges.length, 3);
    }
  });

  test('the description and the tags are searched', async () => {
    assert.deepEqual(ids(await search('company')), [t.bills!.id]);
    assert.deepEqual(ids(await search('greenh')), [t.review!.id]);
    assert.deepEqual(ids(await search('GARDEN')), [t.plants!.id]);
  });

  test("a substring inside a word matches the title: 'lant' finds 'plants'", async () => {
    assert.deepEqual(ids(await search('lant')), [t.plants!.id]);
    assert.deepEqual(ids(await search('ateri')), [t.can!.id]);
  });

  test('every word must match (as a prefix)', async () => {
    assert.deepEqual(ids(await search('wat pla')), [t.plants!.id]);
    assert.deepEqual(ids(await search('water, bills!')), [t.bills!.id]);
    assert.deepEqual(ids(await search('water zebra')), []);
  });

  test('a deleted task is not found', async () => {
    assert.equal((await search('lawn')).totalCount, 0);
  });

  test('search combines with filters and with an explicit order', async () => {
    assert.deepEqual(ids(await search('wat', { filter: { priorities: ['HIGH'] } })), [t.can!.id]);
    const byTitle = await search('wat', { orderBy: { field: 'TITLE', direction: 'ASC' } });
    assert.deepEqual(ids(byTitle), [t.can!.id, t.bills!.id, t.plants!.id]);
  });

  test('paging through search results by relevance visits each once, in rank order', async () => {
    const whole = ids(await search('wat'));
    const { ids: walked } = await walk(u, { search: 'wat' }, 1);
    assert.deepEqual(walked, whole);
  });

  test("characters that mean something to LIKE or tsquery never fail the query: '%', '_', '&', ':*'", async () => {
    for (const text of ['100%', 'a_b', 'water & !bills', 'wat:*', "o'clock", '\\']) {
      const { body } = await u.raw<{ tasks: Page }>(LIST, { search: text, first: 5 });
      if (body.errors) assertError(body.errors[0]!, 'BAD_USER_INPUT', 'search');
    }
  });

  test("a search with no letters or digits ('!!!') is BAD_USER_INPUT naming search", async () => {
    assertError(await u.fails(LIST, { search: '!!!' }), 'BAD_USER_INPUT', 'search');
    assertError(await u.fails(LIST, { search: '   ' }), 'BAD_USER_INPUT', 'search');
  });

  test('RELEVANCE without a search is BAD_USER_INPUT', async () => {
    const err = await u.fails(LIST, { orderBy: { field: 'RELEVANCE', direction: 'DESC' } });
    assertError(err, 'BAD_USER_INPUT', 'orderBy.field');
  });
});

describe('tasks(): counts stop at 1,000, and RELEVANCE ranks the 1,000 newest matches', () => {
  // 1,004 tasks inserted directly (the api would take a while) plus one created through it:
  // 'crate g' created g minutes ago, tagged 'k' up to g = 1000 and 'j' after. Task g = 5 has
  // the word only in its description, so it ranks below every title match.
  const BULK = 1004;
  let u: ApiUser;
  let sql: postgres.Sql;
  let newestCrates: string[];
  before(async () => {
    sql = openDb();
    u = await apiUser('q-cap');
    await u.createTask({ title: 'anchor' });
    await sql`
      INSERT INTO tasks (id, user_id, title, description, tags, created_at, updated_at)
      SELECT gen_random_uuid(), ${u.id},
             CASE WHEN g = 5 THEN 'box five' ELSE 'crate ' || g END,
             CASE WHEN g = 5 THEN 'the crate' ELSE '' END,
             CASE WHEN g <= 1000 THEN ARRAY['k'] ELSE ARRAY['j'] END,
             now() - g * interval '1 minute', now() - g * interval '1 minute'
      FROM generate_series(1, ${BULK}) g`;
    newestCrates = (
      await sql<{ id: string }[]>`
        SELECT id FROM tasks WHERE user_id = ${u.id} AND title <> 'anchor'
        ORDER BY created_at DESC LIMIT 1000`
    ).map((r) => r.id);
  });
  after(async () => {
    await sql.end({ timeout: 2 });
  });

  test('1,005 tasks: totalCount 1000, not exact', async () => {
    const p = await page(u, { first: 10 });
    assert.equal(p.totalCount, 1000);
    assert.equal(p.totalCountIsExact, false);
    assert.equal(p.edges.length, 10);
  });

  test('exactly 1,000 matches are counted exactly', async () => {
    const p = await page(u, { filter: { tags: { any: ['k'] } }, first: 10 });
    assert.deepEqual([p.totalCount, p.totalCountIsExact], [1000, true]);
  });

  test('a few matches are exact, whether the page holds them all or the count is made', async () => {
    for (const first of [50, 2]) {
      const p = await page(u, { filter: { tags: { any: ['j'] } }, first });
      assert.deepEqual([p.totalCount, p.totalCountIsExact], [4, true], `first: ${first}`);
    }
  });

  test('RELEVANCE lists the 1,000 newest matches, once each, ranked; totalCount says more exist', async () => {
    const { ids: walked, pages } = await walk(u, { search: 'crate' }, 200);
    assert.equal(pages.length, 5);
    sameSet(walked, newestCrates, 'the window: the newest 1,000 matches');
    assert.equal(walked.length, 1000, 'no task twice');
    assert.ok(
      pages.every((p) => p.totalCount === 1000 && !p.totalCountIsExact),
      'totalCount 1000, not exact, on every page',
    );
    const boxFive = pages.flatMap((p) => p.edges).find((e) => e.node.title === 'box five');
    assert.equal(walked.at(-1), boxFive?.node.id, 'the description-only match ranks last');
    // Past the end: no rows, and still the count.
    const past = await page(u, {
      search: 'crate',
      first: 10,
      after: pages.at(-1)!.pageInfo.endCursor,
    });
    assert.deepEqual(
      [past.edges.length, past.totalCount, past.totalCountIsExact, past.pageInfo.hasNextPage],
      [0, 1000, false, false],
    );
  });

  test('another order of the same search lists every match', async () => {
    const { ids: walked } = await walk(
      u,
      { search: 'crate', orderBy: { field: 'CREATED_AT', direction: 'ASC' } },
      200,
    );
    assert.equal(new Set(walked).size, BULK);
  });
});

describe('tasks(): RELEVANCE past the walk of the newest tasks', () => {
  // RELEVANCE walks the RELEVANCE_WALK newest tasks first and asks the word index only for
  // older matches (db/tasks.ts). Task g was created g minutes ago; g up to the walk's length
  // is walked, the rest is older.
  const TOTAL = RELEVANCE_WALK + 2000;
  let u: ApiUser;
  let sql: postgres.Sql;
  const byG = new Map<number, string>();
  before(async () => {
    sql = openDb();
    u = await apiUser('q-walk');
    await u.createTask({ title: 'anchor' });
    const rows = await sql<{ id: string; g: number }[]>`
      INSERT INTO tasks (id, user_id, title, description, tags, created_at, updated_at)
      SELECT gen_random_uuid(), ${u.id},
             CASE WHEN g IN (5000, ${RELEVANCE_WALK + 500}, ${RELEVANCE_WALK + 1000}, ${TOTAL - 1})
                  THEN 'rare thing ' || g ELSE 'filler ' || g END,
             CASE WHEN g % 40 = 0 THEN 'mixed' ELSE '' END,
             CASE WHEN (g <= ${RELEVANCE_WALK} AND g % 8 = 0) OR (g > ${RELEVANCE_WALK} AND g % 5 = 0)
                  THEN ARRAY['dense'] ELSE '{}' END,
             now() - g * interval '1 minute', now() - g * interval '1 minute'
      FROM generate_series(1, ${TOTAL}) g
      RETURNING id, (regexp_match(title, '[0-9]+$'))[1]::int AS g`;
    for (const r of rows) byG.set(r.g, r.id);
  });
  after(async () => {
    await sql.end({ timeout: 2 });
  });
  const idsOf = (gs: number[]) => gs.map((g) => byG.get(g)!);
  const range = (n: number, keep: (g: number) => boolean) =>
    Array.from({ length: n }, (_, i) => i + 1).filter(keep);

  test('a rare word is found in the walk and in older tasks alike, counted exactly', async () => {
    const p = await page(u, { search: 'rare', first: 50 });
    sameSet(ids(p), idsOf([5000, RELEVANCE_WALK + 500, RELEVANCE_WALK + 1000, TOTAL - 1]), 'rare');
    assert.deepEqual([p.totalCount, p.totalCountIsExact], [4, true]);
  });

  test('a word too sparse to fill the window in the walk brings in its older matches', async () => {
    const { ids: walked, pages } = await walk(u, { search: 'mixed' }, 200);
    const mixed = range(TOTAL, (g) => g % 40 === 0);
    assert.ok(mixed.length <= 1000 && mixed.some((g) => g > RELEVANCE_WALK), 'older ones too');
    sameSet(walked, idsOf(mixed), 'every mixed task');
    assert.ok(pages.every((p) => p.totalCount === mixed.length && p.totalCountIsExact));
  });

  test('a word that fills the window in the walk lists only its 1,000 newest matches', async () => {
    const { ids: walked, pages } = await walk(u, { search: 'dense' }, 200);
    sameSet(walked, idsOf(range(8000, (g) => g % 8 === 0)), 'the newest 1,000 dense tasks');
    assert.ok(pages.every((p) => p.totalCount === 1000 && !p.totalCountIsExact));
  });
});

describe('tags', () => {
  test('counts per tag ignoring case, most used first, deleted tasks not counted', async () => {
    const u = await apiUser('q-tags');
    const made = await createAll(u, specs());
    const gone = await u.createTask({ title: 'gone', tags: ['errand', 'only-deleted'] });
    await u.ok(DELETE, { id: gone.id });

    const counts = new Map<string, { n: number; spellings: Set<string> }>();
    for (const m of made) {
      for (const tag of m.tags) {
        const c = counts.get(tag.toLowerCase()) ?? { n: 0, spellings: new Set<string>() };
        c.n++;
        c.spellings.add(tag);
        counts.set(tag.toLowerCase(), c);
      }
    }
    const expected = [...counts.entries()]
      .sort(([a, x], [b, y]) => y.n - x.n || (a < b ? -1 : 1))
      .map(([key, c]) => [key, c.n]);

    const { tags } = await u.ok<{ tags: { tag: string; count: number }[] }>(
      '{ tags { tag count } }',
    );
    assert.deepEqual(
      tags.map((t) => [t.tag.toLowerCase(), t.count]),
      expected,
    );
    for (const t of tags) {
      assert.ok(
        counts.get(t.tag.toLowerCase())!.spellings.has(t.tag),
        `${t.tag} is a spelling in use`,
      );
    }
  });
});
