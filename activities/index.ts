import { createReminderActivities, type ReminderActivityDeps } from './reminders.js';

export type ActivityDeps = ReminderActivityDeps;

/** Every activity the worker registers, built from the dependencies main.ts opened. */
export function createActivities(deps: ActivityDeps) {
  return { ...createReminderActivities(deps) };
}
