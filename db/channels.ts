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

/** The user's webhook signing secret, created on first need. */
export async function webhookSecret(db: Db, userId: UserId, fresh: () => string): Promise<string> {
  const [row] = await db<{ webhookSecret: string }[]>`
    UPDATE users SET webhook_secret = coalesce(webhook_secret, ${fresh()})
    WHERE id = ${userId} RETURNING webhook_secret`;
  if (!row) throw new Error(`no user ${userId}`);
  return row.webhookSecret;
}
