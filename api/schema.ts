import { createSchema } from 'graphql-yoga';
import { formatDurationMs } from '../domain/duration.js';
import { TaskId } from '../domain/ids.js';
import { CreateTaskInput, reminderFireAt, type Task } from '../domain/task.js';
import { parseInput } from '../domain/validation.js';
import { findTask } from '../db/tasks.js';
import type { ApiContext } from './context.js';
import { createTask } from './tasks/create-task.js';

// DateTime and Duration are plain strings on the wire and are validated by zod in the
// resolvers, so a bad value is answered with BAD_USER_INPUT naming its field path.
export const typeDefs = /* GraphQL */ `
  "An instant, ISO-8601 with offset: 2026-03-30T09:00:00+02:00"
  scalar DateTime
  "An ISO-8601 duration in weeks, days, hours, minutes or seconds: PT30M, P1DT2H"
  scalar Duration

  type Query {
    "The authenticated caller."
    me: User!
    "One of the caller's tasks; another user's task is as absent as a missing one."
    task(id: ID!): Task
  }

  type Mutation {
    createTask(input: CreateTaskInput!): Task!
  }

  type User {
    id: ID!
  }

  enum TaskStatus {
    OPEN
    COMPLETED
  }

  type Task {
    id: ID!
    title: String!
    status: TaskStatus!
    dueAt: DateTime
    "How long before dueAt the reminder fires."
    remindBefore: Duration
    "When the reminder fires: dueAt - remindBefore."
    reminderAt: DateTime
    createdAt: DateTime!
    updatedAt: DateTime!
    "Increments on every change; for optimistic concurrency."
    version: Int!
  }

  input CreateTaskInput {
    "1 to 500 characters after trimming."
    title: String!
    dueAt: DateTime
    remindBefore: Duration
  }
`;

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

export const resolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: ApiContext) => ({ id: ctx.userId }),
    task: async (_: unknown, args: { id: string }, ctx: ApiContext) => {
      const id = TaskId.safeParse(args.id);
      return id.success ? ((await findTask(ctx.sql, ctx.userId, id.data)) ?? null) : null;
    },
  },
  Mutation: {
    createTask: async (_: unknown, args: { input: unknown }, ctx: ApiContext) => {
      const input = parseInput(CreateTaskInput, args.input, 'input');
      return createTask(ctx.sql, ctx.userId, input, { traceparent: ctx.traceparent });
    },
  },
  Task: {
    dueAt: (t: Task) => iso(t.dueAt),
    remindBefore: (t: Task) =>
      t.remindBeforeMs === null ? null : formatDurationMs(t.remindBeforeMs),
    reminderAt: (t: Task) => iso(reminderFireAt(t)),
    createdAt: (t: Task) => iso(t.createdAt),
    updatedAt: (t: Task) => iso(t.updatedAt),
  },
};

export const schema = createSchema<ApiContext>({ typeDefs, resolvers });
