import { migrate } from '../db/migrate.js';
import { createSql } from '../db/sql.js';
import { cliFatal } from '../platform/lifecycle.js';

// Applies pending migrations to DATABASE_URL (deployments run this before rolling out).
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const sql = createSql(url, { applicationName: 'tickler-migrate', max: 1 });
  try {
    const applied = await migrate(sql, undefined, (line) => console.log(line));
    console.log(applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date');
  } finally {
    await sql.end({ timeout: 5 });
  }
}

main().catch(cliFatal);
