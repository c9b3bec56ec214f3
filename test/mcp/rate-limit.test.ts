import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueUser } from '../support/api-client.js';
import { limitedApi } from '../support/limited-api.js';
import { tokenFor } from '../support/graphql.js';

// /mcp takes from the same per-user request budget as /graphql, on the stack's PostgreSQL; an
// api of its own with small limits and a stopped clock (no refill during the burst).

const LIMITS = { ratePerSecond: 2, burst: 10 };
const api = limitedApi('mcp-rate', LIMITS);

const listTools = (token: string) =>
  api.app().inject({
    method: 'POST',
    url: '/mcp',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token}`,
    },
    payload: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
  });

describe('MCP request rate limit', () => {
  test('a burst beyond the budget is HTTP 429 with Retry-After, shared with /graphql', async () => {
    const token = await tokenFor(uniqueUser('mcp-rate'));
    // Half the budget spent on GraphQL first.
    for (let i = 0; i < LIMITS.burst / 2; i++) {
      const res = await api.app().inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        payload: { query: '{ me { id } }' },
      });
      assert.equal(res.statusCode, 200);
    }
    const answers = await Promise.all(Array.from({ length: LIMITS.burst }, () => listTools(token)));
    const served = answers.filter((a) => a.statusCode === 200);
    const limited = answers.filter((a) => a.statusCode === 429);
    assert.equal(served.length, LIMITS.burst / 2);
    assert.equal(limited.length, LIMITS.burst / 2);
    assert.ok(served[0]!.json<{ result: { tools: unknown[] } }>().result.tools.length >= 8);
    for (const a of limited) {
      assert.ok(Number(a.headers['retry-after']) >= 1, `Retry-After ${a.headers['retry-after']}`);
      assert.match(a.json<{ error: { message: string } }>().error.message, /^RATE_LIMITED/);
    }
    assert.equal((await listTools(await tokenFor(uniqueUser('mcp-rate-other')))).statusCode, 200);
  });
});
