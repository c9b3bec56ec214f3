import type { TicklerEvent } from '../domain/events.js';
import type { UserId } from '../domain/ids.js';
import type { Db } from './sql.js';

/** True when the event was appended; false when its id was already in the log (redelivery). */
export async function appendAuditEvent(db: Db, e: TicklerEvent): Promise<boolean> {
  const rows = await db`
    INSERT INTO audit.events (event_id, user_id, subject, type, sequence, occurred_at, event)
    VALUES (${e.id}, ${e.userid}, ${e.subject}, ${e.type}, ${e.sequence}, ${e.time}, ${db.json(e as never)})
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id`;
  return rows.length === 1;
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
