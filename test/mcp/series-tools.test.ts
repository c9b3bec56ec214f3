import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { apiUser, type ApiUser } from '../support/api-client.js';
import { eventually } from '../support/graphql.js';
import { connect, Transcript } from '../support/mcp-client.js';

// The series tools driven by the SDK's client as a chat would: a series made from words, found
// by name and stopped; previews, pause and resume, skips, deletions with a scope; what a user
// would see afterwards is checked through GraphQL too.

interface Row {
  id: string;
  title: string;
  rule: string;
  rrule: string;
  timeZone: string;
  state: string;
  nextOccurrenceAt: string | null;
}
interface One {
  series: Row;
}
interface Batch {
  results: {
    index: number;
    status: 'succeeded' | 'failed';
    id: string;
    series?: Row;
    error?: { code: string };
  }[];
  succeeded: number;
  failed: number;
}
interface Found {
  series: Row[];
  nextCursor: string | null;
  timeZone: string;
}
interface Occ {
  id: string;
  status: string;
  dueAt: string;
  nextReminderAt: string | null;
}

const transcript = new Transcript('MCP series transcript (compact)');
const call = <T>(client: Client, name: string, args: Record<string, unknown> = {}) =>
  transcript.call<T>(client, name, args);

const berlinWeekday = (iso: string) =>
  new Date(iso).toLocaleDateString('en-US', { weekday: 'long', timeZone: 'Europe/Berlin' });
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const settle = () => new Promise((r) => setTimeout(r, 2_000));

const SERIES = `query($id: ID!) { series(id: $id) { state rrule timeZone } }`;
const OCCURRENCES = /* GraphQL */ `
  query ($id: ID!) {
    tasks(filter: { seriesId: $id }, orderBy: { field: DUE_AT }) {
      edges {
        node {
          id
          status
          dueAt
          nextReminderAt
        }
      }
    }
  }
`;

describe('MCP series tools', () => {
  let alice: ApiUser;
  let a: Client;
  let b: Client;
  const occurrences = async (id: string): Promise<Occ[]> =>
    (await alice.ok<{ tasks: { edges: { node: Occ }[] } }>(OCCURRENCES, { id })).tasks.edges.map(
      (e) => e.node,
    );
  const untilOccurrences = (id: string, count: number) =>
    eventually(`${count} occurrences of ${id}`, async () => {
      const l = await occurrences(id);
      return l.length >= count ? l : undefined;
    });
  const stateOf = async (id: string) =>
    (await alice.ok<{ series: { state: string; rrule: string; timeZone: string } }>(SERIES, { id }))
      .series;

  before(async () => {
    alice = await apiUser('mcp-series-alice');
    await alice.ok(
      `mutation { updateSettings(input: { timeZone: "Europe/Berlin" }) { timeZone } }`,
    );
    a = await connect(alice.id);
    b = await connect((await apiUser('mcp-series-bob')).id);
  });
  after(async () => {
    transcript.print();
    await a?.close();
    await b?.close();
  });

  test('"remind me to exercise every Monday at 7am" … "stop my exercise reminder"', async () => {
    transcript.say('remind me to exercise every Monday at 7am');
    const { series: made } = await call<One>(a, 'add_series', {
      title: 'Exercise',
      text: 'every Monday at 7am',
    });
    assert.equal(made.state, 'ACTIVE');
    assert.equal(made.timeZone, 'Europe/Berlin');
    assert.match(made.rule, /Monday/);
    assert.match(made.nextOccurrenceAt!, /T07:00:00\+0[12]:00$/, 'Berlin 7am, Berlin offset');
    assert.equal(berlinWeekday(made.nextOccurrenceAt!), 'Monday');
    assert.deepEqual(await stateOf(made.id), {
      state: 'ACTIVE',
      rrule: made.rrule,
      timeZone: 'Europe/Berlin',
    });
    assert.match(made.rrule, /FREQ=WEEKLY/);
    assert.match(made.rrule, /BYDAY=MO/);
    const [first] = await untilOccurrences(made.id, 1);
    assert.equal(berlinWeekday(first!.dueAt), 'Monday');

    // A second series the search must not confuse with it.
    await call<One>(a, 'add_series', { title: 'Call mom', text: 'every Sunday at 6pm' });

    transcript.say('stop my exercise reminder');
    const found = await call<Found>(a, 'find_series', { text: 'my exercise reminder' });
    assert.deepEqual(
      found.series.map((s) => [s.id, s.title]),
      [[made.id, 'Exercise']],
    );
    assert.equal(found.nextCursor, null);
    const stopped = await call<Batch>(a, 'stop_series', { ids: [found.series[0]!.id] });
    assert.equal(stopped.succeeded, 1);
    assert.equal(stopped.results[0]!.series!.state, 'STOPPED');
    assert.equal(stopped.results[0]!.series!.nextOccurrenceAt, null);

    assert.equal((await stateOf(made.id)).state, 'STOPPED');
    await settle();
    assert.deepEqual(await occurrences(made.id), [], 'its open future occurrence is gone');
    const running = await call<Found>(a, 'find_series', { text: 'exercise' });
    assert.deepEqual(running.series, [], 'a stopped series is not among the running ones');
    const any = await call<Found>(a, 'find_series', { text: 'exercise', states: ['STOPPED'] });
    assert.deepEqual(
      any.series.map((s) => s.id),
      [made.id],
    );
  });

  test('preview: the next dates of words or an RRULE, nothing created', async () => {
    transcript.say('what would "every weekday at 9" look like?');
    const p = await call<{ rule: string; occurrences: string[]; timeZone: string }>(
      a,
      'preview_series',
      { text: 'every weekday at 9am', count: 5 },
    );
    assert.equal(p.timeZone, 'Europe/Berlin');
    assert.equal(p.occurrences.length, 5);
    for (const o of p.occurrences) {
      assert.match(o, /T09:00:00\+0[12]:00$/);
      assert.ok(!['Saturday', 'Sunday'].includes(berlinWeekday(o)), o);
      assert.ok(Date.parse(o) > Date.now(), 'from now on');
    }
    const r = await call<{ occurrences: string[] }>(a, 'preview_series', {
      rrule: 'FREQ=MONTHLY;BYMONTHDAY=-1',
      dtstart: `${tomorrow()}T20:00:00`,
      count: 3,
    });
    assert.equal(r.occurrences.length, 3);
    const list = await call<Found>(a, 'find_series', { states: ['ACTIVE', 'PAUSED', 'STOPPED'] });
    assert.equal(list.series.length, 2, 'previews created nothing');
  });

  test('pause and resume (idempotent), skip the next occurrence, update this and future', async () => {
    const { series: s } = await call<One>(a, 'add_series', {
      title: 'Water the plants',
      rrule: 'FREQ=DAILY',
      dtstart: `${tomorrow()}T08:00:00`,
      remindBefore: ['15 minutes'],
    });
    for (const want of ['PAUSED', 'PAUSED']) {
      const r = await call<Batch>(a, 'pause_series', { ids: [s.id] });
      assert.equal(r.results[0]!.series!.state, want);
    }
    assert.equal((await stateOf(s.id)).state, 'PAUSED');
    for (let i = 0; i < 2; i++) {
      const r = await call<Batch>(a, 'resume_series', { ids: [s.id] });
      assert.equal(r.results[0]!.series!.state, 'ACTIVE');
    }
    const [first] = await untilOccurrences(s.id, 1);
    assert.equal(
      Date.parse(first!.dueAt) - Date.parse(first!.nextReminderAt!),
      15 * 60_000,
      '"15 minutes" before',
    );

    transcript.say('skip the next one');
    const skipped = await call<Batch>(a, 'skip_next_occurrence', { ids: [s.id] });
    const next = skipped.results[0]!.series!.nextOccurrenceAt!;
    const day = Date.parse(next) - Date.parse(first!.dueAt);
    assert.ok(Math.abs(day - 86_400_000) <= 3_600_000, `one day later: ${next}`);
    const second = await eventually('the occurrence after the skipped one', async () =>
      (await occurrences(s.id)).find((o) => o.id !== first!.id),
    );
    assert.equal(Date.parse(second.dueAt), Date.parse(next));

    transcript.say('call it "Water the garden", and only on weekdays at 7, from now on');
    const { series: edited } = await call<One>(a, 'update_series', {
      id: s.id,
      title: 'Water the garden',
      text: 'every weekday at 7am',
    });
    assert.equal(edited.title, 'Water the garden');
    assert.equal(edited.rrule, 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR');
    assert.match(edited.nextOccurrenceAt!, /T07:00:00\+0[12]:00$/);
    assert.deepEqual(await stateOf(s.id), {
      state: 'ACTIVE',
      rrule: edited.rrule,
      timeZone: 'Europe/Berlin',
    });
  });

  test('find_series keeps an answer within 16 KiB; its cursor goes on after the last row kept', async () => {
    const carol = await apiUser('mcp-series-carol');
    for (let i = 0; i < 25; i++)
      await carol.ok(
        `mutation($input: CreateSeriesInput!) { createSeries(input: $input) { id } }`,
        {
          input: {
            title: `${String(i).padStart(2, '0')} ${'long title '.repeat(44)}`,
            rrule: 'FREQ=YEARLY',
            dtstart: `${tomorrow()}T12:00:00`,
          },
        },
      );
    const c = await connect(carol.id);
    try {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      for (; pages < 10; pages++) {
        const result = await c.callTool({
          name: 'find_series',
          arguments: { limit: 25, ...(cursor && { cursor }) },
        });
        const text = (result.content as { text: string }[])[0]!.text;
        assert.ok(Buffer.byteLength(text) <= 16 * 1024, `${Buffer.byteLength(text)} bytes`);
        const page = JSON.parse(text) as Found;
        seen.push(...page.series.map((r) => r.title.slice(0, 2)));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      transcript.record('find_series ×' + (pages + 1), { limit: 25 }, { titles: seen });
      assert.ok(pages >= 1, 'the first page was cut');
      assert.deepEqual(
        seen,
        Array.from({ length: 25 }, (_, i) => String(24 - i).padStart(2, '0')),
        'every series once, newest first',
      );
    } finally {
      await c.close();
    }
  });

  test('delete_occurrence: THIS, then THIS_AND_FOLLOWING, and ALL on another series', async () => {
    const { series: s } = await call<One>(a, 'add_series', {
      title: 'Journal',
      text: 'every day at 8pm',
    });
    const [o1] = await untilOccurrences(s.id, 1);
    const one = await call<One>(a, 'delete_occurrence', { taskId: o1!.id });
    assert.equal(one.series.state, 'ACTIVE');
    const o2 = await eventually('the next occurrence', async () =>
      (await occurrences(s.id)).find((o) => o.id !== o1!.id),
    );
    await call<Batch>(a, 'complete_tasks', { ids: [o2.id] });
    const o3 = await eventually('the one after the completed one', async () =>
      (await occurrences(s.id)).find((o) => o.status === 'OPEN'),
    );
    transcript.say('delete this one and all the following');
    const cut = await call<One>(a, 'delete_occurrence', {
      taskId: o3.id,
      scope: 'THIS_AND_FOLLOWING',
    });
    assert.match(cut.series.rrule, /UNTIL=/);
    await eventually('the series to end', async () =>
      (await stateOf(s.id)).state === 'ENDED' ? true : undefined,
    );
    await settle();
    assert.deepEqual(
      (await occurrences(s.id)).map((o) => [o.id, o.status]),
      [[o2.id, 'COMPLETED']],
    );

    const { series: t } = await call<One>(a, 'add_series', {
      title: 'Meditate',
      text: 'every day at 6am',
    });
    const [m1] = await untilOccurrences(t.id, 1);
    transcript.say('delete the whole meditation series');
    const all = await call<One>(a, 'delete_occurrence', { taskId: m1!.id, scope: 'ALL' });
    assert.equal(all.series.state, 'STOPPED');
    await settle();
    assert.deepEqual(await occurrences(t.id), []);
    assert.equal((await stateOf(t.id)).state, 'STOPPED');
  });

  test("another user's series id is NOT_FOUND in every series tool", async () => {
    const { series: s } = await call<One>(a, 'add_series', {
      title: 'Private routine',
      rrule: 'FREQ=WEEKLY;BYDAY=FR',
      dtstart: `${tomorrow()}T10:00:00`,
    });
    const [occ] = await untilOccurrences(s.id, 1);
    for (const tool of ['pause_series', 'resume_series', 'skip_next_occurrence', 'stop_series']) {
      const r = await call<Batch>(b, tool, { ids: [s.id, 'not-an-id'] });
      assert.deepEqual(
        r.results.map((x) => [x.status, x.error?.code]),
        [
          ['failed', 'NOT_FOUND'],
          ['failed', 'NOT_FOUND'],
        ],
        tool,
      );
    }
    assert.equal(
      (await transcript.fail(b, 'update_series', { id: s.id, title: 'x' })).code,
      'NOT_FOUND',
    );
    for (const scope of ['THIS', 'THIS_AND_FOLLOWING', 'ALL'])
      assert.equal(
        (await transcript.fail(b, 'delete_occurrence', { taskId: occ!.id, scope })).code,
        'NOT_FOUND',
      );
    const seen = await call<Found>(b, 'find_series', {
      text: 'private routine',
      states: ['ACTIVE', 'PAUSED', 'STOPPED', 'ENDED'],
    });
    assert.deepEqual(seen.series, []);
    assert.equal(
      (await transcript.fail(b, 'find_tasks', { seriesId: s.id })).code,
      'NOT_FOUND',
      "find_tasks on another user's series",
    );
    assert.equal(
      (await transcript.fail(a, 'find_tasks', { seriesId: randomUUID() })).code,
      'NOT_FOUND',
      'find_tasks on a series that does not exist',
    );
    const own = await call<{ tasks: { id: string }[] }>(a, 'find_tasks', { seriesId: s.id });
    assert.deepEqual(
      own.tasks.map((t) => t.id),
      [occ!.id],
    );
    assert.equal((await stateOf(s.id)).state, 'ACTIVE', 'untouched');
    assert.equal((await occurrences(s.id)).length, 1);
  });

  test('a rule that cannot be read names the field and gives an example', async () => {
    const bad = await transcript.fail(a, 'add_series', { title: 'x', text: 'every blorp' });
    assert.equal(bad.code, 'BAD_USER_INPUT');
    assert.equal(bad.problems?.[0]?.path, 'text');
    assert.match(bad.problems![0]!.message, /blorp/);
    assert.match(bad.problems![0]!.message, /say it like "every weekday at 9am"/);
    for (const [args, path] of [
      [{ title: 'x' }, 'text'],
      [{ title: 'x', rrule: 'FREQ=DAILY' }, 'dtstart'],
      [{ title: 'x', rrule: 'FREQ=HOURLY', dtstart: `${tomorrow()}T08:00:00` }, 'rrule'],
      [{ title: '', text: 'every day' }, 'title'],
      [{ title: 'x', text: 'every day', timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ title: 'x', text: 'every day', rrule: 'FREQ=DAILY' }, 'text'],
      [
        { title: 'x', text: 'every day', remindBefore: ['PT5M', 'a fortnight-ish'] },
        'remindBefore.1',
      ],
    ] as const) {
      const err = await transcript.fail(a, 'add_series', args);
      assert.equal(err.code, 'BAD_USER_INPUT', JSON.stringify(err));
      assert.ok(
        err.problems?.some((p) => p.path === path),
        `${JSON.stringify(args)} names ${path}: ${JSON.stringify(err)}`,
      );
    }
    const preview = await transcript.fail(a, 'preview_series', { text: 'every blorp' });
    assert.equal(preview.problems?.[0]?.path, 'text');
  });
});
