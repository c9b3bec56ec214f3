import { badInput } from '../../domain/errors.js';
import { TaskId } from '../../domain/ids.js';
import { TasksArgs } from '../../domain/task-query.js';
import { CreateTaskInput, UpdateTaskInput } from '../../domain/task.js';
import { parseInput } from '../../domain/validation.js';
import { findTask, tagCounts } from '../../db/tasks.js';
import { commandContext } from '../context.js';
import type { Resolvers } from '../schema/resolver-types.js';
import { createTask } from './create-task.js';
import { deleteTasks } from './delete-task.js';
import { listTaskConnection } from './list-tasks.js';
import { MAX_BATCH, setStatus } from './set-status.js';
import { updateTask } from './update-task.js';

// Resolvers only parse arguments (zod, so errors name the field path) and call a command or a
// query; the rules live in the commands beside them and the SQL in db/.

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

function batchIds(ids: string[]): string[] {
  if (ids.length === 0 || ids.length > MAX_BATCH) {
    throw badInput([{ path: 'ids', message: `must list 1 to ${MAX_BATCH} ids` }]);
  }
  return ids;
}

export const taskResolvers: Resolvers = {
  Query: {
    task: async (_, args, ctx) => {
      const id = TaskId.safeParse(args.id);
      return id.success ? ((await findTask(ctx.sql, ctx.userId, id.data)) ?? null) : null;
    },
    tasks: (_, args, ctx) =>
      listTaskConnection(ctx.sql, ctx.userId, parseInput(TasksArgs, args, '')),
    tags: (_, __, ctx) => tagCounts(ctx.sql, ctx.userId),
  },
  Mutation: {
    createTask: (_, args, ctx) =>
      createTask(commandContext(ctx), parseInput(CreateTaskInput, args.input, 'input')),
    updateTask: (_, args, ctx) =>
      updateTask(commandContext(ctx), parseInput(UpdateTaskInput, args.input, 'input')),
    completeTask: async (_, args, ctx) =>
      (await setStatus(commandContext(ctx), [args.id], 'COMPLETED'))[0]!,
    reopenTask: async (_, args, ctx) =>
      (await setStatus(commandContext(ctx), [args.id], 'OPEN'))[0]!,
    deleteTask: async (_, args, ctx) => ({
      deletedIds: await deleteTasks(commandContext(ctx), [args.id]),
    }),
    completeTasks: (_, args, ctx) =>
      setStatus(commandContext(ctx), batchIds(args.ids), 'COMPLETED'),
    deleteTasks: async (_, args, ctx) => ({
      deletedIds: await deleteTasks(commandContext(ctx), batchIds(args.ids)),
    }),
  },
  TaskConnection: {
    totalCount: async (c) => (await c.total()).count,
    totalCountIsExact: async (c) => (await c.total()).exact,
  },
  Task: {
    dueAt: (t) => iso(t.dueAt),
    completedAt: (t) => iso(t.completedAt),
    createdAt: (t) => t.createdAt.toISOString(),
    updatedAt: (t) => t.updatedAt.toISOString(),
  },
};
