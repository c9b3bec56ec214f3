import { formatDurationMs } from '../domain/duration.js';
import type { UserId } from '../domain/ids.js';
import { formatLocalTime } from '../domain/quiet-hours.js';
import { NotificationPreferences, type UpdateSettingsInput } from '../domain/user.js';
import { randomBytes } from 'node:crypto';
import { webhookSecret } from '../db/channels.js';
import type { Sql } from '../db/sql.js';
import {
  getSettings,
  lockUser,
  updateSettings as updateSettingsRow,
  type UserSettingsRow,
} from '../db/users.js';

export interface UserSettings {
  timeZone: string;
  defaultReminderOffset: string | null;
  notificationPreferences: NotificationPreferences;
  webhookSecret: string | null;
  quietHours: { start: string; end: string } | null;
}

const present = (row: UserSettingsRow): UserSettings => ({
  timeZone: row.timeZone,
  defaultReminderOffset:
    row.defaultReminderOffsetMs === null ? null : formatDurationMs(row.defaultReminderOffsetMs),
  // Stored preferences are merged over the defaults, so a new preference needs no migration.
  notificationPreferences: NotificationPreferences.parse(row.notificationPreferences),
  webhookSecret: row.webhookSecret,
  quietHours: row.quietHours && {
    start: formatLocalTime(row.quietHours.startMinute),
    end: formatLocalTime(row.quietHours.endMinute),
  },
});

export async function readSettings(sql: Sql, userId: UserId): Promise<UserSettings> {
  return present(await getSettings(sql, userId));
}

export async function updateSettings(
  sql: Sql,
  userId: UserId,
  input: UpdateSettingsInput,
): Promise<UserSettings> {
  return sql.begin(async (tx) => {
    const current = await lockUser(tx, userId);
    const prefs = input.notificationPreferences
      ? NotificationPreferences.parse({
          ...current.notificationPreferences,
          ...input.notificationPreferences,
        })
      : undefined;
    // The signing secret exists from the moment there is a webhook to sign for.
    if (prefs?.webhookUrl)
      await webhookSecret(tx, userId, () => randomBytes(32).toString('base64url'));
    return present(
      await updateSettingsRow(tx, userId, {
        timeZone: input.timeZone,
        defaultReminderOffsetMs: input.defaultReminderOffset,
        notificationPreferences: prefs,
        quietHours: input.quietHours,
      }),
    );
  });
}
