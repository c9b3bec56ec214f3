import { z } from 'zod';
import { READ_ONLY } from './results.js';
import type { McpServer } from '@modelcontextprotocol/server';
import { formatWithOffset } from '../../domain/time/local-date-time.js';
import { readSettings } from '../settings/settings.js';
import { guarded, type ToolContext } from './context.js';

export function registerUserInfoTool(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'user_info',
    {
      title: 'User info',
      description:
        "The user's time zone, their local date and time now, and their settings (default " +
        'reminder, notification channels, quiet hours). Call it first: every date you send ' +
        'should carry the offset of this zone.',
      inputSchema: {},
      outputSchema: {
        userId: z.string(),
        timeZone: z.string().describe('IANA time zone, e.g. Europe/Berlin'),
        localTime: z.string().describe('Now, ISO-8601 with the zone’s current UTC offset'),
        weekday: z.string(),
        defaultReminderOffset: z
          .string()
          .nullable()
          .describe('ISO-8601 duration before the due date; null: no default reminder'),
        notifications: z.object({
          inApp: z.boolean(),
          email: z.boolean(),
          webhook: z.boolean().describe('Whether a webhook is set (its URL is not shown)'),
        }),
        quietHours: z.object({ start: z.string(), end: z.string() }).nullable(),
      },
      annotations: READ_ONLY,
    },
    () =>
      guarded(ctx, async () => {
        const settings = await readSettings(ctx.command.sql, ctx.command.userId);
        const now = new Date();
        const value = {
          userId: ctx.command.userId,
          timeZone: settings.timeZone,
          localTime: formatWithOffset(now, settings.timeZone),
          weekday: now.toLocaleDateString('en-US', {
            weekday: 'long',
            timeZone: settings.timeZone,
          }),
          defaultReminderOffset: settings.defaultReminderOffset,
          // The webhook URL may carry a secret in its path or query: only whether one is set.
          notifications: {
            inApp: settings.notificationPreferences.inApp,
            email: settings.notificationPreferences.email,
            webhook: settings.notificationPreferences.webhookUrl !== null,
          },
          quietHours: settings.quietHours,
        };
        return {
          structuredContent: value,
          content: [{ type: 'text', text: JSON.stringify(value) }],
        };
      }),
  );
}
