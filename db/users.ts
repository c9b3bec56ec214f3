import type { UserId } from '../domain/ids.js';
import type { Db } from './sql.js';

/**
 * Creates the user on first use and takes the next number of their event sequence. Runs in the
 * caller's transaction: the row lock it takes orders that user's events by commit.
 */
export async function nextEventSequence(db: Db, userId: UserId): Promise<number> {
  const [row] = await db<{ eventSequence: string }[]>`
    INSERT INTO users (id, event_sequence) VALUES (${userId}, 1)
    ON CONFLICT (id) DO UPDATE SET event_sequence = users.event_sequence + 1
    RETURNING event_sequence`;
  return Number(row!.eventSequence);
}

/**
 * Creates the user on first use and locks their row for the rest of the transaction. Commands
 * that must see each other's effects (an idempotent create retried concurrently) take it first.
 */
export async function lockUser(db: Db, userId: UserId): Promise<void> {
  await db`
    INSERT INTO users (id) VALUES (${userId})
    ON CONFLICT (id) DO UPDATE SET id = users.id`;
}

export interface UserSettingsRow {
  timeZone: string;
  defaultReminderOffsetMs: number | null;
  notificationPreferences: Record<string, unknown>;
}

/** The user's settings, creating the user with defaults on first use. */
export async function getSettings(db: Db, userId: UserId): Promise<UserSettingsRow> {
  const [row] = await db<
    (Omit<UserSettingsRow, 'defaultReminderOffsetMs'> & {
      defaultReminderOffsetMs: string | null;
    })[]
  >`
    INSERT INTO users (id) VALUES (${userId})
    ON CONFLICT (id) DO UPDATE SET id = users.id
    RETURNING time_zone, default_reminder_offset_ms, notification_preferences`;
  return {
    ...row!,
    defaultReminderOffsetMs:
      row!.defaultReminderOffsetMs === null ? null : Number(row!.defaultReminderOffsetMs),
  };
}

export async function updateSettings(
  db: Db,
  userId: UserId,
  change: Partial<UserSettingsRow>,
): Promise<UserSettingsRow> {
  await getSettings(db, userId);
  const values: Record<string, string | number | null> = {};
  if (change.timeZone !== undefined) values.timeZone = change.timeZone;
  if (change.defaultReminderOffsetMs !== undefined)
    values.defaultReminderOffsetMs = change.defaultReminderOffsetMs;
  if (change.notificationPreferences !== undefined)
    values.notificationPreferences = JSON.stringify(change.notificationPreferences);
  const keys = Object.keys(values);
  if (keys.length)
    await db`UPDATE users SET ${db(values, keys)}, updated_at = now() WHERE id = ${userId}`;
  return getSettings(db, userId);
}
