import { formatDurationMs } from '../../domain/time/duration.js';
import { fireAtOf, reminderState, type Delivery, type Reminder } from '../../domain/reminder.js';
import type { Task } from '../../domain/task.js';

/** A reminder as the GraphQL `Reminder` type shows it. */
export function presentReminder(r: Reminder, task: Task, deliveries: Delivery[]) {
  const fireAt = fireAtOf(r, task.dueAt);
  const delivery =
    fireAt &&
    deliveries.find((d) => d.reminderId === r.id && d.fireAt.getTime() === fireAt.getTime());
  return {
    id: r.id,
    before: r.offsetMs !== null && r.offsetMs <= 0 ? formatDurationMs(-r.offsetMs) : null,
    after: r.offsetMs !== null && r.offsetMs > 0 ? formatDurationMs(r.offsetMs) : null,
    at: r.at?.toISOString() ?? null,
    fireAt: fireAt?.toISOString() ?? null,
    state: reminderState(r, task.dueAt, deliveries),
    snoozedUntil: r.snoozedUntil?.toISOString() ?? null,
    deliveredAt: delivery && !delivery.deferredUntil ? delivery.deliveredAt.toISOString() : null,
    deferredUntil: delivery?.deferredUntil?.toISOString() ?? null,
    late: delivery ? delivery.late : false,
  };
}

/** The soonest fire time among reminders still to fire. */
export function nextReminderAt(task: Task, deliveries: Delivery[]): string | null {
  if (task.status !== 'OPEN') return null;
  const upcoming = task.reminders
    .map((r) => presentReminder(r, task, deliveries))
    .filter((r) => r.state === 'PENDING' || r.state === 'SNOOZED')
    .map((r) => r.fireAt!)
    .sort();
  return upcoming[0] ?? null;
}
