import {
  buildEvent,
  topicOf,
  type EventData,
  type EventType,
  type TicklerEvent,
  type Topic,
} from '../domain/events.js';
import { newEventId, type TaskId, type UserId } from '../domain/ids.js';
import type { Db, Sql } from './sql.js';
import { nextEventSequence } from './users.js';

export interface OutboxRow {
  id: string;
  position: string;
  topic: Topic;
  subject: string;
  event: TicklerEvent;
  attempts: number;
}

export async function insertOutbox(db: Db, topic: Topic, event: TicklerEvent): Promise<void> {
  await db`
    INSERT INTO outbox (id, topic, subject, event)
    VALUES (${event.id}, ${topic}, ${event.subject}, ${db.json(event as never)})`;
}

export interface AppendEvent<T extends EventType> {
  type: T;
  source: string;
  subject: TaskId;
  userId: UserId;
  data: EventData<T>;
  time?: Date | undefined;
  traceparent?: string | undefined;
}

/**
 * Records an event in the caller's transaction: it takes the user's next sequence number and
 * writes the outbox row, so the event exists exactly when the change it describes commits.
 */
export async function appendEvent<T extends EventType>(
  db: Db,
  e: AppendEvent<T>,
): Promise<TicklerEvent> {
  const event = buildEvent({
    ...e,
    id: newEventId(),
    time: e.time ?? new Date(),
    sequence: await nextEventSequence(db, e.userId),
  });
  await insertOutbox(db, topicOf(event.type), event);
  return event;
}

/**
 * The next deliverable rows, oldest first. A row waits while an older undelivered row of the
 * same subject exists, which keeps delivery ordered per task even across relay replicas; SKIP
 * LOCKED lets replicas share the work without blocking each other.
 */
export async function claimPending(db: Db, limit: number): Promise<OutboxRow[]> {
  return db<OutboxRow[]>`
    SELECT o.id, o.position, o.topic, o.subject, o.event, o.attempts
    FROM outbox o
    WHERE o.delivered_at IS NULL
      AND o.next_attempt_at <= now()
      AND NOT EXISTS (
        SELECT 1 FROM outbox earlier
        WHERE earlier.subject = o.subject AND earlier.delivered_at IS NULL AND earlier.position < o.position)
    ORDER BY o.position
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`;
}

export async function markDelivered(db: Db, id: string): Promise<void> {
  await db`UPDATE outbox SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ${id}`;
}

export async function markFailed(
  db: Db,
  id: string,
  error: string,
  retryInMs: number,
): Promise<void> {
  await db`
    UPDATE outbox
    SET attempts = attempts + 1, last_error = ${error.slice(0, 2000)},
        -- clock_timestamp(), not now(): delivery ran inside this transaction, maybe for long.
        next_attempt_at = clock_timestamp() + ${retryInMs} * interval '1 millisecond'
    WHERE id = ${id}`;
}

export interface OutboxStats {
  pending: number;
  oldestPendingAgeMs: number | null;
}

export async function outboxStats(sql: Sql): Promise<OutboxStats> {
  const [row] = await sql<{ pending: string; oldestMs: string | null }[]>`
    SELECT count(*) AS pending,
           (extract(epoch FROM now() - min(created_at)) * 1000)::bigint AS oldest_ms
    FROM outbox WHERE delivered_at IS NULL`;
  return {
    pending: Number(row!.pending),
    oldestPendingAgeMs: row!.oldestMs === null ? null : Number(row!.oldestMs),
  };
}
