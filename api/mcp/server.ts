import { McpServer } from '@modelcontextprotocol/server';
import type { ToolContext } from './context.js';
import { registerFindTasksTool } from './find-tasks-tool.js';
import { registerHistoryTool } from './history-tool.js';
import { registerNotificationTools } from './notification-tools.js';
import { registerReminderTools } from './reminder-tools.js';
import { catalogErrorsFromSdk } from './sdk-errors.js';
import { registerSeriesTools } from './series-tools.js';
import { registerTaskStatusTools } from './task-status-tools.js';
import { registerTaskWriteTools } from './task-write-tools.js';
import { registerUserInfoTool } from './user-info-tool.js';

export const MCP_INSTRUCTIONS = `Tickler keeps the user's tasks: due dates, priorities, tags, reminders.
- Start with user_info: it gives the user's time zone and local time now. Dates may be the
  user's own words ("tomorrow at 5pm", "next Friday", "in 2 hours", "end of month"), read in
  that zone at the time of the call, or ISO-8601 with an offset (2026-03-30T17:00:00+02:00).
  A day without a time makes the task all-day. Each item's \`resolved\` gives the instant
  chosen: tell the user which ("Friday 2 April, 17:00"); unreadable words fail naming the field.
- Tools that change tasks take ids. When the user names a task ("buy groceries"), call
  find_tasks first to get its id; an unknown id fails with NOT_FOUND, never a guess.
- add_tasks, update_tasks, reschedule_tasks, complete_tasks, reopen_tasks and delete_tasks take
  up to 25 items and answer per item: succeeded (with the task) or failed (with a code and the
  field that is wrong). Fix and resend only the failed items.
- Give add_tasks an idempotencyKey so that a retried call creates nothing twice.
- Recurring tasks are series. add_series takes the rule as words ("every weekday at 9am",
  read in the user's zone) or an RRULE with dtstart; preview_series shows the next dates without
  creating anything. When the user names a series ("stop my exercise reminder"), call
  find_series first (any word of the name matches) and act on the id it gives: update_series
  (this and future occurrences), pause_series, resume_series, skip_next_occurrence, stop_series.
  An occurrence is a task with a seriesId; delete_occurrence removes THIS one,
  THIS_AND_FOLLOWING (the series ends before it) or ALL (the series stops); completed ones stay.
- Reminders belong to tasks. add_reminders sets one before or after the due date (a
  duration: "30 minutes", "1 day", PT30M) or at an instant written like a due date ("remind me
  in 5 minutes": at "in 5 minutes"). A reminder that fires becomes a notification:
  list_notifications (unreadOnly for new ones) shows it with its taskId and reminderId.
  "Snooze that for an hour" means snooze_reminders with those two ids and for "an hour" (or
  until an instant); "stop reminding me" is dismiss_reminders (remove_reminders deletes it).
  For a reminder the user names by its task, get_task_reminders gives the ids. Mark what the
  user has seen with mark_notifications_read. task_history tells what happened to a task
  (created, changed, reminders fired and snoozed); it trails changes by a moment.
- RATE_LIMITED or UNAVAILABLE: wait retryAfterSeconds, then retry the same call.`;

/** One server per request (stateless: any api replica serves any call), for one caller. */
export function createMcpServer(ctx: ToolContext): McpServer {
  const server = new McpServer(
    { name: 'tickler', version: '0.1.0' },
    { instructions: MCP_INSTRUCTIONS, capabilities: { tools: {} } },
  );
  catalogErrorsFromSdk(server, ctx);
  registerUserInfoTool(server, ctx);
  registerFindTasksTool(server, ctx);
  registerTaskWriteTools(server, ctx);
  registerTaskStatusTools(server, ctx);
  registerReminderTools(server, ctx);
  registerNotificationTools(server, ctx);
  registerSeriesTools(server, ctx);
  registerHistoryTool(server, ctx);
  return server;
}
