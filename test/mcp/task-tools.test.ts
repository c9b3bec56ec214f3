import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { uniqueUser } from '../support/api-client.js';
import { gql, tokenFor } from '../support/graphql.js';
import { connect, mcpUrl, Transcript } from '../support/mcp-client.js';
import { TOOLS } from './tool-table.js';

// The MCP server on the running api, driven by the SDK's own client over HTTP, as a chat would:
// find ids first, then act; what the tools did is checked through GraphQL too.

interface Row {
  id: string;
  title: string;
  status: string;
  priority: string;
  tags: string[];
  dueAt: string | null;
}
interface Item {
  index: number;
  status: 'succeeded' | 'failed';
  id: string | null;
  task?: Row;
  error?: { code: string; message: string; problems?: { path: string; message: string }[] };
}
interface Batch {
  results: Item[];
  succeeded: number;
  failed: number;
}

interface JsonSchema {
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}

/**
 * Every argument a model fills in, nested ones too (tasks.*.dueAt): a property's schema, found
 * through arrays' items and the variants of a nullable, each with its path.
 */
function fieldsOf(schema: JsonSchema, path = ''): [string, JsonSchema][] {
  const inner = [schema.items, ...(schema.anyOf ?? [])].filter((s) => s !== undefined);
  return [
    ...Object.entries(schema.properties ?? {}).flatMap(([name, field]): [string, JsonSchema][] => [
      [`${path}${name}`, field],
      ...fieldsOf(field, `${path}${name}.`),
    ]),
    ...inner.flatMap((s) => fieldsOf(s, schema.items === s ? `${path}*.` : path)),
  ];
}

const transcript = new Transcript('MCP transcript (compact)');
const call = <T>(client: Client, name: string, args: Record<string, unknown> = {}) =>
  transcript.call<T>(client, name, args);

const ids = (b: Batch): string[] => b.results.map((r) => r.id!);

describe('MCP server', () => {
  const alice = uniqueUser('mcp-alice');
  const bob = uniqueUser('mcp-bob');
  let a: Client;
  let b: Client;
  before(async () => {
    // Alice lives in Berlin: due ranges and times are read there.
    const { body } = await gql(
      /* GraphQL */ `
        mutation {
          updateSettings(input: { timeZone: "Europe/Berlin" }) {
            timeZone
          }
        }
      `,
      {},
      { token: await tokenFor(alice) },
    );
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    a = await connect(alice);
    b = await connect(bob);
  });
  after(async () => {
    transcript.print();
    await a?.close();
    await b?.close();
  });

  test('every tool declares its four hints, a described input schema and an output schema', async () => {
    const { tools } = await a.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), Object.keys(TOOLS).sort());
    for (const tool of tools) {
      const [readOnlyHint, destructiveHint, idempotentHint, openWorldHint] = TOOLS[tool.name]!;
      assert.deepEqual(
        {
          readOnlyHint: tool.annotations?.readOnlyHint,
          destructiveHint: tool.annotations?.destructiveHint,
          idempotentHint: tool.annotations?.idempotentHint,
          openWorldHint: tool.annotations?.openWorldHint,
        },
        { readOnlyHint, destructiveHint, idempotentHint, openWorldHint },
        tool.name,
      );
      assert.ok((tool.description ?? '').length > 40, `${tool.name} has a description`);
      assert.equal(tool.inputSchema.type, 'object', tool.name);
      assert.equal(tool.outputSchema?.type, 'object', `${tool.name} has an output schema`);
      for (const [field, schema] of fieldsOf(tool.inputSchema as JsonSchema))
        assert.ok(schema.description, `${tool.name}.${field} has a description for the model`);
    }
  });

  test('the server instructions say how the tools combine', async () => {
    assert.match(a.getInstructions() ?? '', /find_tasks first/);
  });

  test('no token: 401 with WWW-Authenticate naming the protected-resource metadata', async () => {
    const res = await fetch(mcpUrl(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(res.status, 401);
    const header = res.headers.get('www-authenticate') ?? '';
    const metadataUrl = /^Bearer resource_metadata="([^"]+)"$/.exec(header)?.[1];
    assert.ok(metadataUrl, header);
    const metadata = (await (await fetch(metadataUrl)).json()) as Record<string, unknown>;
    assert.equal(metadata.resource, mcpUrl());
    assert.deepEqual(metadata.bearer_methods_supported, ['header']);

    const forged = await fetch(mcpUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-jwt' },
      body: '{}',
    });
    assert.equal(forged.status, 401);
    assert.match(forged.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  test('user_info: the time zone and the local time now', async () => {
    const info = await call<{ userId: string; timeZone: string; localTime: string }>(
      a,
      'user_info',
    );
    assert.equal(info.userId, alice);
    assert.equal(info.timeZone, 'Europe/Berlin');
    assert.match(info.localTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/);
  });

  test('a batch with one bad item: the others succeed, the bad one names its field', async () => {
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const added = await call<Batch>(a, 'add_tasks', {
      tasks: [
        { title: 'Buy groceries batch', priority: 'HIGH', dueAt: soon, tags: ['home'] },
        { title: 'Call the bank batch', dueAt: 'when pigs fly' },
        { title: 'Water the plants batch' },
      ],
    });
    assert.equal(added.succeeded, 2);
    assert.equal(added.failed, 1);
    assert.deepEqual(
      added.results.map((r) => r.status),
      ['succeeded', 'failed', 'succeeded'],
    );
    const bad = added.results[1]!;
    assert.equal(bad.error?.code, 'BAD_USER_INPUT');
    assert.equal(bad.error?.problems?.[0]?.path, 'tasks.1.dueAt', JSON.stringify(bad));
    assert.match(bad.error?.problems?.[0]?.message ?? '', /not a date Tickler can read/);
    assert.equal(added.results[0]!.task?.priority, 'HIGH');

    const found = await call<{ tasks: Row[] }>(a, 'find_tasks', { text: 'batch' });
    assert.deepEqual(found.tasks.map((t) => t.title).sort(), [
      'Buy groceries batch',
      'Water the plants batch',
    ]);
    const graphql = await gql<{ task: { title: string; priority: string } }>(
      /* GraphQL */ `
        query ($id: ID!) {
          task(id: $id) {
            title
            priority
          }
        }
      `,
      { id: added.results[0]!.id },
      { token: await tokenFor(alice) },
    );
    assert.deepEqual(graphql.body.data?.task, { title: 'Buy groceries batch', priority: 'HIGH' });
  });

  test('find, complete, reopen, reschedule and delete, seen through GraphQL', async () => {
    const token = await tokenFor(alice);
    const status = async (id: string) =>
      (
        await gql<{ task: { status: string; dueAt: string | null } | null }>(
          /* GraphQL */ `
            query ($id: ID!) {
              task(id: $id) {
                status
                dueAt
              }
            }
          `,
          { id },
          { token },
        )
      ).body.data?.task ?? null;

    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const added = await call<Batch>(a, 'add_tasks', {
      tasks: [
        { title: 'Exercise lifecycle', dueAt: inAnHour, priority: 'MEDIUM' },
        { title: 'Read a book lifecycle' },
      ],
    });
    const [exercise, book] = ids(added) as [string, string];

    // "show my medium-priority tasks due today" (in Berlin; an hour from now may be tomorrow)
    const dueToday = await call<{ tasks: Row[] }>(a, 'find_tasks', {
      priorities: ['MEDIUM'],
      due: 'next_7_days',
    });
    assert.ok(dueToday.tasks.some((t) => t.id === exercise));
    assert.ok(!dueToday.tasks.some((t) => t.id === book));

    const completed = await call<Batch>(a, 'complete_tasks', { ids: [exercise, book] });
    assert.equal(completed.succeeded, 2);
    assert.equal((await status(exercise))?.status, 'COMPLETED');
    const done = await call<{ tasks: Row[] }>(a, 'find_tasks', {
      text: 'lifecycle',
      status: 'COMPLETED',
    });
    assert.equal(done.tasks.length, 2);

    const reopened = await call<Batch>(a, 'reopen_tasks', { ids: [book] });
    assert.equal(reopened.results[0]!.task?.status, 'OPEN');
    assert.equal((await status(book))?.status, 'OPEN');

    const friday = '2031-03-28T17:00:00+01:00';
    const moved = await call<Batch>(a, 'reschedule_tasks', {
      tasks: [{ id: book, dueAt: friday }],
    });
    assert.equal(moved.results[0]!.task?.dueAt, friday);
    assert.equal((await status(book))?.dueAt, new Date(friday).toISOString());

    const updated = await call<Batch>(a, 'update_tasks', {
      tasks: [{ id: book, title: 'Read two books lifecycle', tags: ['fun'] }],
    });
    assert.equal(updated.results[0]!.task?.title, 'Read two books lifecycle');
    assert.equal(updated.results[0]!.task?.dueAt, friday, 'update keeps the due date');

    const deleted = await call<Batch>(a, 'delete_tasks', { ids: [exercise] });
    assert.deepEqual(deleted.results, [{ index: 0, status: 'succeeded', id: exercise }]);
    assert.equal(await status(exercise), null);
    const again = await call<Batch>(a, 'delete_tasks', { ids: [exercise] });
    assert.equal(again.results[0]!.error?.code, 'NOT_FOUND');
  });

  test('pages: limit and cursor', async () => {
    await call<Batch>(a, 'add_tasks', {
      tasks: ['one', 'two', 'three'].map((n) => ({ title: `Page ${n} paging` })),
    });
    const first = await call<{ tasks: Row[]; nextCursor: string | null }>(a, 'find_tasks', {
      text: 'paging',
      limit: 2,
    });
    assert.equal(first.tasks.length, 2);
    assert.ok(first.nextCursor);
    const second = await call<{ tasks: Row[]; nextCursor: string | null }>(a, 'find_tasks', {
      text: 'paging',
      limit: 2,
      cursor: first.nextCursor,
    });
    assert.equal(second.tasks.length, 1);
    assert.equal(second.nextCursor, null);
  });

  test('retrying add_tasks with the same idempotency key creates nothing new', async () => {
    const args = {
      idempotencyKey: `retry-${alice}`,
      tasks: [{ title: 'Pay rent retry' }, { title: 'Pay water retry' }],
    };
    const first = await call<Batch>(a, 'add_tasks', args);
    const second = await call<Batch>(a, 'add_tasks', args);
    assert.deepEqual(ids(second), ids(first));
    const found = await call<{ tasks: Row[] }>(a, 'find_tasks', { text: 'retry' });
    assert.equal(found.tasks.length, 2);
  });

  test("another user's ids behave as missing in every tool", async () => {
    const added = await call<Batch>(a, 'add_tasks', { tasks: [{ title: 'Private isolation' }] });
    const [id] = ids(added) as [string];
    const attempts: [string, Record<string, unknown>][] = [
      ['update_tasks', { tasks: [{ id, title: 'stolen' }] }],
      ['reschedule_tasks', { tasks: [{ id, dueAt: '2031-01-01T09:00:00Z' }] }],
      ['complete_tasks', { ids: [id] }],
      ['reopen_tasks', { ids: [id] }],
      ['delete_tasks', { ids: [id] }],
    ];
    for (const [tool, args] of attempts) {
      const result = await call<Batch>(b, tool, args);
      assert.equal(result.results[0]!.status, 'failed', tool);
      assert.equal(result.results[0]!.error?.code, 'NOT_FOUND', tool);
      assert.equal(result.results[0]!.error?.message, `task ${id} not found`, tool);
    }
    const bobs = await call<{ tasks: Row[] }>(b, 'find_tasks', { text: 'isolation' });
    assert.deepEqual(bobs.tasks, []);
    const still = await call<{ tasks: Row[] }>(a, 'find_tasks', { text: 'isolation' });
    assert.equal(still.tasks[0]?.title, 'Private isolation');
  });

  test('an id far longer than any id is refused by the schema, never echoed back', async () => {
    // 25 ids of 9,000 characters were answered with each one twice (the item's id and its
    // NOT_FOUND message): over 400 KB.
    const long = 'x'.repeat(9_000);
    for (const [tool, args, path] of [
      ['update_tasks', { tasks: Array.from({ length: 25 }, () => ({ id: long })) }, 'tasks.0.id'],
      ['complete_tasks', { ids: Array.from({ length: 25 }, () => long) }, 'ids.0'],
      ['task_history', { taskId: long }, 'taskId'],
      ['delete_occurrence', { taskId: long }, 'taskId'],
      ['get_task_reminders', { taskIds: [long] }, 'taskIds.0'],
    ] as const) {
      const result = await a.callTool({ name: tool, arguments: args });
      const text = (result.content as { text: string }[])[0]!.text;
      assert.equal(result.isError, true, tool);
      assert.ok(text.length < 8_000, `${tool}: ${text.length} characters`);
      const { error } = JSON.parse(text) as {
        error: { code: string; problems: { path: string }[] };
      };
      assert.equal(error.code, 'BAD_USER_INPUT', tool);
      assert.equal(error.problems[0]!.path, path, tool);
    }
  });

  test('bad arguments to the whole call are an isError result naming the field', async () => {
    // Refused by the SDK's own schema check, yet in the catalog's shape like every other error.
    const result = await a.callTool({ name: 'find_tasks', arguments: { limit: 500 } });
    assert.equal(result.isError, true);
    const refused = JSON.parse((result.content as { text: string }[])[0]!.text);
    assert.equal(refused.error.code, 'BAD_USER_INPUT', JSON.stringify(refused));
    assert.equal(refused.error.problems[0].path, 'limit');
    assert.match(refused.error.problems[0].message, /50/);
    const nested = await a.callTool({
      name: 'add_tasks',
      arguments: { tasks: [{ title: 'ok' }, { title: 7 }] },
    });
    const nestedError = JSON.parse((nested.content as { text: string }[])[0]!.text).error;
    assert.equal(nestedError.problems[0].path, 'tasks.1.title');
    // An unknown tool is the protocol's error (-32602), not a tool result.
    await assert.rejects(a.callTool({ name: 'no_such_tool', arguments: {} }), /no_such_tool/);
    const cursor = await a.callTool({ name: 'find_tasks', arguments: { cursor: 'nope' } });
    assert.equal(cursor.isError, true);
    const text = (cursor.content as { text: string }[])[0]!.text;
    assert.equal(JSON.parse(text).error.problems[0].path, 'cursor');
  });

  test('a batch over 25 items is refused as a whole, naming the argument', async () => {
    const tasks = Array.from({ length: 26 }, (_, i) => ({ title: `Too many ${i}` }));
    const result = await a.callTool({ name: 'add_tasks', arguments: { tasks } });
    assert.equal(result.isError, true);
    assert.match(JSON.stringify(result.content), /tasks/);
    const found = await call<{ tasks: Row[] }>(a, 'find_tasks', { text: 'too many' });
    assert.deepEqual(found.tasks, []);
  });

  test('a body over 256 KiB: 413 with a token, 401 without one', async () => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'add_tasks', arguments: { tasks: [{ title: 'x'.repeat(300_000) }] } },
    });
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const withToken = await fetch(mcpUrl(), {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${await tokenFor(alice)}` },
      body,
    });
    assert.equal(withToken.status, 413);
    const stranger = await fetch(mcpUrl(), { method: 'POST', headers, body });
    assert.equal(stranger.status, 401);
  });
});
