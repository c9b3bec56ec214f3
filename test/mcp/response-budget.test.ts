import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { RESPONSE_BUDGET_BYTES } from '../../api/mcp/results.js';
import { uniqueUser } from '../support/api-client.js';
import { connect, Transcript } from '../support/mcp-client.js';

// A listing answer stays within the size budget whatever the rows hold, and the rows it leaves
// out come on the next page: none is lost to the cut. A batch answer stays within it too, with
// every item's outcome.

const transcript = new Transcript('MCP response budget');

describe('MCP response budget', () => {
  const user = uniqueUser('mcp-budget');
  let c: Client;
  before(async () => {
    c = await connect(user);
  });
  after(async () => {
    transcript.print();
    await c?.close();
  });

  test('find_tasks: 30 of the largest rows come in pages under 16 KiB, each row once', async () => {
    const big = (i: number) => ({
      title: `Budget ${i} ${'t'.repeat(480)}`,
      description: 'd'.repeat(10_000),
      tags: Array.from({ length: 20 }, (_, k) => `tag${k}-${'x'.repeat(40)}`),
    });
    for (const from of [0, 15])
      await transcript.call(c, 'add_tasks', {
        tasks: Array.from({ length: 15 }, (_, k) => big(from + k)),
      });

    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const result = await c.callTool({
        name: 'find_tasks',
        arguments: { text: 'budget', limit: 50, ...(cursor ? { cursor } : {}) },
      });
      const text = (result.content as { text: string }[])[0]!.text;
      assert.ok(
        Buffer.byteLength(text) <= RESPONSE_BUDGET_BYTES,
        `page ${pages}: ${Buffer.byteLength(text)} bytes`,
      );
      const page = result.structuredContent as {
        tasks: { id: string; description?: string }[];
        nextCursor: string | null;
      };
      assert.ok(page.tasks.length > 0);
      for (const t of page.tasks) {
        assert.ok(!seen.has(t.id), 'a row came twice');
        seen.add(t.id);
        assert.ok((t.description ?? '').length <= 201, 'descriptions are cut in rows');
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 40);
    assert.equal(seen.size, 30);
    assert.ok(pages > 1, 'the budget cut the 50-row page');
  });
  test('add_tasks: 25 of the largest items answer within 16 KiB, every outcome there', async () => {
    const result = await c.callTool({
      name: 'add_tasks',
      arguments: {
        tasks: Array.from({ length: 25 }, (_, i) => ({
          title: `Batch limit ${i} ${'t'.repeat(470)}`,
          tags: Array.from({ length: 20 }, (_, k) => `tag${k}-${'x'.repeat(40)}`),
        })),
      },
    });
    const text = (result.content as { text: string }[])[0]!.text;
    assert.ok(Buffer.byteLength(text) <= RESPONSE_BUDGET_BYTES, `${Buffer.byteLength(text)} bytes`);
    const out = result.structuredContent as {
      results: { index: number; status: string; id: string | null; task?: unknown }[];
      succeeded: number;
      rowsLeftOut?: number[];
    };
    assert.equal(out.succeeded, 25);
    assert.deepEqual(
      out.results.map((r) => [r.index, r.status, typeof r.id]),
      Array.from({ length: 25 }, (_, i) => [i, 'succeeded', 'string']),
    );
    assert.deepEqual(
      out.rowsLeftOut,
      out.results.filter((r) => !r.task).map((r) => r.index),
      'the items without their row are named',
    );
    assert.ok(out.rowsLeftOut!.length > 0 && out.rowsLeftOut!.length < 25);
  });
});
