import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/app.js';
import { createHistoryClient, type HistoryClient } from '../../api/history/history-client.js';
import { createSql, type Sql } from '../../db/sql.js';
import { createHs256Verifier } from '../../platform/auth.js';
import { createLogger } from '../../platform/logger.js';
import { testEnv } from '../support/env.js';
import { tokenFor } from '../support/graphql.js';

// When the audit service cannot be reached, history answers UNAVAILABLE (HTTP 503), never a
// masked crash. The api runs in-process with history clients that cannot get an answer.

const QUERY = '{ history { edges { node { id } } } }';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

let sql: Sql;
before(() => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-history', max: 2 });
});
after(async () => {
  await sql.end({ timeout: 2 });
});

async function ask(history: HistoryClient) {
  const app: FastifyInstance = buildApi({
    sql,
    verifier: createHs256Verifier(testEnv.jwtSecret),
    log: createLogger('test', 'silent'),
    history,
  });
  try {
    const res = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await tokenFor('history-unavailable')}`,
      },
      payload: { query: QUERY },
    });
    return {
      status: res.statusCode,
      errors: res.json<{ errors: { message: string; extensions: { code: string } }[] }>().errors,
    };
  } finally {
    await app.close();
  }
}

describe('history when the audit service cannot be reached', () => {
  test('no sidecar listening → UNAVAILABLE', async () => {
    const { status, errors } = await ask(
      createHistoryClient({ daprHost: '127.0.0.1', daprHttpPort: await closedPort() }),
    );
    assert.equal(errors[0]!.extensions.code, 'UNAVAILABLE');
    assert.match(errors[0]!.message, /audit history is unavailable/);
    assert.equal(status, 503);
  });

  test('the sidecar cannot reach the app (ERR_DIRECT_INVOKE) → UNAVAILABLE', async () => {
    const daprFailure: typeof fetch = async () =>
      new Response(
        JSON.stringify({ errorCode: 'ERR_DIRECT_INVOKE', message: 'failed to invoke' }),
        { status: 500, headers: { 'content-type': 'application/json' } },
      );
    const { errors } = await ask(
      createHistoryClient({ daprHost: '127.0.0.1', daprHttpPort: 1, fetch: daprFailure }),
    );
    assert.equal(errors[0]!.extensions.code, 'UNAVAILABLE');
  });

  test('no answer in time → UNAVAILABLE', async () => {
    // Never answers; the timer only keeps the test's event loop alive (the client's is unref'd).
    const never: typeof fetch = (_url, init) =>
      new Promise((_, reject) => {
        const alive = setTimeout(() => {}, 10_000);
        init?.signal?.addEventListener('abort', () => {
          clearTimeout(alive);
          reject(init.signal!.reason);
        });
      });
    const { errors } = await ask(
      createHistoryClient({ daprHost: '127.0.0.1', daprHttpPort: 1, timeoutMs: 200, fetch: never }),
    );
    assert.equal(errors[0]!.extensions.code, 'UNAVAILABLE');
    assert.match(errors[0]!.message, /no answer in time/);
  });
});
