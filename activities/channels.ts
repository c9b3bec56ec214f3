import { ApplicationFailure } from '@temporalio/activity';
import { createHmac, randomBytes } from 'node:crypto';
import { recordDelivery, wasDelivered, webhookSecret } from '../db/channels.js';
import type { Sql } from '../db/sql.js';
import { findTaskById } from '../db/tasks.js';
import { getSettings } from '../db/users.js';
import type { TaskId, UserId } from '../domain/ids.js';
import { NotificationPreferences } from '../domain/user.js';
import type { Logger } from '../platform/logger.js';
import type { DeliverReminderInput } from './reminders.js';

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
  return {
    /**
     * A delivered reminder also goes out by e-mail (simulated: one structured log line) and to
     * the user's webhook, as their preferences say. Each channel is recorded once under the
     * reminder's idempotency key, so a retry re-sends only what did not go out. A webhook that
     * answers 5xx, 408 or 429 (or not at all) is retried by Temporal; another 4xx is final.
     */
    async deliverToChannels(
      input: DeliverReminderInput,
    ): Promise<{ email: ChannelOutcome; webhook: ChannelOutcome }> {
      const userId = input.userId as UserId;
      const key = `${input.taskId}:${input.reminderId}:${new Date(input.fireAt).toISOString()}`;
      const prefs = NotificationPreferences.parse(
        (await getSettings(sql, userId)).notificationPreferences,
      );
      const task = await findTaskById(sql, input.taskId as TaskId);
      const title = task?.title ?? '';

      let email: ChannelOutcome = 'off';
      if (prefs.email) {
        email = (await recordDelivery(sql, key, 'email', userId)) ? 'sent' : 'already-sent';
        if (email === 'sent') {
          log.info(
            {
              channel: 'email',
              to: userId,
              subject: `Reminder: ${title}`,
              taskId: input.taskId,
              fireAt: input.fireAt,
              idempotencyKey: key,
            },
            'e-mail sent (simulated)',
          );
        }
      }

      let webhook: ChannelOutcome = 'off';
      if (prefs.webhookUrl) {
        if (await wasDelivered(sql, key, 'webhook')) webhook = 'already-sent';
        else {
          const secret = await webhookSecret(sql, userId, () =>
            randomBytes(32).toString('base64url'),
          );
          const body = JSON.stringify({
            type: 'reminder.fired',
            taskId: input.taskId,
            reminderId: input.reminderId,
            title,
            fireAt: input.fireAt,
            idempotencyKey: key,
          });
          let res: Response;
          try {
            res = await doFetch(prefs.webhookUrl, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'idempotency-key': key,
                'tickler-signature': signWebhook(secret, body, now()),
              },
              body,
              signal: AbortSignal.timeout(webhookTimeoutMs),
            });
          } catch (err) {
            throw new Error(
              `webhook ${prefs.webhookUrl} did not answer: ${(err as Error).message}`,
              {
                cause: err,
              },
            );
          }
          if (!res.ok) {
            const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
            const message = `webhook ${prefs.webhookUrl} answered ${res.status}`;
            throw retryable
              ? new Error(message)
              : ApplicationFailure.nonRetryable(message, 'WebhookRejected');
          }
          await recordDelivery(sql, key, 'webhook', userId);
          webhook = 'sent';
        }
      }
      return { email, webhook };
    },
  };
}

export type ChannelActivities = ReturnType<typeof createChannelActivities>;
