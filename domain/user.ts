import { z } from 'zod';
import { DurationMs } from './time/duration.js';
import { QuietHoursInput } from './quiet-hours.js';
import { MAX_REMIND_OFFSET_MS } from './reminder.js';
import { TimeZone } from './time/zone.js';

export const NotificationPreferences = z.object({
  /** Reminders pushed to open clients (the sync service). */
  inApp: z.boolean().default(true),
  /** A (simulated) e-mail per reminder. */
  email: z.boolean().default(false),
  /** Reminders POSTed here, signed with HMAC. */
  webhookUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .nullable()
    .default(null),
});
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

export const UpdateSettingsInput = z.object({
  timeZone: TimeZone.optional(),
  /** null turns the default reminder off. */
  defaultReminderOffset: DurationMs.refine(
    (ms) => ms >= 0 && ms <= MAX_REMIND_OFFSET_MS,
    'must be between PT0S and P366D',
  ).nullish(),
  notificationPreferences: z
    .object({
      inApp: z.boolean().optional(),
      email: z.boolean().optional(),
      webhookUrl: z
        .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
        .max(2000)
        .nullish(),
    })
    .optional(),
  /** null turns quiet hours off. */
  quietHours: QuietHoursInput.nullish(),
});
export type UpdateSettingsInput = z.infer<typeof UpdateSettingsInput>;

/** A day of overlap by default; at most a week, after which the old secret must be gone. */
export const DEFAULT_WEBHOOK_SECRET_OVERLAP_MS = 86_400_000;
export const MAX_WEBHOOK_SECRET_OVERLAP_MS = 7 * 86_400_000;

export const RotateWebhookSecretArgs = z.object({
  /** How long the replaced secret keeps signing deliveries (a second signature). */
  overlap: DurationMs.refine(
    (ms) => ms >= 0 && ms <= MAX_WEBHOOK_SECRET_OVERLAP_MS,
    'must be between PT0S and P7D',
  )
    .nullish()
    .transform((ms) => ms ?? DEFAULT_WEBHOOK_SECRET_OVERLAP_MS),
});
export type RotateWebhookSecretArgs = z.infer<typeof RotateWebhookSecretArgs>;
