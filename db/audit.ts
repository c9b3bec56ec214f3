import type { TicklerEvent } from '../domain/events.js';
import type { UserId } from '../domain/ids.js';
import type { Db } from './sql.js';

/**
 * What became of an appended event: `appended`; `duplicate`, its id was already in the log (a
 * redelivery, harmless); `sequence-taken`, another event already holds its user's sequence
 * (audit_events_user_sequence): a forged or broken event, which the log refuses to keep.
 */
export type AppendOutcome = 'appended' | 'duplicate' | 'sequence-taken';

export async function appendAuditEvent(db: Db, e: TicklerEvent): Promise<AppendOutcome> {
  // No conflict target: both unique constraints are arbiters, so even a redelivery racing its
  // first delivery ends here as "nothing inserted" instead of as a unique-violation error.
  const rows = await db`
    INSERT INTO audit.events (event_id, user_id, subject, type, sequence, occurred_at, event)
    VALUES (${e.id}, ${e.userid}, ${e.subject}, ${e.type}, ${e.sequence}, ${e.time}, ${db.json(e as never)})
    ON CONFLICT DO NOTHING
    RETURNING event_id`;
  if (rows.length === 1) return 'appended';
  const [same] = await db`SELECT 1 FROM audit.events WHERE event_id = ${e.id}`;
  return same ? 'duplicate' : 'sequence-taken';
}

export interface AuditEntry {
  eventId: string;
  type: string;
  subject: string;
  sequence: number;
  occurredAt: Date;
  recordedAt: Date;
  event: TicklerEvent;
}

export async function listAuditEvents(
  db: Db,
  userId: UserId,
  opts: { subject?: string; limit: number },
): Promise<AuditEntry[]> {
  const rows = await db<(Omit<AuditEntry, 'sequence'> & { sequence: string })[]>`
    SELECT event_id, type, subject, sequence, occurred_at, recorded_at, event
    FROM audit.events
    WHERE user_id = ${userId} ${opts.subject ? db`AND subject = ${opts.subject}` : db``}
    ORDER BY sequence
    LIMIT ${opts.limit}`;
  return rows.map((r) => ({ ...r, sequence: Number(r.sequence) }));
}

export interface HistoryRow {
  event: TicklerEvent;
  recordedAt: Date;
}

/**
 * A page of the user's log, newest first (descending sequence: the user's own order of
 * changes), filtered by subject, types and time of the change. `beforeSequence` continues a page.
 */
export async function listHistory(
  db: Db,
  userId: UserId,
  q: {
    subject?: string | undefined;
    types?: readonly string[] | undefined;
    since?: Date | undefined;
    until?: Date | undefined;
    beforeSequence?: number | undefined;
    limit: number;
  },
): Promise<HistoryRow[]> {
  return db<HistoryRow[]>`
    SELECT event, recorded_at
    FROM audit.events
    WHERE user_id = ${userId}
      ${q.subject ? db`AND subject = ${q.subject}` : db``}
      ${q.types?.length ? db`AND type IN ${db(q.types)}` : db``}
      ${q.since ? db`AND occurred_at >= ${q.since}` : db``}
      ${q.until ? db`AND occurred_at < ${q.until}` : db``}
      ${q.beforeSequence !== undefined ? db`AND sequence < ${q.beforeSequence}` : db``}
    ORDER BY sequence DESC
    LIMIT ${q.limit}`;
}

/**
 * The user's stored events after a sequence, ascending, and the greatest sequence recorded for
 * them (0 if none), read in one statement, so the head is never behind the page.
 */
export async function listEventsAfter(
  db: Db,
  userId: UserId,
  after: number,
  limit: number,
): Promise<{ events: TicklerEvent[]; head: number }> {
  const [row] = await db<{ head: string; events: TicklerEvent[] }[]>`
    WITH page AS (
      SELECT sequence, event FROM audit.events
      WHERE user_id = ${userId} AND sequence > ${after}
      ORDER BY sequence
      LIMIT ${limit})
    SELECT
      (SELECT coalesce(max(sequence), 0) FROM audit.events WHERE user_id = ${userId}) AS head,
      coalesce((SELECT jsonb_agg(event ORDER BY sequence) FROM page), '[]'::jsonb) AS events`;
  return { events: row!.events, head: Number(row!.head) };
}

/** Keeps a dead-lettered message as it arrived; true unless its id was already kept. */
export async function appendDeadLetter(
  db: Db,
  message: { id: string; topic: string | null; body: unknown },
): Promise<boolean> {
  const rows = await db`
    INSERT INTO audit.dead_letters (message_id, topic, message)
    VALUES (${message.id}, ${message.topic}, ${db.json(message.body as never)})
    ON CONFLICT (message_id) DO NOTHING
    RETURNING id`;
  return rows.length === 1;
}
