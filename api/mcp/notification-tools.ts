import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import { getSettings } from '../../db/users.js';
import { badInput } from '../../domain/errors.js';
import { parseInput } from '../../domain/validation.js';
import { formatWithOffset } from '../../domain/time/local-date-time.js';
import {
  listNotificationConnection,
  markNotificationsRead,
  NotificationsArgs,
} from '../notifications/notifications.js';
import { guarded, type ToolContext } from './context.js';
import {
  idArg,
  keepWithinBudget,
  renamePaths,
  structured,
  READ_ONLY,
  pageArgs,
} from './results.js';

export const NOTIFICATIONS_DEFAULT_LIMIT = 20;
export const NOTIFICATIONS_MAX_LIMIT = 50;
/** As many ids as one call marks; `all` is there for more. */
const MARK_MAX_IDS = 100;

const NotificationRow = z.object({
  id: z.string(),
  taskId: z.string(),
  reminderId: z.string().describe('With taskId: what snooze_reminders and friends take'),
  title: z.string().describe("The task's title"),
  fireAt: z.string().describe("When the reminder was due, with the user's UTC offset"),
  deliveredAt: z.string().describe("When it reached the user, with the user's UTC offset"),
  read: z.boolean(),
  late: z.literal(true).optional().describe('Delivered after its time (the system was down)'),
  missed: z
    .literal(true)
    .optional()
    .describe('Its time passed beyond the grace period: recorded, not sent'),
});
type NotificationRow = z.infer<typeof NotificationRow>;

const PATH_NAMES: Record<string, string> = { first: 'limit', after: 'cursor' };

export function registerNotificationTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'list_notifications',
    {
      title: 'List notifications',
      description:
        'The reminders that fired for the user, newest first: which task, when it was due and ' +
        'delivered, read or not. Each row has the taskId and reminderId snooze_reminders, ' +
        'dismiss_reminders and remove_reminders take ("snooze that for an hour"). Pass ' +
        'nextCursor back as cursor for more.',
      inputSchema: {
        unreadOnly: z.boolean().describe('Only the unread ones (default false)').optional(),
        ...pageArgs(NOTIFICATIONS_MAX_LIMIT, NOTIFICATIONS_DEFAULT_LIMIT),
      },
      outputSchema: {
        notifications: z.array(NotificationRow),
        nextCursor: z.string().nullable().describe('More rows: call again with this cursor'),
      },
      annotations: READ_ONLY,
    },
    (args) =>
      guarded(ctx, async () => {
        const { sql, userId } = ctx.command;
        const { timeZone } = await getSettings(sql, userId);
        const local = (iso: string): string => formatWithOffset(new Date(iso), timeZone);
        let page;
        try {
          const query = parseInput(
            NotificationsArgs,
            {
              unreadOnly: args.unreadOnly,
              first: args.limit ?? NOTIFICATIONS_DEFAULT_LIMIT,
              after: args.cursor,
            },
            '',
          );
          page = await listNotificationConnection(sql, userId, query);
        } catch (err) {
          throw renamePaths(err, (path) => PATH_NAMES[path] ?? path);
        }
        const edges = page.edges.map((e) => ({
          cursor: e.cursor,
          row: {
            id: e.node.id,
            taskId: e.node.taskId,
            reminderId: e.node.reminderId,
            title: e.node.title,
            fireAt: local(e.node.fireAt),
            deliveredAt: local(e.node.deliveredAt),
            read: e.node.read,
            ...(e.node.late ? { late: true as const } : {}),
            ...(e.node.missed ? { missed: true as const } : {}),
          } satisfies NotificationRow,
        }));
        const envelope = (kept: typeof edges) => ({
          notifications: kept.map((e) => e.row),
          nextCursor: kept.at(-1)?.cursor ?? null,
        });
        const { rows, cut } = keepWithinBudget(edges, envelope);
        // After the last row kept, whether the page was cut for size or has more behind it.
        const more = cut || page.pageInfo.hasNextPage;
        return structured({ ...envelope(rows), nextCursor: more ? rows.at(-1)!.cursor : null });
      }),
  );

  server.registerTool(
    'mark_notifications_read',
    {
      title: 'Mark notifications read',
      description:
        'Marks notifications read: the ids given (from list_notifications), or all of them. ' +
        "Marking a read one again changes nothing. Ids that are not the user's notifications " +
        'are listed in notFound.',
      inputSchema: {
        ids: z
          .array(idArg('A notification id, from list_notifications'))
          .min(1)
          .max(MARK_MAX_IDS)
          .describe(`1 to ${MARK_MAX_IDS} notification ids (not with all)`)
          .optional(),
        all: z.boolean().describe('true: every notification of the user (not with ids)').optional(),
      },
      outputSchema: {
        marked: z.number().describe('How many were unread and are read now'),
        notFound: z
          .array(z.string())
          .describe("Ids given that are none of the user's notifications: NOT_FOUND"),
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    (args) =>
      guarded(ctx, async () => {
        const { sql, userId } = ctx.command;
        if (args.all && args.ids)
          throw badInput([{ path: 'all', message: 'give either ids or all: true, not both' }]);
        const { marked, unknown } = await markNotificationsRead(sql, userId, args);
        return structured({ marked, notFound: unknown });
      }),
  );
}
