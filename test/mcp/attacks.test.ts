import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';
import { tokenFor } from '../support/graphql.js';
import { HEALTHZ_BUDGET_MS, underProbeWithinBudget } from '../support/healthz-probe.js';

// Hostile calls to /mcp on the stack's api, with /healthz probed meanwhile: each is refused
// cheaply, and the event loop keeps answering within the budget.

const mcpUrl = (): string => testEnv.apiUrl.replace(/\/graphql$/, '/mcp');
const ROUNDS = 8;

/** A tools/call of add_tasks with `tasks` as given, just under the 256 KiB body limit. */
const addTasksBody = (tasks: unknown[]): string =>
  JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'add_tasks', arguments: { tasks } },
  });

async function send(body: string, token?: string) {
  const res = await fetch(mcpUrl(), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  return { status: res.status, text: await res.text() };
}

async function attack(name: string, body: string, token?: string) {
  assert.ok(body.length < 256 * 1024, `${name}: ${body.length} bytes`);
  const { result, healthz } = await underProbeWithinBudget(testEnv.apiUrl, async () => {
    const answers = [];
    for (let i = 0; i < ROUNDS; i++) answers.push(await send(body, token));
    return answers;
  });
  console.log(
    `mcp attack ${name}: ${ROUNDS} x ${body.length} bytes, answers ${[...new Set(result.map((a) => a.status))]}, ` +
      `largest answer ${Math.max(...result.map((a) => a.text.length))} bytes, ` +
      `/healthz max ${healthz.maxMs} ms over ${healthz.probes} probes, ${healthz.failures} failed`,
  );
  assert.ok(healthz.maxMs < HEALTHZ_BUDGET_MS, `/healthz took ${healthz.maxMs} ms`);
  assert.equal(healthz.failures, 0);
  return result;
}

describe('hostile MCP calls', () => {
  test('120,000 items in one batch: refused as a whole, in a short answer', async () => {
    const token = await tokenFor(uniqueUser('mcp-attack'));
    const answers = await attack(
      'huge batch',
      addTasksBody(Array.from({ length: 120_000 }, () => 1)),
      token,
    );
    for (const a of answers) {
      assert.equal(a.status, 200);
      assert.match(a.text, /"isError":true/);
      const { error } = JSON.parse(JSON.parse(a.text).result.content[0].text);
      assert.equal(error.code, 'BAD_USER_INPUT');
      assert.deepEqual(
        error.problems.map((p: { path: string }) => p.path),
        ['tasks'],
      );
      assert.match(error.problems[0].message, /<=25 items/);
      assert.ok(a.text.length < 1000, `${a.text.length} bytes`);
    }
  });

  test('25 items with 9,000-character descriptions and a bad date: each named, nothing made', async () => {
    const token = await tokenFor(uniqueUser('mcp-attack'));
    const tasks = Array.from({ length: 25 }, (_, i) => ({
      title: `junk ${i}`,
      description: 'x'.repeat(9_000),
      dueAt: 'y'.repeat(1_000),
    }));
    const answers = await attack('25 big items', addTasksBody(tasks), token);
    for (const a of answers) {
      const result = JSON.parse(a.text).result.structuredContent;
      assert.equal(result.failed, 25);
      assert.equal(result.results[24].error.problems[0].path, 'tasks.24.dueAt');
      // Error messages never quote the rejected input at length (twice: text and structured).
      assert.ok(!a.text.includes('y'.repeat(41)), 'the bad date is not echoed');
      assert.ok(a.text.length < 25 * 1000, `${a.text.length} bytes`);
    }
  });

  test('a 250 KB body without a token: 401, never parsed', async () => {
    const answers = await attack(
      'no token',
      addTasksBody(Array.from({ length: 120_000 }, () => 1)),
    );
    for (const a of answers) assert.equal(a.status, 401);
  });
});
