import { ApplicationFailure } from '@temporalio/activity';
import { createHmac, randomBytes } from 'node:crypto';
import { recordDelivery, wasDelivered, webhookSecret } from '../db/channels.js';
import { findDigest } from '../db/digests.js';
import type { Sql } from '../db/sql.js';
import { findTaskById } from '../db/tasks.js';
import { getSettings } from '../db/users.js';
import type { TaskId, UserId } from '../domain/ids.js';
import { NotificationPreferences } from '../domain/user.js';
import type { Logger } from '../platform/logger.js';
import type { DeliverReminderInput } from './reminders.js';

export interface DeliverDigestToChannelsInput {
  userId: string;
  digestId: string;
}

export interface ChannelActivityDeps {
  sql: Sql;
  log: Logger;
  fetch?: typeof fetch;
  now?: () => Date;
  webhookTimeoutMs?: number;
}

export type ChannelOutcome = 'sent' | 'already-sent' | 'off';

/**
 * `Tickler-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the receiver
 * recomputes it with the secret from its settings and rejects old timestamps (replays).
 */
export function signWebhook(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export function createChannelActivities({
  sql,
  log,
  fetch: doFetch = fetch,
  now = () => new Date(),
  webhookTimeoutMs = 10_000,
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
   * retried by Temporal; another 4xx is final.
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

  async function postWebhook(url: string, m: Message): Promise<void> {
    const secret = await webhookSecret(sql, m.userId, () => randomBytes(32).toString('base64url'));
    const body = JSON.stringify({ ...m.webhook, idempotencyKey: m.key });
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': m.key,
          'tickler-signature': signWebhook(secret, body, now()),
        },
        body,
        signal: AbortSignal.timeout(webhookTimeoutMs),
      });
    } catch (err) {
      throw new Error(`webhook ${url} did not answer: ${(err as Error).message}`, { cause: err });
    }
    if (!res.ok) {
      const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
      const message = `webhook ${url} answered ${res.status}`;
      throw retryable
        ? new Error(message)
        : ApplicationFailure.nonRetryable(message, 'WebhookRejected');
    }
  }

  return {
    /** A delivered reminder also goes out by e-mail and webhook, as the user's preferences say. */
    async deliverToChannels(input: DeliverReminderInput) {
      const key = `${input.taskId}:${input.reminderId}:${new Date(input.fireAt).toISOString()}`;
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
      if (!digest) throw ApplicationFailure.nonRetryable(`no digest ${input.digestId}`, 'NoDigest');
      const reminders = digest.items.map((i) => ({ ...i, fireAt: i.fireAt.toISOString() }));
      return send({
        userId: input.userId as UserId,
        key: `digest:${digest.id}`,
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
