import { z } from 'zod';
import { badInput } from '../../domain/errors.js';
import { isUuid, type UserId } from '../../domain/ids.js';
import { listNotifications, markRead, ownedNotificationIds } from '../../db/notifications.js';
import type { Sql } from '../../db/sql.js';

export const NotificationsArgs = z.object({
  unreadOnly: z.boolean().nullish(),
  first: z
    .number()
    .int()
    .min(1, 'must be between 1 and 200')
    .max(200, 'must be between 1 and 200')
    .nullish(),
  after: z.string().max(500).nullish(),
});
export type NotificationsArgs = z.infer<typeof NotificationsArgs>;

// The cursor keeps delivered_at to the microsecond, as stored: cut to a JavaScript Date's
// millisecond, the rows delivered within the same millisecond after the cursor's one (a
// quiet-hours digest delivers many in one transaction, at one now()) would be skipped.
const CURSOR_AT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/;

const encode = (deliveredAt: string, id: string) =>
  Buffer.from(JSON.stringify([deliveredAt, id])).toString('base64url');

function decode(cursor: string): { deliveredAt: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    if (typeof at === 'string' && CURSOR_AT.test(at) && typeof id === 'string' && isUuid(id))
      return { deliveredAt: at, id };
  } catch {
    // fall through
  }
  throw badInput([{ path: 'after', message: 'is not a cursor from this API' }]);
}

export async function listNotificationConnection(
  sql: Sql,
  userId: UserId,
  args: NotificationsArgs,
) {
  const limit = args.first ?? 50;
  const rows = await listNotifications(sql, userId, {
    unreadOnly: args.unreadOnly ?? false,
    limit: limit + 1,
    after: args.after ? decode(args.after) : undefined,
  });
  const edges = rows.slice(0, limit).map((n) => ({
    cursor: encode(n.cursorAt, n.id),
    node: {
      id: n.id,
      taskId: n.taskId,
      reminderId: n.reminderId,
      title: n.title,
      fireAt: n.fireAt.toISOString(),
      deliveredAt: n.deliveredAt.toISOString(),
      late: n.late,
      missed: n.missed,
      digestId: n.digestId,
      read: n.readAt !== null,
    },
  }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

export interface MarkReadResult {
  /** How many were unread and are read now. */
  marked: number;
  /** Ids given that name none of the caller's notifications (malformed, unknown, another's). */
  unknown: string[];
}

/**
 * Marks the given notifications (or all) read. Marking a read one again changes nothing, so a
 * retry is harmless; ids that are not the caller's are listed, never guessed at.
 */
export async function markNotificationsRead(
  sql: Sql,
  userId: UserId,
  args: { ids?: string[] | null | undefined; all?: boolean | null | undefined },
): Promise<MarkReadResult> {
  if (args.all) return { marked: await markRead(sql, userId, 'all'), unknown: [] };
  if (!args.ids?.length) throw badInput([{ path: 'ids', message: 'give ids, or all: true' }]);
  const wellFormed = args.ids.filter(isUuid);
  const owned = await ownedNotificationIds(sql, userId, wellFormed);
  return {
    marked: await markRead(sql, userId, wellFormed),
    unknown: args.ids.filter((id) => !owned.has(id)),
  };
}
