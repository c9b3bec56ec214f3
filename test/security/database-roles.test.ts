import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import postgres from 'postgres';
import { testEnv } from '../support/env.js';

// Each service logs in as its own role (db/migrations/0011_service_roles.sql) with its own
// password, on the stack's real PostgreSQL: the api and the worker reach the public tables and
// not the audit log; the audit service reaches the audit log (append and read only) and nothing
// else. Every write below runs in a transaction that is rolled back, so even a missing guard
// would leave the stack's data as it was.

const PERMISSION_DENIED = '42501';
const INVALID_PASSWORD = '28P01';

type App = 'api' | 'worker' | 'audit-service';
const pools = new Map<App, postgres.Sql>();
const as = (app: App): postgres.Sql => pools.get(app)!;

before(() => {
  for (const [app, url] of Object.entries(testEnv.serviceDatabaseUrls) as [App, string][])
    pools.set(app, postgres(url, { max: 1, onnotice: () => {} }));
});
after(async () => {
  for (const sql of pools.values()) await sql.end({ timeout: 2 });
});

/** Runs `statement` in a transaction that never commits; the error code it raised, if any. */
async function codeOf(
  sql: postgres.Sql,
  statement: (tx: postgres.TransactionSql) => Promise<unknown>,
): Promise<string | undefined> {
  const ROLLBACK = new Error('rollback');
  try {
    await sql.begin(async (tx) => {
      await statement(tx);
      throw ROLLBACK;
    });
  } catch (err) {
    if (err === ROLLBACK) return undefined;
    return (err as { code?: string }).code ?? String(err);
  }
  return undefined;
}

const AUDIT_ROW = (tx: postgres.TransactionSql) => tx`
  INSERT INTO audit.events (event_id, user_id, subject, type, sequence, occurred_at, event)
  VALUES (gen_random_uuid(), 'roles-test', gen_random_uuid(), 'task.created', 1, now(), '{}')`;

for (const app of ['api', 'worker'] as const) {
  describe(`the ${app}'s role`, () => {
    test('logs in as its own role and reads the public tables', async () => {
      const [row] = await as(app)<[{ user: string }]>`SELECT current_user AS user`;
      assert.equal(row.user, app === 'api' ? 'tickler_api' : 'tickler_worker');
      assert.equal(await codeOf(as(app), (tx) => tx`SELECT count(*) FROM tasks`), undefined);
      assert.equal(await codeOf(as(app), (tx) => tx`SELECT count(*) FROM outbox`), undefined);
    });

    test('can neither read nor write audit.events, nor read the dead letters', async () => {
      assert.equal(
        await codeOf(as(app), (tx) => tx`SELECT count(*) FROM audit.events`),
        PERMISSION_DENIED,
      );
      assert.equal(await codeOf(as(app), AUDIT_ROW), PERMISSION_DENIED);
      assert.equal(
        await codeOf(as(app), (tx) => tx`SELECT count(*) FROM audit.dead_letters`),
        PERMISSION_DENIED,
      );
    });

    test('cannot change the schema or its migration record', async () => {
      assert.equal(
        await codeOf(as(app), (tx) => tx`CREATE TABLE roles_test (id int)`),
        PERMISSION_DENIED,
      );
      assert.equal(
        await codeOf(as(app), (tx) => tx`DELETE FROM schema_migrations`),
        PERMISSION_DENIED,
      );
      assert.equal(await codeOf(as(app), (tx) => tx`TRUNCATE tasks CASCADE`), PERMISSION_DENIED);
    });
  });
}

describe("the audit service's role", () => {
  const audit = () => as('audit-service');

  test('appends to and reads the audit log', async () => {
    const [row] = await audit()<[{ user: string }]>`SELECT current_user AS user`;
    assert.equal(row.user, 'tickler_audit');
    assert.equal(await codeOf(audit(), AUDIT_ROW), undefined);
    assert.equal(await codeOf(audit(), (tx) => tx`SELECT count(*) FROM audit.events`), undefined);
  });

  test('cannot change or remove what the log holds', async () => {
    assert.equal(
      await codeOf(audit(), (tx) => tx`UPDATE audit.events SET type = 'tampered'`),
      PERMISSION_DENIED,
    );
    assert.equal(await codeOf(audit(), (tx) => tx`DELETE FROM audit.events`), PERMISSION_DENIED);
  });

  test('cannot touch public.tasks or the other public tables', async () => {
    assert.equal(
      await codeOf(audit(), (tx) => tx`SELECT count(*) FROM public.tasks`),
      PERMISSION_DENIED,
    );
    assert.equal(
      await codeOf(audit(), (tx) => tx`UPDATE public.tasks SET title = 'tampered'`),
      PERMISSION_DENIED,
    );
    assert.equal(
      await codeOf(audit(), (tx) => tx`SELECT count(*) FROM public.users`),
      PERMISSION_DENIED,
    );
  });
});

test('a role needs its password over TCP: a wrong one is refused, also for the owner', async () => {
  for (const base of [testEnv.serviceDatabaseUrls.api, testEnv.databaseUrl]) {
    const url = new URL(base);
    url.password = `not-${url.password}`;
    const sql = postgres(url.toString(), { max: 1, onnotice: () => {}, connect_timeout: 10 });
    try {
      await assert.rejects(sql`SELECT 1`, (err: { code?: string }) => {
        assert.equal(err.code, INVALID_PASSWORD, `${url.username}: ${String(err)}`);
        return true;
      });
    } finally {
      await sql.end({ timeout: 2 });
    }
  }
});
