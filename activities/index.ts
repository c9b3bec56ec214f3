import { getSettings } from '../db/users.js';
import type { UserId } from '../domain/ids.js';
import { NotificationPreferences } from '../domain/user.js';
import { createChannelActivities, type ChannelActivityDeps } from './channels.js';
import { createDigestActivities, type DigestActivityDeps } from './digests.js';
import { createFireActivities } from './fire-reminder.js';
import { createReminderActivities, type ReminderActivityDeps } from './reminders.js';
import { createSeriesActivities } from './series.js';
import { withCatalogFailures } from './failures.js';

export type ActivityDeps = ReminderActivityDeps & ChannelActivityDeps & DigestActivityDeps;

/** Every activity the worker registers, built from the dependencies main.ts opened. */
export function createActivities(deps: ActivityDeps) {
  const reminders = createReminderActivities(deps);
  // Thrown errors leave through the catalog's Temporal mapping (activities/failures.ts).
  return withCatalogFailures({
    ...reminders,
    ...createFireActivities({
      deliverReminder: reminders.deliverReminder,
      preferences: async (userId) =>
        NotificationPreferences.parse(
          (await getSettings(deps.sql, userId as UserId)).notificationPreferences,
        ),
    }),
    ...createDigestActivities(deps),
    ...createChannelActivities(deps),
    ...createSeriesActivities(deps),
  });
}
