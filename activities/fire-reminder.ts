import type { NotificationPreferences } from '../domain/user.js';
import type { DeliverReminderInput, DeliveryOutcome, ReminderActivities } from './reminders.js';

export interface FireResult {
  outcome: DeliveryOutcome;
  /**
   * The reminder went out in-app (`sent`/`late`) and the user has e-mail or a webhook on, so the
   * workflow must hand it to deliverToChannels. Most users have neither: for them a fire is one
   * local activity in one workflow task instead of two activities in three.
   */
  channels: boolean;
}

export interface FireActivityDeps {
  deliverReminder: ReminderActivities['deliverReminder'];
  /** The user's notification preferences as deliverToChannels reads them. */
  preferences: (userId: string) => Promise<NotificationPreferences>;
}

export function createFireActivities({ deliverReminder, preferences }: FireActivityDeps) {
  return {
    /** deliverReminder (idempotent on its key), then whether e-mail/webhook delivery follows. */
    async fireReminder(input: DeliverReminderInput): Promise<FireResult> {
      const outcome = await deliverReminder(input);
      if (outcome !== 'sent' && outcome !== 'late') return { outcome, channels: false };
      // Read after the commit, as deliverToChannels reads it: a change in between is seen by both.
      const prefs = await preferences(input.userId);
      return { outcome, channels: prefs.email || prefs.webhookUrl !== null };
    },
  };
}

export type FireActivities = ReturnType<typeof createFireActivities>;
