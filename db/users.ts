import type { UserId } from '../domain/ids.js';
import type { QuietHours } from '../domain/quiet-hours.js';
import type { ParameterOrJSON } from 'postgres';
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

/** Takes `n` consecutive sequence numbers of the user's events at once; returns the first. */
export async function takeEventSequences(db: Db, userId: UserId, n: number): Promise<number> {
  const [row] = await db<{ eventSequence: string }[]>`
    INSERT INTO users (id, event_sequence) VALUES (${userId}, ${n})
    ON CONFLICT (id) DO UPDATE SET event_sequence = users.event_sequence + ${n}
    RETURNING event_sequence`;
  return Number(row!.eventSequence) - n + 1;
}

export interface UserSettingsRow {
  timeZone: string;
  defaultReminderOffsetMs: number | null;
  notificationPreferences: Record<string, unknown>;
  /** In the user's time zone; null: none. */
  quietHours: QuietHours | null;
}

interface SettingsRow {
  timeZone: string;
  defaultReminderOffsetMs: string | null;
  notificationPreferences: Record<string, unknown>;
  quietStartMinute: number | null;
  quietEndMinute: number | null;
}
const toSettings = (r: SettingsRow): UserSettingsRow => ({
  timeZone: r.timeZone,
  defaultReminderOffsetMs:
    r.defaultReminderOffsetMs === null ? null : Number(r.defaultReminderOffsetMs),
  notificationPreferences: r.notificationPreferences,
  quietHours:
    r.quietStartMinute === null || r.quietEndMinute === null
      ? null
      : { startMinute: r.quietStartMinute, endMinute: r.quietEndMinute },
});

// Not the webhook secret: no settings read may return it (db/channels.ts reads it to sign).
const settingsColumns = (db: Db) =>
  db`time_zone, default_reminder_offset_ms, notification_preferences,
     quiet_start_minute, quiet_end_minute`;

/**
 * Creates the user on first use and locks their row for the rest of the transaction; returns
 * their settings. Commands that must see each other's effects (an idempotent create retried
 * concurrently) take it first.
 */
export async function lockUser(db: Db, userId: UserId): Promise<UserSettingsRow> {
  const [row] = await db<SettingsRow[]>`
    INSERT INTO users (id) VALUES (${userId})
    ON CONFLICT (id) DO UPDATE SET id = users.id
    RETURNING ${settingsColumns(db)}`;
  return toSettings(row!);
}

/** The user's settings; a user who never wrote anything has the defaults (and no row yet). */
export async function getSettings(db: Db, userId: UserId): Promise<UserSettingsRow> {
  const [row] = await db<SettingsRow[]>`
    SELECT ${settingsColumns(db)} FROM users WHERE id = ${userId}`;
  return row
    ? toSettings(row)
    : {
        timeZone: 'UTC',
        defaultReminderOffsetMs: 1_800_000,
        notificationPreferences: {},
        quietHours: null,
      };
}

export async function updateSettings(
  db: Db,
  userId: UserId,
  change: Partial<UserSettingsRow>,
): Promise<UserSettingsRow> {
  await lockUser(db, userId);
  const values: Record<string, ParameterOrJSON<never>> = {};
  if (change.timeZone !== undefined) values.timeZone = change.timeZone;
  if (change.defaultReminderOffsetMs !== undefined)
    values.defaultReminderOffsetMs = change.defaultReminderOffsetMs;
  if (change.notificationPreferences !== undefined)
    values.notificationPreferences = db.json(change.notificationPreferences as never);
  if (change.quietHours !== undefined) {
    values.quietStartMinute = change.quietHours?.startMinute ?? null;
    values.quietEndMinute = change.quietHours?.endMinute ?? null;
  }
  const keys = Object.keys(values);
  if (keys.length)
    await db`UPDATE users SET ${db(values, keys)}, updated_at = now() WHERE id = ${userId}`;
  return getSettings(db, userId);
}
