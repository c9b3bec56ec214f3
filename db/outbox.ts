import {
  buildEvent,
  topicOf,
  type EventData,
  type EventType,
  type TicklerEvent,
  type Topic,
} from '../domain/events.js';
import { newEventId, type UserId } from '../domain/ids.js';
import type { Db } from './sql.js';
import { nextEventSequence, takeEventSequences } from './users.js';

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
  subject: string;
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

/** Where an outbox event goes: Temporal signals, and the Dapr publish; each tracked on its own. */
export type Destination = 'signal' | 'publish';

/**
 * The next events still owed to `destination`, oldest first. One waits while an older event of
 * the same subject is still owed there (a quarantined one no longer is), which keeps delivery ordered per task even across relay
 * replicas; SKIP LOCKED lets replicas share the work without blocking each other. The lock is
 * on the (event, destination) row, so the two destinations never wait for each other.
 */
export async function claimPending(
  db: Db,
  limit: number,
  destination: Destination = 'publish',
): Promise<OutboxRow[]> {
  return db<OutboxRow[]>`
    SELECT o.id, o.position, o.topic, o.subject, o.event, d.attempts
    FROM outbox_deliveries d JOIN outbox o ON o.id = d.event_id
    WHERE d.destination = ${destination}
      AND d.delivered_at IS NULL AND d.quarantined_at IS NULL
      AND d.next_attempt_at <= now()
      AND NOT EXISTS (
        SELECT 1 FROM outbox_deliveries earlier
        WHERE earlier.destination = d.destination AND earlier.subject = d.subject
          AND earlier.delivered_at IS NULL AND earlier.quarantined_at IS NULL
          AND earlier.position < d.position)
    ORDER BY d.position
    LIMIT ${limit}
    FOR UPDATE OF d SKIP LOCKED`;
}

export async function markDeliveredMany(
  db: Db,
  ids: string[],
  destination: Destination = 'publish',
): Promise<void> {
  if (ids.length === 0) return;
  await db`
    UPDATE outbox_deliveries SET delivered_at = now(), attempts = attempts + 1, last_error = NULL
    WHERE destination = ${destination} AND event_id = ANY(${ids}::uuid[])`;
}

export async function markFailed(
  db: Db,
  id: string,
  error: string,
  retryInMs: number,
  destination: Destination = 'publish',
): Promise<void> {
  await db`
    UPDATE outbox_deliveries
    SET attempts = attempts + 1, last_error = ${error.slice(0, 2000)},
        -- clock_timestamp(), not now(): delivery ran inside this transaction, maybe for long.
        next_attempt_at = clock_timestamp() + ${retryInMs} * interval '1 millisecond'
    WHERE event_id = ${id} AND destination = ${destination}`;
}

/**
 * Gives up on a delivery that can never succeed: it is no longer claimed and no longer holds
 * back its subject; `reason` stays in last_error (migration 0009 says how to retry it).
 */
export async function markQuarantined(
  db: Db,
  id: string,
  reason: string,
  destination: Destination = 'publish',
): Promise<void> {
  await db`
    UPDATE outbox_deliveries
    SET quarantined_at = now(), attempts = attempts + 1, last_error = ${reason.slice(0, 2000)}
    WHERE event_id = ${id} AND destination = ${destination}`;
}

export interface OutboxStats {
  destination: Destination;
  /** Still owed and still being tried. */
  pending: number;
  /** Age of the oldest event still owed to this destination; null when none is. */
  oldestPendingAgeMs: number | null;
  /** Given up on (see markQuarantined): each needs an operator. */
  quarantined: number;
}

/** The relay's lag, per destination: how much is owed and for how long, and what was given up. */
export async function outboxStats(db: Db): Promise<OutboxStats[]> {
  const rows = await db<
    { destination: Destination; pending: string; oldestMs: string | null; quarantined: string }[]
  >`
    SELECT d.destination,
           count(*) FILTER (WHERE d.quarantined_at IS NULL) AS pending,
           (extract(epoch FROM now() - min(o.created_at) FILTER (WHERE d.quarantined_at IS NULL))
             * 1000)::bigint AS oldest_ms,
           count(*) FILTER (WHERE d.quarantined_at IS NOT NULL) AS quarantined
    FROM outbox_deliveries d JOIN outbox o ON o.id = d.event_id
    WHERE d.delivered_at IS NULL
    GROUP BY d.destination`;
  return (['signal', 'publish'] as const).map((destination) => {
    const row = rows.find((r) => r.destination === destination);
    return {
      destination,
      pending: Number(row?.pending ?? 0),
      oldestPendingAgeMs: row?.oldestMs == null ? null : Number(row.oldestMs),
      quarantined: Number(row?.quarantined ?? 0),
    };
  });
}

/**
 * Records several events of one user at once, in the order given (a batch create): their
 * sequence numbers are taken in one statement and the outbox rows written in another.
 */
export async function appendEvents<T extends EventType>(
  db: Db,
  userId: UserId,
  events: Omit<AppendEvent<T>, 'userId'>[],
): Promise<TicklerEvent[]> {
  if (events.length === 0) return [];
  const first = await takeEventSequences(db, userId, events.length);
  const built = events.map((e, i) =>
    buildEvent({
      ...e,
      userId,
      id: newEventId(),
      time: e.time ?? new Date(),
      sequence: first + i,
    }),
  );
  await db`
    INSERT INTO outbox ${db(
      built.map((event) => ({
        id: event.id,
        topic: topicOf(event.type),
        subject: event.subject,
        event: db.json(event as never),
      })),
    )}`;
  return built;
}
