import type { OutboxRow } from '../db/outbox.js';
import { AppError, ErrorCode } from '../domain/errors.js';
import { parseEvent, type TicklerEvent } from '../domain/events.js';

/**
 * What both destinations share: the stored event, if this build can read it. One it cannot read
 * can never be delivered, so it fails as BAD_EVENT and the relay quarantines its row.
 */
export function readable(row: OutboxRow): TicklerEvent {
  const parsed = parseEvent(row.event);
  if (!parsed.ok) throw new AppError(ErrorCode.BAD_EVENT, `unreadable event: ${parsed.reason}`);
  return parsed.event;
}
