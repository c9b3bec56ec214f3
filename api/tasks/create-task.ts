import { randomUUID } from 'node:crypto';
import { toTaskSnapshot } from '../../domain/events.js';
import { newTaskId } from '../../domain/ids.js';
import type { ReminderInput } from '../../domain/reminder.js';
import type { CreateTaskInput, Task } from '../../domain/task.js';
import { badInput, quotaExceeded, type AppError } from '../../domain/errors.js';
import { insertReminders, type NewReminder } from '../../db/reminders.js';
import {
  countOpenTasks,
  findTasks,
  findTasksByIdempotencyKeys,
  insertTasks,
  type NewTask,
} from '../../db/tasks.js';
import { lockUser } from '../../db/users.js';
import { nowOf, quotasOf, type CommandContext } from '../command.js';
import { recordTaskEvents } from './task-command.js';
import { checkOneDue, resolveDue } from './due-text.js';
import { databaseFailure, transaction, type Db } from '../../db/sql.js';

/** The reminders a new task asks for; with a due date and none asked, the user's default. */
function requestedReminders(
  input: CreateTaskInput,
  defaultOffsetMs: number | null,
): ReminderInput[] {
  if (input.reminders != null) return input.reminders;
  if (input.remindBefore != null) return [{ offsetMs: -input.remindBefore, at: null }];
  if (input.dueAt != null && defaultOffsetMs !== null)
    return [{ offsetMs: -defaultOffsetMs, at: null }];
  return [];
}

/** What one item of a batch create came to: its task, or the error that item alone met. */
export type CreateOutcome = { task: Task } | { error: unknown };

/**
 * The task and its `task.created` event commit together or not at all: once the mutation is
 * acknowledged the event exists, and the relay will deliver it (reminder workflow, Kafka).
 * With an idempotency key, a retried create returns the task the first one made, and writes
 * nothing: the user lock serialises concurrent retries, so the second one sees the first.
 *
 * Group commit for one user's creates: each create holds the user's row lock (idempotency, the
 * quota, the event sequence) until its commit has reached the disk, so one user's creates
 * commit one at a time, a WAL flush each. Creates of a user that arrive while one of the user's
 * transactions is in flight wait for it and then go together in the next one (one lock, one
 * quota count, one flush), each with its own outcome as if alone. An idle user's create starts
 * at once: nothing waits for a group to fill.
 */
export function createTask(ctx: CommandContext, input: CreateTaskInput): Promise<Task> {
  return new Promise((resolve, reject) => {
    let users = inFlight.get(ctx.sql);
    if (!users) inFlight.set(ctx.sql, (users = new Map()));
    const me: Waiting = { ctx, input, resolve, reject };
    const waiting = users.get(ctx.userId);
    if (waiting) {
      waiting.push(me);
      return;
    }
    users.set(ctx.userId, []);
    void runGroup(users, [me]);
  });
}

interface Waiting {
  ctx: CommandContext;
  input: CreateTaskInput;
  resolve: (task: Task) => void;
  reject: (err: unknown) => void;
}
/** Per database handle: the users with a create in flight, and the creates waiting behind it. */
const inFlight = new WeakMap<CommandContext['sql'], Map<string, Waiting[]>>();
/** Enough to share one flush among a busy user's creates; few enough to keep a transaction short. */
const MAX_GROUP = 64;

async function runGroup(users: Map<string, Waiting[]>, group: Waiting[]): Promise<void> {
  const head = group[0]!.ctx;
  try {
    const outcomes = await createTasks(
      head,
      group.map((w) => w.input),
      group.map((w) => w.ctx.traceparent),
    );
    outcomes.forEach((o, i) =>
      'error' in o ? group[i]!.reject(o.error) : group[i]!.resolve(o.task),
    );
  } catch (err) {
    for (const w of group) w.reject(err);
  }
  const waiting = users.get(head.userId)!;
  if (waiting.length === 0) {
    users.delete(head.userId);
    return;
  }
  // Only creates that read the same quotas and clock share a transaction (in the api all do).
  const first = waiting[0]!.ctx;
  const next = waiting
    .filter((w) => w.ctx.quotas === first.quotas && w.ctx.now === first.now)
    .slice(0, MAX_GROUP);
  users.set(
    head.userId,
    waiting.filter((w) => !next.includes(w)),
  );
  void runGroup(users, next);
}

/**
 * Creates several tasks in one transaction (a chat's batch of 25 costs one lock of the user row,
 * one quota count and one commit instead of 25), each with the rules of `createTask`. An item
 * that breaks a rule (its input, the quota) fails alone and the others are created. Should the
 * database refuse an item outright (which aborts the transaction), the items are run again one
 * transaction each, so that still only that item fails.
 */
export async function createTasks(
  ctx: CommandContext,
  inputs: CreateTaskInput[],
  /** Each item's request trace, when the items came from several requests (createTask). */
  traceparents?: (string | undefined)[],
): Promise<CreateOutcome[]> {
  const traceOf = (i: number) => (traceparents ? traceparents[i] : ctx.traceparent);
  const outcomes: (CreateOutcome | undefined)[] = inputs.map((input) => {
    try {
      checkReminderInput(input);
      return undefined;
    } catch (error) {
      return { error };
    }
  });
  const todo = inputs.flatMap((input, i) => (outcomes[i] ? [] : [{ input, i }]));
  if (todo.length === 0) return outcomes as CreateOutcome[];
  try {
    const created = await transaction(ctx.sql, (tx) =>
      insertAll(
        tx,
        ctx,
        todo.map((t) => t.input),
        todo.map((t) => traceOf(t.i)),
      ),
    );
    todo.forEach((t, k) => (outcomes[t.i] = created[k]));
  } catch (err) {
    // An outage or a lost race fails every item alike; anything else was one item's doing.
    if (todo.length === 1 || databaseFailure(err)) throw err;
    for (const t of todo) {
      try {
        const [alone] = await createTasks(ctx, [t.input], [traceOf(t.i)]);
        if ('error' in alone!) throw alone.error;
        outcomes[t.i] = alone!;
      } catch (error) {
        outcomes[t.i] = { error };
      }
    }
  }
  return outcomes as CreateOutcome[];
}

/** Rules of an input alone, checked before any transaction. */
function checkReminderInput(input: CreateTaskInput): void {
  if (input.reminders != null && input.remindBefore != null) {
    throw badInput([
      { path: 'input.remindBefore', message: 'give either remindBefore or reminders, not both' },
    ]);
  }
  checkOneDue(input);
  if (input.dueAt == null && input.dueText == null) {
    if (input.remindBefore != null)
      throw badInput([{ path: 'input.remindBefore', message: 'needs a dueAt to be relative to' }]);
    const relative = (input.reminders ?? []).findIndex((r) => r.offsetMs !== null);
    if (relative >= 0)
      throw badInput([
        {
          path: `input.reminders.${relative}`,
          message: 'before/after needs a dueAt to be relative to',
        },
      ]);
  }
}

/**
 * The writes of `createTasks`, in its transaction: a few statements for the whole batch
 * (tasks, reminders, events each in one), not a few per task. A rule broken by one item
 * (the quota) fails it alone.
 */
async function insertAll(
  tx: Db,
  ctx: CommandContext,
  inputs: CreateTaskInput[],
  traceparents: (string | undefined)[],
): Promise<CreateOutcome[]> {
  // Creates the user on first use and locks the row: concurrent retries of one idempotency
  // key take turns, so the second finds the first's task.
  const settings = await lockUser(tx, ctx.userId);
  const keys = inputs.flatMap((i) => (i.idempotencyKey ? [i.idempotencyKey] : []));
  const existing = await findTasksByIdempotencyKeys(tx, ctx.userId, keys);
  const quotas = quotasOf(ctx);
  // Under the user lock: concurrent creates cannot both take the last free place.
  let open = await countOpenTasks(tx, ctx.userId, quotas.openTasks);

  // What each item comes to: an existing task (a retry), a new one, or a broken rule.
  const plan: ({ existing: Task } | { key: string | null; row: NewTask } | { error: AppError })[] =
    [];
  const newReminders: NewReminder[] = [];
  const traceOf = new Map<string, string | undefined>();
  const batchKeys = new Map<string, number>();
  for (const [k, input] of inputs.entries()) {
    const key = input.idempotencyKey ?? null;
    const retried = key === null ? undefined : existing.get(key);
    if (retried) {
      plan.push({ existing: retried });
      continue;
    }
    // The same key twice in one batch: the later item is a retry of the earlier one.
    const earlier = key === null ? undefined : batchKeys.get(key);
    if (earlier !== undefined) {
      plan.push(plan[earlier]!);
      continue;
    }
    let due: CreateTaskInput;
    try {
      due = resolveDue(input, settings.timeZone, nowOf(ctx));
    } catch (error) {
      plan.push({ error: error as AppError });
      continue;
    }
    const reminders = requestedReminders(due, settings.defaultReminderOffsetMs);
    if (open >= quotas.openTasks) {
      plan.push({ error: quotaExceeded('too many open tasks', quotas.openTasks, 'input') });
      continue;
    }
    if (reminders.length > quotas.remindersPerTask) {
      plan.push({
        error: quotaExceeded('too many reminders', quotas.remindersPerTask, 'input.reminders'),
      });
      continue;
    }
    const id = newTaskId();
    traceOf.set(id, traceparents[k]);
    if (key !== null) batchKeys.set(key, plan.length);
    plan.push({
      key,
      row: {
        id,
        userId: ctx.userId,
        title: input.title,
        description: input.description ?? '',
        priority: input.priority ?? 'NONE',
        tags: input.tags ?? [],
        dueAt: due.dueAt ?? null,
        allDay: due.allDay ?? false,
        muted: input.muted ?? false,
        idempotencyKey: key,
      },
    });
    newReminders.push(
      ...reminders.map((r) => ({ id: randomUUID(), taskId: id, userId: ctx.userId, ...r })),
    );
    open++;
  }

  const rows = plan.flatMap((p) => ('row' in p ? [p.row] : []));
  await insertTasks(tx, rows);
  await insertReminders(tx, newReminders);
  const created = await findTasks(
    tx,
    ctx.userId,
    rows.map((r) => r.id),
  );
  await recordTaskEvents(
    tx,
    ctx,
    created.map((task) => ({
      task,
      type: 'task.created' as const,
      data: { task: toTaskSnapshot(task) },
      traceparent: traceOf.get(task.id),
    })),
  );
  const byId = new Map(created.map((t) => [t.id, t]));
  return plan.map((p) =>
    'error' in p
      ? { error: p.error }
      : { task: 'existing' in p ? p.existing : byId.get(p.row.id)! },
  );
}
