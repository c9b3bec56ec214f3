import { createChannelActivities, type ChannelActivityDeps } from './channels.js';
import { createDigestActivities, type DigestActivityDeps } from './digests.js';
import { createFireActivities } from './fire-reminder.js';
import { createReminderActivities, type ReminderActivityDeps } from './reminders.js';
import { createSeriesActivities } from './series.js';

export type ActivityDeps = ReminderActivityDeps & ChannelActivityDeps & DigestActivityDeps;

/** Every activity the worker registers, built from the dependencies main.ts opened. */
export function createActivities(deps: ActivityDeps) {
  const reminders = createReminderActivities(deps);
  return {
    ...reminders,
    ...createFireActivities({ sql: deps.sql, deliverReminder: reminders.deliverReminder }),
    ...createDigestActivities(deps),
    ...createChannelActivities(deps),
    ...createSeriesActivities(deps),
  };
}
