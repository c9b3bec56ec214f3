import { randomBytes } from 'node:crypto';
import { createWebhookSecret, rotateWebhookSecret as rotateSecretRow } from '../../db/channels.js';
import { transaction, type Sql } from '../../db/sql.js';
import {
  getSettings,
  lockUser,
  updateSettings as updateSettingsRow,
  type UserSettingsRow,
} from '../../db/users.js';
import { formatDurationMs } from '../../domain/time/duration.js';
import { badInput, quote, unavailable } from '../../domain/errors.js';
import type { UserId } from '../../domain/ids.js';
import { formatLocalTime } from '../../domain/quiet-hours.js';
import {
  NotificationPreferences,
  type RotateWebhookSecretArgs,
  type UpdateSettingsInput,
} from '../../domain/user.js';
import {
  createWebhookDestinations,
  DestinationRefused,
  STRICT_WEBHOOK_POLICY,
  type WebhookDestinations,
} from '../../platform/webhook-destination.js';

/** What a resolver of the GraphQL `User` type starts from: its settings are read when asked for. */
export interface UserRef {
  id: UserId;
}

export interface UserSettings {
  timeZone: string;
  defaultReminderOffset: string | null;
  notificationPreferences: NotificationPreferences;
  /** Only in the answer of the update that created it; null in every other answer. */
  webhookSecret: string | null;
  quietHours: { start: string; end: string } | null;
}

const present = (row: UserSettingsRow, webhookSecret: string | null = null): UserSettings => ({
  timeZone: row.timeZone,
  defaultReminderOffset:
    row.defaultReminderOffsetMs === null ? null : formatDurationMs(row.defaultReminderOffsetMs),
  // Stored preferences are merged over the defaults, so a new preference needs no migration.
  notificationPreferences: NotificationPreferences.parse(row.notificationPreferences),
  webhookSecret,
  quietHours: row.quietHours && {
    start: formatLocalTime(row.quietHours.startMinute),
    end: formatLocalTime(row.quietHours.endMinute),
  },
});

const newSecret = (): string => randomBytes(32).toString('base64url');

export async function readSettings(sql: Sql, userId: UserId): Promise<UserSettings> {
  return present(await getSettings(sql, userId));
}

const WEBHOOK_URL_PATH = 'input.notificationPreferences.webhookUrl';

/**
 * The URL as the worker will see it (WHATWG-normalised), once the destination check passed.
 * Checked before the transaction: a slow DNS answer holds no row lock.
 */
async function checkedWebhookUrl(webhooks: WebhookDestinations, url: string): Promise<string> {
  try {
    return (await webhooks.check(url)).url.href;
  } catch (err) {
    if (err instanceof DestinationRefused)
      throw badInput([{ path: WEBHOOK_URL_PATH, message: `${quote(url)} ${err.message}` }]);
    const { noAddress } = err as { noAddress?: boolean };
    if (noAddress)
      throw badInput([
        { path: WEBHOOK_URL_PATH, message: `${quote(url)}: its host has no address` },
      ]);
    throw unavailable(`the webhook URL's host could not be resolved now; try again`);
  }
}

export async function updateSettings(
  sql: Sql,
  userId: UserId,
  input: UpdateSettingsInput,
  webhooks: WebhookDestinations = createWebhookDestinations({ policy: STRICT_WEBHOOK_POLICY }),
): Promise<UserSettings> {
  const change = input.notificationPreferences;
  const webhookUrl = change?.webhookUrl && (await checkedWebhookUrl(webhooks, change.webhookUrl));
  return transaction(sql, async (tx) => {
    const current = await lockUser(tx, userId);
    const prefs = change
      ? NotificationPreferences.parse({
          ...current.notificationPreferences,
          ...change,
          ...(webhookUrl ? { webhookUrl } : {}),
        })
      : undefined;
    // The signing secret exists from the moment there is a webhook to sign for, and this answer
    // is the only one that ever shows it (rotateWebhookSecret makes a new one).
    const secret = prefs?.webhookUrl ? await createWebhookSecret(tx, userId, newSecret()) : null;
    const row = await updateSettingsRow(tx, userId, {
      timeZone: input.timeZone,
      defaultReminderOffsetMs: input.defaultReminderOffset,
      notificationPreferences: prefs,
      quietHours: input.quietHours,
    });
    return present(row, secret);
  });
}

export interface WebhookSecretRotation {
  secret: string;
  previousSecretValidUntil: string | null;
}

/** A new signing secret, shown in this answer only; the replaced one signs too for `overlap`. */
export async function rotateWebhookSecret(
  sql: Sql,
  userId: UserId,
  args: RotateWebhookSecretArgs,
): Promise<WebhookSecretRotation> {
  return transaction(sql, async (tx) => {
    await lockUser(tx, userId);
    const secret = newSecret();
    const until = await rotateSecretRow(tx, userId, secret, args.overlap);
    return { secret, previousSecretValidUntil: until?.toISOString() ?? null };
  });
}
