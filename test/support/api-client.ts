import assert from 'node:assert/strict';
import postgres from 'postgres';
import { testEnv } from './env.js';
import { gql, tokenFor, type GraphQLResponse } from './graphql.js';

// Helpers for tests that talk to the running api over HTTP as one user or another.

const run = Date.now().toString(36);
let counter = 0;
/** A user id no other test (or earlier run against the same database) uses. */
export const uniqueUser = (what: string): string => `${what}-${run}-${++counter}`;

/** Every Task field, for tests that compare whole tasks. */
export const TASK_FIELDS = /* GraphQL */ `
  fragment TaskFields on Task {
    id
    title
    description
    priority
    tags
    status
    dueAt
    allDay
    reminders {
      id
      before
      after
      at
      fireAt
      state
    }
    nextReminderAt
    completedAt
    seriesId
    createdAt
    updatedAt
    version
  }
`;

export interface TaskView {
  id: string;
  title: string;
  description: string;
  priority: 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT';
  tags: string[];
  status: 'OPEN' | 'COMPLETED';
  dueAt: string | null;
  allDay: boolean;
  reminders: {
    id: string;
    before: string | null;
    after: string | null;
    at: string | null;
    fireAt: string | null;
    state: string;
  }[];
  nextReminderAt: string | null;
  completedAt: string | null;
  seriesId: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type Problem = { path: string; message: string };
export type GqlError = NonNullable<GraphQLResponse['errors']>[number];

/** A user's session with the api: every call carries their token. */
export interface ApiUser {
  id: string;
  token: string;
  /** Runs an operation; the raw response. */
  raw<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ status: number; body: GraphQLResponse<T> }>;
  /** Runs an operation that must succeed; its data. */
  ok<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Runs an operation that must fail; its first error. */
  fails(query: string, variables?: Record<string, unknown>): Promise<GqlError>;
  createTask(input: Record<string, unknown>): Promise<TaskView>;
  task(id: string): Promise<TaskView | null>;
}

export const CREATE_TASK = /* GraphQL */ `
  mutation Create($input: CreateTaskInput!) {
    createTask(input: $input) {
      ...TaskFields
    }
  }
  ${TASK_FIELDS}
`;
export const GET_TASK = /* GraphQL */ `
  query Task($id: ID!) {
    task(id: $id) {
      ...TaskFields
    }
  }
  ${TASK_FIELDS}
`;

export async function apiUser(what: string): Promise<ApiUser> {
  const id = uniqueUser(what);
  const token = await tokenFor(id);
  const raw = <T>(query: string, variables: Record<string, unknown> = {}) =>
    gql<T>(query, variables, { token });
  const ok = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const { status, body } = await raw<T>(query, variables);
    assert.equal(body.errors, undefined, `unexpected errors: ${JSON.stringify(body.errors)}`);
    assert.equal(status, 200);
    return body.data!;
  };
  const fails = async (query: string, variables: Record<string, unknown> = {}) => {
    const { body } = await raw(query, variables);
    const err = body.errors?.[0];
    assert.ok(err, `expected an error, got ${JSON.stringify(body.data)}`);
    return err;
  };
  return {
    id,
    token,
    raw,
    ok,
    fails,
    createTask: async (input) =>
      (await ok<{ createTask: TaskView }>(CREATE_TASK, { input })).createTask,
    task: async (taskId) => (await ok<{ task: TaskView | null }>(GET_TASK, { id: taskId })).task,
  };
}

/** Asserts an error's code and, when given, that its problems name `path`. */
export function assertError(err: GqlError, code: string, path?: string): void {
  assert.equal(err.extensions?.code, code, JSON.stringify(err));
  if (path === undefined) return;
  const paths = (err.extensions?.problems ?? []).map((p) => p.path);
  assert.ok(paths.includes(path), `problems name ${path}: ${JSON.stringify(err.extensions)}`);
}

/** A small pool on the stack's database, for reading what the api wrote. */
export function openDb(): postgres.Sql {
  return postgres(testEnv.databaseUrl, { max: 3, onnotice: () => {} });
}

export interface OutboxEvent {
  type: string;
  subject: string;
  topic: string;
  sequence: number;
  data: {
    task?: Record<string, unknown>;
    changes?: Record<string, { before: unknown; after: unknown }>;
  };
}

/** The user's outbox events, in commit order. */
export async function outboxOf(sql: postgres.Sql, userId: string): Promise<OutboxEvent[]> {
  const rows = await sql<{ topic: string; subject: string; event: Record<string, unknown> }[]>`
    SELECT topic, subject, event FROM outbox WHERE event->>'userid' = ${userId} ORDER BY position`;
  return rows.map((r) => ({
    type: r.event.type as string,
    subject: r.subject,
    topic: r.topic,
    sequence: Number(r.event.sequence),
    data: r.event.data as OutboxEvent['data'],
  }));
}

/** The user's outbox events about one task, in commit order. */
export async function eventsFor(
  sql: postgres.Sql,
  userId: string,
  taskId: string,
): Promise<OutboxEvent[]> {
  return (await outboxOf(sql, userId)).filter((e) => e.subject === taskId);
}
