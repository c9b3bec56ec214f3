import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildAuditService } from '../../audit-service/app.js';
import { appendAuditEvent } from '../../db/audit.js';
import { createSql, type Sql } from '../../db/sql.js';
import { buildEvent, type TicklerEvent } from '../../domain/events.js';
import type { EventsPage, HistoryPage } from '../../domain/history.js';
import type { EventId, TaskId, UserId } from '../../domain/ids.js';
import { createLogger } from '../../platform/logger.js';
import { snapshot } from '../support/fixtures.js';
import { testEnv } from '../support/env.js';

// The audit service's read routes in-process (app.inject) on the stack's database: the contract
// the api and the sync-service call through Dapr. The stack test (test/e2e/history.test.ts)
// calls them through the sidecars.

const run = Date.now().toString(36);
const user = `history-routes-${run}` as UserId;
const taskId = randomUUID() as TaskId;
const seriesId = randomUUID();

let sql: Sql;
let app: FastifyInstance;
const stored: TicklerEvent[] = [];

// The routes answer only their sidecar, which sends the app token (test/security/ checks the refusal).
const APP_TOKEN = 'app-token-of-this-test-0123456789';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 30, 9, minute));

before(async () => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-audit-routes', max: 3 });
  app = buildAuditService({ sql, log: createLogger('test', 'silent'), appApiToken: APP_TOKEN });
  await app.ready();
  const base = { source: 'tickler/api', userId: user, subject: taskId };
  const task = snapshot({ id: taskId, title: 'Water the plants' });
  stored.push(
    buildEvent({
      ...base,
      id: randomUUID() as EventId,
      type: 'task.created',
      time: at(0),
      sequence: 1,
      data: { task },
    }),
    buildEvent({
      ...base,
      id: randomUUID() as EventId,
      type: 'task.updated',
      time: at(1),
      sequence: 2,
      data: {
        task: { ...task, title: 'Water the ferns', version: 2 },
        changes: { title: { before: 'Water the plants', after: 'Water the ferns' } },
      },
    }),
    buildEvent({
      ...base,
      id: randomUUID() as EventId,
      type: 'reminder.fired',
      source: 'tickler/worker',
      time: at(2),
      sequence: 3,
      data: {
        taskId,
        reminderId: 'r1',
        title: 'Water the ferns',
        fireAt: at(2).toISOString(),
        firedAt: at(2).toISOString(),
        late: false,
      },
    }),
    buildEvent({
      ...base,
      id: randomUUID() as EventId,
      type: 'series.updated',
      subject: seriesId,
      time: at(3),
      sequence: 4,
      data: {
        series: {
          id: seriesId,
          title: 's',
          description: '',
          priority: 'NONE',
          tags: [],
          remindBeforeMs: [],
          rrule: 'FREQ=DAILY',
          dtstart: '2026-03-30T09:00:00',
          timeZone: 'UTC',
          exdates: [],
          mode: 'FIXED',
          state: 'PAUSED',
          maxOpen: 3,
          materializeAhead: 0,
          version: 2,
        },
        change: 'PAUSED',
        changes: { state: { before: 'ACTIVE', after: 'PAUSED' } },
      },
    }),
  );
  for (const e of stored) await appendAuditEvent(sql, e);
});
after(async () => {
  await app.close();
  await sql.end({ timeout: 2 });
});

const get = (url: string) =>
  app.inject({ method: 'GET', url, headers: { 'dapr-api-token': APP_TOKEN } });

describe('GET /history/users/:userId', () => {
  test('entries newest first with actor, action, time and changes', async () => {
    const res = await get(`/history/users/${user}`);
    assert.equal(res.statusCode, 200);
    const page = res.json<HistoryPage>();
    assert.deepEqual(
      page.entries.map((e) => [e.sequence, e.action, e.actor.kind, e.taskId]),
      [
        [4, 'series.updated', 'USER', null],
        [3, 'reminder.fired', 'SYSTEM', taskId],
        [2, 'task.updated', 'USER', taskId],
        [1, 'task.created', 'USER', taskId],
      ],
    );
    const updated = page.entries[2]!;
    assert.equal(updated.id, stored[1]!.id);
    assert.deepEqual(updated.actor, { kind: 'USER', id: user });
    assert.equal(updated.occurredAt, at(1).toISOString());
    assert.ok(!Number.isNaN(Date.parse(updated.recordedAt)));
    assert.deepEqual(updated.changes, [
      { field: 'title', before: 'Water the plants', after: 'Water the ferns' },
    ]);
    assert.deepEqual(page.entries[1]!.actor, { kind: 'SYSTEM', id: null });
    const created = page.entries[3]!.changes;
    assert.deepEqual(
      created.find((c) => c.field === 'title'),
      { field: 'title', before: null, after: 'Water the plants' },
    );
    assert.deepEqual(page.pageInfo, { endCursor: page.pageInfo.endCursor, hasNextPage: false });
  });

  test('filters: subject, types, since and until', async () => {
    const seqs = async (query: string) =>
      (await get(`/history/users/${user}?${query}`))
        .json<HistoryPage>()
        .entries.map((e) => e.sequence);
    assert.deepEqual(await seqs(`subject=${taskId}`), [3, 2, 1]);
    assert.deepEqual(await seqs('types=task.created,reminder.fired'), [3, 1]);
    assert.deepEqual(
      await seqs(`since=${at(1).toISOString()}&until=${at(3).toISOString()}`),
      [3, 2],
    );
  });

  test('pages with first and after', async () => {
    const first = (await get(`/history/users/${user}?first=3`)).json<HistoryPage>();
    assert.deepEqual(
      first.entries.map((e) => e.sequence),
      [4, 3, 2],
    );
    assert.equal(first.pageInfo.hasNextPage, true);
    const next = (
      await get(`/history/users/${user}?first=3&after=${first.pageInfo.endCursor}`)
    ).json<HistoryPage>();
    assert.deepEqual(
      next.entries.map((e) => e.sequence),
      [1],
    );
    assert.equal(next.pageInfo.hasNextPage, false);
  });

  test('another user sees none of it', async () => {
    const page = (await get(`/history/users/someone-else-${run}?subject=${taskId}`)).json();
    assert.deepEqual(page, { entries: [], pageInfo: { endCursor: null, hasNextPage: false } });
  });

  for (const [query, param] of [
    ['first=0', 'first'],
    ['first=abc', 'first'],
    ['subject=nope', 'subject'],
    ['types=task.exploded', 'types.0'],
    ['since=yesterday', 'since'],
    [`since=${at(3).toISOString()}&until=${at(1).toISOString()}`, 'until'],
    ['after=bm90LWEtY3Vyc29y', 'after'],
  ] as const) {
    test(`400 naming the parameter: ${query}`, async () => {
      const res = await get(`/history/users/${user}?${query}`);
      assert.equal(res.statusCode, 400, res.body);
      const body = res.json<{ error: { code: string; problems: { path: string }[] } }>();
      assert.equal(body.error.code, 'BAD_USER_INPUT');
      assert.deepEqual(
        body.error.problems.map((p) => p.path),
        [param],
      );
    });
  }

  test('an unknown parameter is refused', async () => {
    const res = await get(`/history/users/${user}?frist=2`);
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /frist/);
  });
});

describe('GET /replay/users/:userId', () => {
  test('the stored events after a sequence, ascending, with the head', async () => {
    const res = await get(`/replay/users/${user}?after=1`);
    assert.equal(res.statusCode, 200);
    const page = res.json<EventsPage>();
    assert.equal(page.head, 4);
    assert.deepEqual(page.events, stored.slice(1));
  });

  test('limit, and defaults', async () => {
    const page = (await get(`/replay/users/${user}?limit=2`)).json<EventsPage>();
    assert.deepEqual(
      page.events.map((e) => e.sequence),
      [1, 2],
    );
    assert.equal(page.head, 4);
    const empty = (await get(`/replay/users/nobody-${run}`)).json<EventsPage>();
    assert.deepEqual(empty, { events: [], head: 0 });
  });

  for (const [query, param] of [
    ['limit=1001', 'limit'],
    ['limit=0', 'limit'],
    ['after=-1', 'after'],
    ['after=x', 'after'],
  ] as const) {
    test(`400 naming the parameter: ${query}`, async () => {
      const res = await get(`/replay/users/${user}?${query}`);
      assert.equal(res.statusCode, 400, res.body);
      const body = res.json<{ error: { problems: { path: string }[] } }>();
      assert.deepEqual(
        body.error.problems.map((p) => p.path),
        [param],
      );
    });
  }
});
