import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { appendAuditEvent, listAuditEvents } from '../../db/audit.js';
import { migrate, MIGRATIONS_DIR } from '../../db/migrate.js';
import { createSql, type Sql } from '../../db/sql.js';
import { buildEvent, parseEvent, type TicklerEvent } from '../../domain/events.js';
import type { EventId, TaskId, UserId } from '../../domain/ids.js';
import { testEnv } from '../support/env.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/throwaway-db.js';
import { snapshot } from '../support/fixtures.js';

const run = Date.now().toString(36);
const migrationsDir = fileURLToPath(MIGRATIONS_DIR);

let sql: Sql;
before(() => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-migrations', max: 3 });
});
after(async () => {
  await sql.end({ timeout: 2 });
});

/** The project's migration files, in order. */
async function realMigrations(): Promise<string[]> {
  return (await readdir(migrationsDir)).filter((f) => f.endsWith('.sql')).sort();
}
const versionOf = (file: string) => Number(file.slice(0, 4));

/** A copy of the real migrations in a temporary folder, for tests that add or change files. */
async function copyOfMigrations(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tickler-migrations-'));
  for (const f of await realMigrations()) await copyFile(join(migrationsDir, f), join(dir, f));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

describe('migrate on the stack database', () => {
  test('running it again applies nothing', async () => {
    assert.deepEqual(await migrate(sql), []);
  });

  test('schema_migrations records every migration with the checksum of its file', async () => {
    const rows = await sql<{ version: number; name: string; checksum: string }[]>`
      SELECT version, name, checksum FROM schema_migrations ORDER BY version`;
    const expected = await Promise.all(
      (await realMigrations()).map(async (f) => ({
        version: versionOf(f),
        name: f.slice(5, -4),
        checksum: createHash('sha256')
          .update(await readFile(join(migrationsDir, f), 'utf8'))
          .digest('hex'),
      })),
    );
    assert.ok(expected.length >= 2);
    assert.deepEqual([...rows], expected);
  });
});

describe('migrate on a throwaway database', () => {
  let db: ThrowawayDatabase;
  let files: { dir: string; remove: () => Promise<void> };
  before(async () => {
    db = await createThrowawayDatabase('migrations', { migrate: false });
    files = await copyOfMigrations();
  });
  after(async () => {
    await files?.remove();
    await db?.drop();
  });

  test('concurrent runners take turns: the schema is applied exactly once', async () => {
    const all = (await realMigrations()).map(versionOf);
    const results = await Promise.all([migrate(db.sql), migrate(db.sql), migrate(db.sql)]);
    assert.deepEqual(results.map((r) => r.join(',')).sort(), ['', '', all.join(',')]);
    const [{ count }] = await db.sql<[{ count: string }]>`SELECT count(*) FROM schema_migrations`;
    assert.equal(Number(count), all.length);
  });

  test('a new migration file is applied once, after the ones already applied', async () => {
    await writeFile(
      join(files.dir, '9002_extra.sql'),
      'CREATE TABLE extra (id int PRIMARY KEY);\n',
    );
    const lines: string[] = [];
    assert.deepEqual(await migrate(db.sql, files.dir, (l) => lines.push(l)), [9002]);
    assert.deepEqual(lines, ['applied migration 9002_extra']);
    assert.deepEqual(await migrate(db.sql, files.dir), []);
    await db.sql`INSERT INTO extra (id) VALUES (1)`;
  });

  test('a failing migration is not recorded and leaves nothing behind', async () => {
    await writeFile(
      join(files.dir, '9003_broken.sql'),
      'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n',
    );
    await assert.rejects(migrate(db.sql, files.dir), /no_such_table/);
    const versions = await db.sql<
      { version: number }[]
    >`SELECT version FROM schema_migrations ORDER BY version`;
    assert.equal(
      versions.some((v) => v.version === 9003),
      false,
    );
    const [{ exists }] = await db.sql<
      [{ exists: string | null }]
    >`SELECT to_regclass('half_done')::text AS exists`;
    assert.equal(exists, null);
    await rm(join(files.dir, '9003_broken.sql'));
  });

  test('a badly named migration file is refused', async () => {
    const bad = join(files.dir, '12_Oops.sql');
    await writeFile(bad, 'SELECT 1;\n');
    try {
      await assert.rejects(migrate(db.sql, files.dir), /"12_Oops.sql" must be named NNNN_name.sql/);
    } finally {
      await rm(bad);
    }
  });

  test('an applied migration whose file changed is refused, and nothing is applied', async () => {
    const path = join(files.dir, '0001_initial.sql');
    await writeFile(path, (await readFile(path, 'utf8')) + '\n-- an innocent-looking edit\n');
    await writeFile(join(files.dir, '9004_later.sql'), 'CREATE TABLE later (id int);\n');
    await assert.rejects(
      migrate(db.sql, files.dir),
      /migration 1_initial was changed after it was applied; add a new migration instead/,
    );
    const [{ exists }] = await db.sql<
      [{ exists: string | null }]
    >`SELECT to_regclass('later')::text AS exists`;
    assert.equal(exists, null, 'a later migration must not run past a changed one');
  });
});

/** Runs `statement` in a transaction that never commits; resolves to the error it raised, if any. */
async function errorOf(
  statement: (tx: Sql) => Promise<unknown>,
): Promise<{ code?: string; message: string } | undefined> {
  const ROLLBACK = new Error('rollback');
  try {
    await sql.begin(async (tx) => {
      await statement(tx as unknown as Sql);
      throw ROLLBACK;
    });
  } catch (err) {
    if (err === ROLLBACK) return undefined;
    return err as { code?: string; message: string };
  }
  return undefined;
}

describe('audit.events', () => {
  const userId = `audit-${run}` as UserId;
  // Each event its own sequence: the log holds one event per (user, sequence).
  let sequence = 0;
  const event = (): TicklerEvent => {
    const taskId = randomUUID() as TaskId;
    return buildEvent({
      id: randomUUID() as EventId,
      type: 'task.created',
      source: 'test',
      time: new Date(),
      subject: taskId,
      userId,
      sequence: ++sequence,
      data: {
        task: snapshot({ id: taskId, title: 'audited' }),
      },
    });
  };

  let stored: TicklerEvent;
  before(async () => {
    stored = event();
    assert.equal(await appendAuditEvent(sql, stored), 'appended');
  });

  test('keeps the event as it was appended', async () => {
    const entries = await listAuditEvents(sql, userId, { subject: stored.subject, limit: 10 });
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.eventId, stored.id);
    assert.equal(entries[0]!.type, 'task.created');
    assert.equal(entries[0]!.sequence, 1);
    const parsed = parseEvent(entries[0]!.event);
    assert.deepEqual(parsed.ok && parsed.event, stored);
  });

  // Each statement runs in a transaction that is rolled back, so even if the guard were missing
  // the stack's audit log would survive the test.
  const refused: [string, (tx: Sql) => Promise<unknown>][] = [
    ['UPDATE', (tx) => tx`UPDATE audit.events SET type = 'tampered' WHERE event_id = ${stored.id}`],
    ['DELETE', (tx) => tx`DELETE FROM audit.events WHERE event_id = ${stored.id}`],
    ['TRUNCATE', (tx) => tx`TRUNCATE audit.events`],
  ];
  for (const [op, statement] of refused) {
    test(`refuses ${op}`, async () => {
      const err = await errorOf(statement);
      assert.ok(err, `${op} on audit.events succeeded`);
      assert.equal(err.code, '42501');
      assert.match(err.message, new RegExp(`audit.events is append-only: ${op} refused`));
    });
  }

  test('the row is untouched afterwards', async () => {
    const rows = await sql<
      { type: string }[]
    >`SELECT type FROM audit.events WHERE event_id = ${stored.id}`;
    assert.deepEqual(
      rows.map((r) => r.type),
      ['task.created'],
    );
  });

  test('appending the same event twice keeps one row and says so', async () => {
    const e = event();
    assert.equal(await appendAuditEvent(sql, e), 'appended');
    assert.equal(await appendAuditEvent(sql, e), 'duplicate');
    const [{ count }] = await sql<
      [{ count: string }]
    >`SELECT count(*) FROM audit.events WHERE event_id = ${e.id}`;
    assert.equal(Number(count), 1);
  });
});
