import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTasks } from '../../api/tasks/create-task.js';
import { findTaskByIdempotencyKey } from '../../db/tasks.js';
import { createSql, type Sql } from '../../db/sql.js';
import { AppError } from '../../domain/errors.js';
import type { UserId } from '../../domain/ids.js';
import type { CreateTaskInput } from '../../domain/task.js';
import { uniqueUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';

// The batch create (add_tasks' command) on the stack's database: one transaction for the
// batch, yet each item keeps createTask's rules and fails alone.

const input = (title: string, more: Partial<CreateTaskInput> = {}): CreateTaskInput => ({
  title,
  ...more,
});

describe('createTasks', () => {
  let sql: Sql;
  before(() => {
    sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-create-tasks', max: 2 });
  });
  after(() => sql.end({ timeout: 2 }));

  const outcomeCodes = (outcomes: Awaited<ReturnType<typeof createTasks>>) =>
    outcomes.map((o) =>
      'task' in o ? 'ok' : o.error instanceof AppError ? o.error.code : 'database',
    );

  test('an item the database refuses fails alone: the batch is run again item by item', async () => {
    const userId = uniqueUser('batch-db') as UserId;
    // No validation ran (the command trusts parsed input): PostgreSQL refuses the NUL.
    const outcomes = await createTasks({ sql, userId }, [
      input('first', { idempotencyKey: 'k1' }),
      input('bad \u0000 title'),
      input('third', { idempotencyKey: 'k3' }),
    ]);
    assert.deepEqual(outcomeCodes(outcomes), ['ok', 'database', 'ok']);
    assert.ok(await findTaskByIdempotencyKey(sql, userId, 'k1'));
    assert.ok(await findTaskByIdempotencyKey(sql, userId, 'k3'));
  });

  test('the open-task quota is counted across the batch: the items past it fail', async () => {
    const userId = uniqueUser('batch-quota') as UserId;
    const outcomes = await createTasks(
      { sql, userId, quotas: { openTasks: 2, series: 1, remindersPerTask: 2 } },
      [input('one'), input('two'), input('three')],
    );
    assert.deepEqual(outcomeCodes(outcomes), ['ok', 'ok', 'QUOTA_EXCEEDED']);
  });

  test('the same idempotency key twice in one batch is one task', async () => {
    const userId = uniqueUser('batch-key') as UserId;
    const outcomes = await createTasks({ sql, userId }, [
      input('once', { idempotencyKey: 'same' }),
      input('once', { idempotencyKey: 'same' }),
    ]);
    const ids = outcomes.map((o) => ('task' in o ? o.task.id : null));
    assert.ok(ids[0]);
    assert.equal(ids[0], ids[1]);
  });

  test('rules of an input alone fail that item before any transaction', async () => {
    const userId = uniqueUser('batch-rules') as UserId;
    const outcomes = await createTasks({ sql, userId }, [
      input('no due date', { remindBefore: 60_000 }),
      input('fine'),
    ]);
    assert.deepEqual(outcomeCodes(outcomes), ['BAD_USER_INPUT', 'ok']);
  });
});
