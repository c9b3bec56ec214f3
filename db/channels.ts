import type { UserId } from '../domain/ids.js';
import type { Db } from './sql.js';

export type Channel = 'email' | 'webhook';

export async function wasDelivered(db: Db, key: string, channel: Channel): Promise<boolean> {
  const rows =
    await db`SELECT 1 FROM channel_deliveries WHERE idempotency_key = ${key} AND channel = ${channel}`;
  return rows.length > 0;
}

/** True when this call recorded the delivery; false when it was recorded before. */
export async function recordDelivery(
  db: Db,
  key: string,
  channel: Channel,
  userId: UserId,
): Promise<boolean> {
  const rows = await db`
    INSERT INTO channel_deliveries (idempotency_key, channel, user_id) VALUES (${key}, ${channel}, ${userId})
    ON CONFLICT DO NOTHING RETURNING 1`;
  return rows.length === 1;
}

/**
 * The secrets a delivery is signed with now: the current one (created on first need, so a URL
 * saved before there were secrets still gets signed deliveries) and, during a rotation's overlap
 * window, the previous one.
 */
export async function webhookSigningSecrets(
  db: Db,
  userId: UserId,
  fresh: () => string,
): Promise<string[]> {
  const [row] = await db<{ webhookSecret: string; previous: string | null }[]>`
    UPDATE users SET webhook_secret = coalesce(webhook_secret, ${fresh()})
    WHERE id = ${userId}
    RETURNING webhook_secret,
      CASE WHEN webhook_previous_secret_until > now() THEN webhook_previous_secret END AS previous`;
  if (!row) throw new Error(`no user ${userId}`);
  return row.previous ? [row.webhookSecret, row.previous] : [row.webhookSecret];
}

/** Creates the user's signing secret if they have none; answers it only when this call did. */
export async function createWebhookSecret(
  db: Db,
  userId: UserId,
  fresh: string,
): Promise<string | null> {
  const [row] = await db<{ webhookSecret: string }[]>`
    UPDATE users SET webhook_secret = ${fresh}
    WHERE id = ${userId} AND webhook_secret IS NULL RETURNING webhook_secret`;
  return row?.webhookSecret ?? null;
}

/**
 * Makes `fresh` the signing secret. The one it replaces keeps signing (a second signature) for
 * `overlapMs`; answers until when, or null when there was no secret to keep. A rotation inside
 * an overlap window drops the older previous secret: at most two secrets sign at once.
 */
export async function rotateWebhookSecret(
  db: Db,
  userId: UserId,
  fresh: string,
  overlapMs: number,
): Promise<Date | null> {
  const [row] = await db<{ webhookPreviousSecretUntil: Date | null }[]>`
    UPDATE users SET
      webhook_previous_secret = webhook_secret,
      webhook_previous_secret_until = CASE WHEN webhook_secret IS NULL THEN NULL
        ELSE now() + ${overlapMs}::float8 * interval '1 millisecond' END,
      webhook_secret = ${fresh}
    WHERE id = ${userId} RETURNING webhook_previous_secret_until`;
  if (!row) throw new Error(`no user ${userId}`);
  return row.webhookPreviousSecretUntil;
}
