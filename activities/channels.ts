import { createHmac, randomBytes } from 'node:crypto';
import { recordDelivery, wasDelivered, webhookSigningSecrets } from '../db/channels.js';
import { findDigest } from '../db/digests.js';
import type { Sql } from '../db/sql.js';
import { findTaskById } from '../db/tasks.js';
import { getSettings } from '../db/users.js';
import { TemporalFailureType } from '../domain/errors.js';
import type { TaskId, UserId } from '../domain/ids.js';
import { deliveryKey, digestDeliveryKey } from '../domain/reminder-keys.js';
import { failure } from './failures.js';
import { NotificationPreferences } from '../domain/user.js';
import type { Logger } from '../platform/logger.js';
import { postPinned } from '../platform/pinned-post.js';
import {
  createWebhookDestinations,
  DestinationRefused,
  originOf,
  STRICT_WEBHOOK_POLICY,
  type Destination,
  type WebhookDestinations,
} from '../platform/webhook-destination.js';
import type { DeliverReminderInput } from './reminders.js';

export interface DeliverDigestToChannelsInput {
  userId: string;
  digestId: string;
}

export interface ChannelActivityDeps {
  sql: Sql;
  log: Logger;
  now?: () => Date;
  /** The whole webhook call: connect, send, status, response read. */
  webhookTimeoutMs?: number;
  /** Where webhooks may go; strict (https, public addresses) unless given. */
  webhooks?: WebhookDestinations;
}

/** A receiver's answer is not needed beyond its status: this much of its body is read, at most. */
const MAX_WEBHOOK_RESPONSE_BYTES = 64 * 1024;

export type ChannelOutcome = 'sent' | 'already-sent' | 'off';

/**
 * `Tickler-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the receiver
 * recomputes it with its secret and rejects old timestamps (replays). During a rotation's overlap
 * window there is one `v1=` per valid secret (new first), as Stripe does: a receiver accepts
 * the delivery when any of them matches, so it can switch secrets at its own pace.
 */
export function signWebhook(secrets: readonly string[], body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = secrets.map(
    (s) => `v1=${createHmac('sha256', s).update(`${t}.${body}`).digest('hex')}`,
  );
  return [`t=${t}`, ...v1].join(',');
}

export function createChannelActivities({
  sql,
  log,
  now = () => new Date(),
  webhookTimeoutMs = 10_000,
  webhooks = createWebhookDestinations({ policy: STRICT_WEBHOOK_POLICY }),
}: ChannelActivityDeps) {
  interface Message {
    userId: UserId;
    /** Each channel delivers a message once under this key. */
    key: string;
    subject: string;
    /** The e-mail log line's fields. */
    email: Record<string, unknown>;
    /** The webhook's JSON body. */
    webhook: Record<string, unknown>;
  }

  /**
   * Sends `message` by e-mail (simulated: one structured log line) and to the user's webhook,
   * as their preferences say. Each channel is recorded once under the message's key, so a retry
   * re-sends only what did not go out. A webhook that answers 5xx, 408 or 429 (or not at all) is
   * retried by Temporal; another 4xx, a 3xx (redirects are not followed) and a destination the
   * check refuses are final.
   */
  async function send(m: Message): Promise<{ email: ChannelOutcome; webhook: ChannelOutcome }> {
    const prefs = NotificationPreferences.parse(
      (await getSettings(sql, m.userId)).notificationPreferences,
    );
    let email: ChannelOutcome = 'off';
    if (prefs.email) {
      email = (await recordDelivery(sql, m.key, 'email', m.userId)) ? 'sent' : 'already-sent';
      if (email === 'sent') {
        log.info(
          { channel: 'email', to: m.userId, subject: m.subject, ...m.email, idempotencyKey: m.key },
          'e-mail sent (simulated)',
        );
      }
    }
    let webhook: ChannelOutcome = 'off';
    if (prefs.webhookUrl) {
      if (await wasDelivered(sql, m.key, 'webhook')) webhook = 'already-sent';
      else {
        await postWebhook(prefs.webhookUrl, m);
        await recordDelivery(sql, m.key, 'webhook', m.userId);
        webhook = 'sent';
      }
    }
    return { email, webhook };
  }

  /**
   * Checked again at send time (the saved URL may predate the check, and DNS may have changed
   * since), then sent to exactly the addresses checked. Messages name the URL's origin only:
   * its path or query may hold the receiver's token, and they end up in logs.
   */
  async function postWebhook(url: string, m: Message): Promise<void> {
    const origin = originOf(url);
    let dest: Destination;
    try {
      dest = await webhooks.check(url);
    } catch (err) {
      if (err instanceof DestinationRefused)
        throw failure(
          TemporalFailureType.WEBHOOK_DESTINATION_REFUSED,
          `webhook to ${origin} refused: it ${err.message}`,
        );
      throw new Error(`webhook to ${origin} not resolved: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const secrets = await webhookSigningSecrets(sql, m.userId, () =>
      randomBytes(32).toString('base64url'),
    );
    const body = JSON.stringify({ ...m.webhook, idempotencyKey: m.key });
    let status: number;
    try {
      status = await postPinned(dest, {
        headers: {
          'content-type': 'application/json',
          'idempotency-key': m.key,
          'tickler-signature': signWebhook(secrets, body, now()),
        },
        body,
        timeoutMs: webhookTimeoutMs,
        maxResponseBytes: MAX_WEBHOOK_RESPONSE_BYTES,
      });
    } catch (err) {
      throw new Error(`webhook to ${origin} did not answer: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (status >= 200 && status < 300) return;
    const retryable = status >= 500 || status === 408 || status === 429;
    const message =
      status >= 300 && status < 400
        ? `webhook to ${origin} answered ${status}: redirects are not followed`
        : `webhook to ${origin} answered ${status}`;
    throw retryable ? new Error(message) : failure(TemporalFailureType.WEBHOOK_REJECTED, message);
  }

  return {
    /** A delivered reminder also goes out by e-mail and webhook, as the user's preferences say. */
    async deliverToChannels(input: DeliverReminderInput) {
      const key = deliveryKey(input.taskId, input.reminderId, input.fireAt);
      const task = await findTaskById(sql, input.taskId as TaskId);
      const title = task?.title ?? '';
      return send({
        userId: input.userId as UserId,
        key,
        subject: `Reminder: ${title}`,
        email: { taskId: input.taskId, fireAt: input.fireAt },
        webhook: {
          type: 'reminder.fired',
          taskId: input.taskId,
          reminderId: input.reminderId,
          title,
          fireAt: input.fireAt,
        },
      });
    },

    /** A quiet-hours digest goes out as one e-mail and one webhook call, not one per reminder. */
    async deliverDigestToChannels(input: DeliverDigestToChannelsInput) {
      const digest = await findDigest(sql, input.digestId);
      if (!digest) throw failure(TemporalFailureType.NO_DIGEST, `no digest ${input.digestId}`);
      const reminders = digest.items.map((i) => ({ ...i, fireAt: i.fireAt.toISOString() }));
      return send({
        userId: input.userId as UserId,
        key: digestDeliveryKey(digest.id),
        subject: `${reminders.length} reminder${reminders.length === 1 ? '' : 's'} from your quiet hours`,
        email: { digestId: digest.id, reminders: reminders.length },
        webhook: {
          type: 'reminder.digest',
          digestId: digest.id,
          windowEnd: digest.windowEnd.toISOString(),
          reminders,
        },
      });
    },
  };
}

export type ChannelActivities = ReturnType<typeof createChannelActivities>;
