import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { migrate } from '../../db/migrate.js';
import { createSql, type Sql } from '../../db/sql.js';
import { testEnv } from './env.js';

export interface ThrowawayDatabase {
  name: string;
  url: string;
  /** A pool on the throwaway database (camel-cased like the app's own). */
  sql: Sql;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh database on the test server, for tests that must not share the stack's database
 * (the running worker's relay drains the shared outbox; a changed migration must not touch it).
 */
export async function createThrowawayDatabase(
  prefix: string,
  opts: { migrate?: boolean } = {},
): Promise<ThrowawayDatabase> {
  const name = `tickler_${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const admin = postgres(testEnv.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end({ timeout: 2 });
  }
  const url = new URL(testEnv.databaseUrl);
  url.pathname = `/${name}`;
  const sql = createSql(url.toString(), { applicationName: `tickler-test-${prefix}`, max: 4 });
  let dropped = false;
  const drop = async (): Promise<void> => {
    if (dropped) return;
    dropped = true;
    await sql.end({ timeout: 2 });
    const again = postgres(testEnv.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await again.end({ timeout: 2 });
    }
  };
  try {
    if (opts.migrate ?? true) await migrate(sql);
  } catch (err) {
    await drop();
    throw err;
  }
  return { name, url: url.toString(), sql, drop };
}
