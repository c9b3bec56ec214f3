import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from './sql.js';

export const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file) => {
      const m = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
      if (!m) throw new Error(`migration file "${file}" must be named NNNN_name.sql`);
      const sql = await readFile(join(dir, file), 'utf8');
      return {
        version: Number(m[1]),
        name: m[2]!,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    }),
  );
}

/**
 * Applies pending migrations in order, recording each in schema_migrations. All pending
 * migrations run in one transaction (each under a savepoint): a failure leaves the schema as it
 * was, with nothing half-applied. The price: a statement that cannot run inside a transaction
 * (CREATE INDEX CONCURRENTLY) cannot be a migration here. A transaction-level advisory lock
 * makes concurrent runners (several replicas starting at once) take turns; an applied migration
 * whose file changed is refused rather than ignored.
 */
export async function migrate(
  sql: Sql,
  dir: string = fileURLToPath(MIGRATIONS_DIR),
  log: (line: string) => void = () => {},
): Promise<number[]> {
  const migrations = await loadMigrations(dir);
  const applied: number[] = [];
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext('tickler.migrate'))`;
    await tx`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        checksum   text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`;
    const done = new Map(
      (
        await tx<
          { version: number; checksum: string }[]
        >`SELECT version, checksum FROM schema_migrations`
      ).map((r) => [r.version, r.checksum]),
    );
    for (const m of migrations) {
      const checksum = done.get(m.version);
      if (checksum !== undefined) {
        if (checksum !== m.checksum) {
          throw new Error(
            `migration ${m.version}_${m.name} was changed after it was applied; add a new migration instead`,
          );
        }
        continue;
      }
      await tx.savepoint(async (sp) => {
        await sp.unsafe(m.sql);
        await sp`INSERT INTO schema_migrations (version, name, checksum) VALUES (${m.version}, ${m.name}, ${m.checksum})`;
      });
      log(`applied migration ${m.version}_${m.name}`);
      applied.push(m.version);
    }
  });
  return applied;
}
