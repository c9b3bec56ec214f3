import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { createSql, databaseFailure, transaction, type Sql } from '../../db/sql.js';
import { testEnv } from '../support/env.js';

// The transaction helper on the stack's PostgreSQL: deadlocks retried, and a connection that
// dies in the middle of a transaction neither crashes the process (postgres.js 3.4.9 would
// write ROLLBACK or the next query to the dead connection from a timer) nor leaks: the caller
// gets an error meaning UNAVAILABLE and the pool works again.

let sql: Sql;
let admin: Sql;
before(() => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-tx', max: 4 });
  admin = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-tx-admin', max: 2 });
});
after(async () => {
  await sql.end({ timeout: 2 });
  await admin.end({ timeout: 2 });
});

/** Terminates the backend serving `tx`, as a failover or an admin would. */
async function killOwnBackend(tx: Parameters<Parameters<typeof transaction>[1]>[0]) {
  const [row] = await tx<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
  await admin`SELECT pg_terminate_backend(${row!.pid})`;
  // Let the close reach this process before the transaction goes on.
  await sleep(200);
}

const unavailable = (err: unknown) => databaseFailure(err)?.code === 'UNAVAILABLE';

describe('transaction()', () => {
  test('a connection killed between two queries: UNAVAILABLE, no crash, the pool recovers', async () => {
    await assert.rejects(
      transaction(sql, async (tx) => {
        await killOwnBackend(tx);
        await tx`SELECT 1`;
      }),
      unavailable,
    );
    // A stray write from a timer would crash the test process within a few ticks.
    await sleep(100);
    assert.deepEqual([...(await sql`SELECT 1 AS one`)], [{ one: 1 }]);
  });

  test('a connection killed, then the transaction fails on its own: no ROLLBACK is written to it', async () => {
    await assert.rejects(
      transaction(sql, async (tx) => {
        await killOwnBackend(tx);
        throw new Error('the command gave up');
      }),
      unavailable,
    );
    await sleep(100);
    assert.deepEqual([...(await sql`SELECT 1 AS one`)], [{ one: 1 }]);
  });

  test('a deadlock is retried: both transactions commit', async () => {
    const [a, b] = ['tx-deadlock-a', 'tx-deadlock-b'];
    await sql`INSERT INTO users (id) VALUES (${a}), (${b}) ON CONFLICT DO NOTHING`;
    let attempts = 0;
    // Each locks one row, waits until the other has locked its own, then wants the other's.
    let ready = 0;
    const bothLocked = async () => {
      ready++;
      for (let i = 0; i < 1000 && ready < 2; i++) await sleep(10);
    };
    const lockBoth = (first: string, second: string) =>
      transaction(sql, async (tx) => {
        attempts++;
        await tx`SELECT id FROM users WHERE id = ${first} FOR UPDATE`;
        await bothLocked();
        await tx`SELECT id FROM users WHERE id = ${second} FOR UPDATE`;
        return first;
      });
    assert.deepEqual(await Promise.all([lockBoth(a, b), lockBoth(b, a)]), [a, b]);
    assert.ok(attempts >= 3, `one of them ran again (${attempts} attempts)`);
  });
});
