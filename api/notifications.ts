import { z } from 'zod';
import { badInput } from '../domain/errors.js';
import type { UserId } from '../domain/ids.js';
import { listNotifications } from '../db/notifications.js';
import type { Sql } from '../db/sql.js';

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

const encode = (deliveredAt: Date, id: string) =>
  Buffer.from(JSON.stringify([deliveredAt.toISOString(), id])).toString('base64url');

function decode(cursor: string): { deliveredAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      string,
      string,
    ];
    const deliveredAt = new Date(at);
    if (typeof id === 'string' && !Number.isNaN(deliveredAt.getTime())) return { deliveredAt, id };
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
    cursor: encode(n.deliveredAt, n.id),
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
