import type { Task } from '../domain/task.js';
import type { TaskId, UserId } from '../domain/ids.js';
import type { Db } from './sql.js';

interface TaskRow {
  id: string;
  userId: string;
  title: string;
  status: 'OPEN' | 'COMPLETED';
  dueAt: Date | null;
  remindBeforeMs: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

const toTask = (r: TaskRow): Task => ({
  id: r.id as TaskId,
  userId: r.userId as UserId,
  title: r.title,
  status: r.status,
  dueAt: r.dueAt,
  remindBeforeMs: r.remindBeforeMs === null ? null : Number(r.remindBeforeMs),
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  version: r.version,
});

export interface NewTask {
  id: TaskId;
  userId: UserId;
  title: string;
  dueAt: Date | null;
  remindBeforeMs: number | null;
}

export async function insertTask(db: Db, t: NewTask): Promise<Task> {
  const [row] = await db<TaskRow[]>`
    INSERT INTO tasks (id, user_id, title, due_at, remind_before_ms)
    VALUES (${t.id}, ${t.userId}, ${t.title}, ${t.dueAt}, ${t.remindBeforeMs})
    RETURNING *`;
  return toTask(row!);
}

/** Another user's task and a deleted one are both simply absent. */
export async function findTask(db: Db, userId: UserId, id: TaskId): Promise<Task | undefined> {
  const [row] = await db<TaskRow[]>`
    SELECT * FROM tasks WHERE id = ${id} AND user_id = ${userId} AND deleted_at IS NULL`;
  return row && toTask(row);
}

/** For internal callers (activities) that act on a task id they were given by the system. */
export async function findTaskById(db: Db, id: TaskId): Promise<Task | undefined> {
  const [row] = await db<TaskRow[]>`SELECT * FROM tasks WHERE id = ${id} AND deleted_at IS NULL`;
  return row && toTask(row);
}
