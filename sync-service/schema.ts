import { createSchema } from 'graphql-yoga';
import { badInput } from '../domain/errors.js';
import { taskIdOf, type TicklerEvent } from '../domain/events.js';
import type { UserId } from '../domain/ids.js';

export interface SyncContext {
  userId: UserId;
  /** The caller's events after `after` (or from now), in sequence order, each once. */
  events(after: number | undefined): AsyncIterable<TicklerEvent>;
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
    """
    Every change to the caller's tasks and every reminder fired for them, in the order of their
    per-user sequence, each exactly once. With after (the last sequence the client saw), the
    events it missed come first (from the audit log), then the live stream, with no gap and no
    duplicate; without it, the stream starts after the caller's latest recorded event.
    """
    taskEvents(after: Int): TaskEvent!
  }

  type TaskEvent {
    "Unique event id (the outbox row id)."
    id: ID!
    "task.created, reminder.fired, reminder.digest, ..."
    type: String!
    "Per-user sequence number: contiguous, so a client can resume from the last one it saw."
    sequence: Int!
    time: DateTime!
    "What the event is about: the task, or for reminder.digest the digest."
    subject: ID!
    "The task, for task.* and reminder.* events about one task; null for reminder.digest."
    taskId: ID
    "W3C trace context of the change that caused the event (from the mutation's request)."
    traceparent: String
    dataVersion: Int!
    data: JSON!
  }
`;

export function createSyncSchema() {
  return createSchema<SyncContext>({
    typeDefs,
    resolvers: {
      Query: { me: (_: unknown, __: unknown, ctx: SyncContext) => ctx.userId },
      Subscription: {
        taskEvents: {
          subscribe: (_: unknown, args: { after?: number | null }, ctx: SyncContext) => {
            const after = args.after ?? undefined;
            if (after !== undefined && after < 0)
              throw badInput([{ path: 'after', message: 'must be a sequence number (0 or more)' }]);
            return ctx.events(after);
          },
          resolve: (e: TicklerEvent) => ({
            id: e.id,
            type: e.type,
            sequence: e.sequence,
            time: e.time,
            subject: e.subject,
            taskId: taskIdOf(e),
            traceparent: e.traceparent ?? null,
            dataVersion: e.dataversion,
            data: e.data,
          }),
        },
      },
    },
  });
}
