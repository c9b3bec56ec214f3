import { createSchema } from 'graphql-yoga';
import type { TicklerEvent } from '../domain/events.js';
import type { UserId } from '../domain/ids.js';
import type { EventHub } from './hub.js';

export interface SyncContext {
  userId: UserId;
}

export const typeDefs = /* GraphQL */ `
  "An instant, ISO-8601 with offset."
  scalar DateTime
  "Any JSON value: an event's versioned payload, as defined in domain/events.ts."
  scalar JSON

  type Query {
    "The authenticated caller's id (lets a client check its token before subscribing)."
    me: ID!
  }

  type Subscription {
    "Every change to the caller's tasks and every reminder fired for them, as they happen."
    taskEvents: TaskEvent!
  }

  type TaskEvent {
    "Unique event id (the outbox row id)."
    id: ID!
    "task.created, reminder.fired, reminder.digest, ..."
    type: String!
    "Per-user monotonic sequence number."
    sequence: Int!
    time: DateTime!
    "What the event is about: the task, or for reminder.digest the digest."
    subject: ID!
    "The task, for task.* and reminder.* events about one task; null for reminder.digest."
    taskId: ID
    dataVersion: Int!
    data: JSON!
  }
`;

export function createSyncSchema(hub: EventHub) {
  return createSchema<SyncContext>({
    typeDefs,
    resolvers: {
      Query: { me: (_: unknown, __: unknown, ctx: SyncContext) => ctx.userId },
      Subscription: {
        taskEvents: {
          subscribe: (_: unknown, __: unknown, ctx: SyncContext) => hub.subscribe(ctx.userId),
          resolve: (e: TicklerEvent) => ({
            id: e.id,
            type: e.type,
            sequence: e.sequence,
            time: e.time,
            subject: e.subject,
            taskId: e.type === 'reminder.digest' ? null : e.subject,
            dataVersion: e.dataversion,
            data: e.data,
          }),
        },
      },
    },
  });
}
