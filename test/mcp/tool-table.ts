// Every tool the MCP server offers and its annotations: a tool missing here (or here and not
// on the server) fails the annotations test in task-tools.test.ts. One table per area.

export type Hints = [
  readOnly: boolean,
  destructive: boolean,
  idempotent: boolean,
  openWorld: boolean,
];

const TASK_TOOLS: Record<string, Hints> = {
  user_info: [true, false, true, false],
  find_tasks: [true, false, true, false],
  add_tasks: [false, false, false, false],
  update_tasks: [false, true, true, false],
  reschedule_tasks: [false, true, true, false],
  complete_tasks: [false, false, true, false],
  reopen_tasks: [false, false, true, false],
  delete_tasks: [false, true, true, false],
};

// Reminders.
const REMINDER_TOOLS: Record<string, Hints> = {
  get_task_reminders: [true, false, true, false],
  add_reminders: [false, false, false, false],
  snooze_reminders: [false, false, false, false],
  dismiss_reminders: [false, false, true, false],
  remove_reminders: [false, true, true, false],
};

// Notifications.
const NOTIFICATION_TOOLS: Record<string, Hints> = {
  list_notifications: [true, false, true, false],
  mark_notifications_read: [false, false, true, false],
};

// Series.
const SERIES_TOOLS: Record<string, Hints> = {
  add_series: [false, false, false, false],
  find_series: [true, false, true, false],
  preview_series: [true, false, true, false],
  update_series: [false, true, true, false],
  pause_series: [false, false, true, false],
  resume_series: [false, false, true, false],
  skip_next_occurrence: [false, true, false, false],
  stop_series: [false, true, true, false],
  delete_occurrence: [false, true, true, false],
};

// History.
const HISTORY_TOOLS: Record<string, Hints> = {
  task_history: [true, false, true, false],
};

export const TOOLS: Record<string, Hints> = {
  ...TASK_TOOLS,
  ...REMINDER_TOOLS,
  ...NOTIFICATION_TOOLS,
  ...SERIES_TOOLS,
  ...HISTORY_TOOLS,
};
