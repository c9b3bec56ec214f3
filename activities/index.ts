import { createChannelActivities, type ChannelActivityDeps } from './channels.js';
import { createReminderActivities, type ReminderActivityDeps } from './reminders.js';

export type ActivityDeps = ReminderActivityDeps & ChannelActivityDeps;

/** Every activity the worker registers, built from the dependencies main.ts opened. */
export function createActivities(deps: ActivityDeps) {
  return { ...createReminderActivities(deps), ...createChannelActivities(deps) };
}
