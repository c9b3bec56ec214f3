import { appendAuditEvent } from '../db/audit.js';
import type { Sql } from '../db/sql.js';
import { AppError, ErrorCode } from '../domain/errors.js';
import type { Logger } from '../platform/logger.js';
import type { TopicHandler } from '../platform/dapr-subscriber.js';

/**
 * The task and reminder topics' handler: appends each event to the log. A redelivered event
 * (same id) leaves one entry. A different event claiming a (user, sequence) the log already
 * holds is refused as BAD_EVENT, so Dapr drops it to the dead-letters topic (kept in
 * audit.dead_letters) rather than retrying it forever or letting it shadow the real one.
 */
export function createAppendEvent({ sql, log }: { sql: Sql; log: Logger }): TopicHandler {
  return async (event) => {
    const outcome = await appendAuditEvent(sql, event);
    if (outcome === 'sequence-taken') {
      throw new AppError(
        ErrorCode.BAD_EVENT,
        `sequence ${event.sequence} of this user is already held by another event`,
      );
    }
    log.debug({ eventId: event.id, type: event.type, outcome }, 'audit event');
  };
}
