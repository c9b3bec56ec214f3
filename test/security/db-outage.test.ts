import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { apiUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';
import { eventually, type GraphQLResponse } from '../support/graphql.js';
import { HEALTHZ_BUDGET_MS, underProbeWithinBudget } from '../support/healthz-probe.js';
import { stackControl } from '../support/stack-control.js';

// PostgreSQL goes away (fast shutdown: every session terminated, new connections refused) and
// comes back. Meanwhile a client gets UNAVAILABLE with HTTP 503 and Retry-After, which it can
// act on, instead of INTERNAL_SERVER_ERROR; the api's liveness stays quick; and afterwards the
// api, the worker's relay and the audit service all work again without a restart.

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }`;
const LIST = `query { tasks(first: 5) { edges { node { id } } } }`;
const TASK_HISTORY = /* GraphQL */ `
  query ($id: ID!) {
    task(id: $id) {
      history(first: 10) {
        edges {
          node {
            action
          }
        }
      }
    }
  }
`;

async function post(token: string, query: string, variables: Record<string, unknown> = {}) {
  const t0 = performance.now();
  const res = await fetch(testEnv.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as GraphQLResponse,
    ms: Math.round(performance.now() - t0),
  };
}

describe('PostgreSQL stopped', () => {
  // Whatever happens here, the next test file finds the database running.
  after(() => stackControl.startPostgres());

  test('UNAVAILABLE with 503 and Retry-After while it is down; everything works once it is back', async () => {
    const user = await apiUser('db-outage');
    await user.createTask({ title: 'before the outage' });

    await stackControl.stopPostgres();
    const { result, healthz } = await underProbeWithinBudget(testEnv.apiUrl, async () => ({
      mutation: await post(user.token, CREATE, { input: { title: 'during the outage' } }),
      query: await post(user.token, LIST),
    }));
    for (const [what, answer] of Object.entries(result)) {
      const codes = (answer.body.errors ?? []).map((e) => e.extensions?.code);
      console.log(
        `${what} while PostgreSQL is down: HTTP ${answer.status}, ${codes}, ` +
          `Retry-After ${answer.retryAfter}, ${answer.ms} ms (/healthz max ${healthz.maxMs} ms)`,
      );
      assert.deepEqual(codes, ['UNAVAILABLE'], `${what}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.status, 503, what);
      assert.ok(Number(answer.retryAfter) >= 1, `${what}: Retry-After ${answer.retryAfter}`);
    }
    assert.equal(healthz.failures, 0, 'the api stays alive');
    assert.ok(healthz.maxMs < HEALTHZ_BUDGET_MS, `/healthz took ${healthz.maxMs} ms`);

    await stackControl.startPostgres();
    // The api's pool reconnects on its own.
    const { createTask } = await eventually('the api writes again', async () => {
      const answer = await post(user.token, CREATE, { input: { title: 'after the outage' } });
      return answer.body.errors ? undefined : (answer.body.data as { createTask: { id: string } });
    });
    // The relay delivers the new task's event, and the audit service records it: both came back.
    await eventually(
      'the task created after the outage in its history',
      async () => {
        const answer = await post(user.token, TASK_HISTORY, { id: createTask.id });
        const task = (answer.body.data as { task: { history: { edges: unknown[] } } | null })?.task;
        return task && task.history.edges.length > 0 ? true : undefined;
      },
      60_000,
    );
  });
});
