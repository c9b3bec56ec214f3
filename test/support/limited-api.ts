import { after, before } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/app.js';
import {
  createRequestLimiter,
  type RequestLimiterOptions,
} from '../../api/limits/request-limiter.js';
import { createSql, type Sql } from '../../db/sql.js';
import { createHs256Verifier } from '../../platform/auth.js';
import { createLogger } from '../../platform/logger.js';
import { testEnv } from './env.js';

/**
 * An api of the test file's own, in-process on the stack's PostgreSQL, with a small request
 * budget on a stopped clock (no refill while a burst is answered, however slow the machine is).
 * The stack's own api has limits high enough for the suite and the benchmarks.
 */
export function limitedApi(
  name: string,
  limits: Omit<RequestLimiterOptions, 'now'>,
): { app: () => FastifyInstance } {
  const frozenAt = Date.now();
  let sql: Sql;
  let app: FastifyInstance;
  before(() => {
    sql = createSql(testEnv.databaseUrl, { applicationName: `tickler-test-${name}`, max: 4 });
    app = buildApi({
      sql,
      verifier: createHs256Verifier(testEnv.jwtSecret),
      log: createLogger('test', 'silent'),
      requestLimiter: createRequestLimiter({ ...limits, now: () => frozenAt }),
    });
  });
  after(async () => {
    await app.close();
    await sql.end({ timeout: 2 });
  });
  return { app: () => app };
}
