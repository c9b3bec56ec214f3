import type { EventData } from './events.js';
import type { TaskId } from './ids.js';
import { quietHoursEnd, type QuietHours } from './quiet-hours.js';
import { fireAtOf } from './reminder.js';
import type { Task } from './task.js';
import { NotificationPreferences } from './user.js';

/**
 * `sent`: delivered now (`late` if after its time, within the grace period); `missed`: its time
 * passed beyond the grace period, so it was recorded instead of sent; `deferred`: it came due in
 * the user's quiet hours and waits for their digest; `duplicate`: an earlier attempt delivered
 * it; `skipped`: the task is no longer open, or the reminder no longer fires at that time
 * (removed, dismissed, moved) and the workflow's state is behind; `muted`: the task is muted, so
 * it was recorded and sent to no channel (the workflow sends e-mail and webhook only after
 * `sent` or `late`, so no workflow change was needed for it).
 */
export type DeliveryOutcome =
  'sent' | 'late' | 'missed' | 'deferred' | 'duplicate' | 'skipped' | 'muted';

/** The reminder firing the workflow asks for. */
export interface ReminderDue {
  taskId: TaskId;
  userId: string;
  reminderId: string;
  fireAt: Date;
}

/** What the delivery transaction read before deciding, all under the firing's key. */
export interface DeliveryFacts {
  /** The task as stored now; undefined once deleted. */
  task: Pick<Task, 'userId' | 'status' | 'title' | 'dueAt' | 'muted' | 'reminders'> | undefined;
  /** A deferral already recorded under the key (quiet hours), settled once its digest ran. */
  deferral: { deferredUntil: Date; settledAt: Date | null } | undefined;
  /** A firing already recorded under the key, with an in-app notification or without. */
  fired: boolean;
  settings: {
    timeZone: string;
    quietHours: QuietHours | null;
    notificationPreferences: unknown;
  };
}

export interface DeliveryThresholds {
  /** A reminder later than this (after an outage) is recorded as missed, not sent. */
  graceMs: number;
  /** A reminder later than this is marked late. */
  lateAfterMs: number;
}

/** The firing to record: a notification row when `inApp`, else a silent firing. */
export interface FiringRecord {
  inApp: boolean;
  late: boolean;
  missed: boolean;
  muted: boolean;
}

export type FiringEvent =
  | { type: 'reminder.fired'; data: EventData<'reminder.fired'> }
  | { type: 'reminder.missed'; data: EventData<'reminder.missed'> };

/**
 * What the delivery writes: nothing (`skipped`, `duplicate`, or a deferral already recorded);
 * a deferral until the end of quiet hours (`record`: a new one), after which the digest for
 * `until` is scheduled; or a firing and its event, in one transaction, unless another attempt
 * recorded the key first (then the outcome is `duplicate` and no event is written).
 */
export type DeliveryDecision =
  | { kind: 'none'; outcome: 'skipped' | 'duplicate' }
  | { kind: 'defer'; outcome: 'deferred'; until: Date; record: boolean }
  | {
      kind: 'fire';
      outcome: 'sent' | 'late' | 'missed' | 'muted';
      firing: FiringRecord;
      event: FiringEvent;
    };

/**
 * Decides a reminder's delivery from the rows read for it. Pure: the same facts at the same
 * `now` give the same decision, so a retried attempt decides as the first did unless the first
 * committed, and then the facts show it (deferral or firing under the key).
 *
 * The rows decide, not the workflow's copy of the task: whether the reminder still fires at
 * this time, the mute (before quiet hours and the grace period: a muted reminder goes nowhere
 * in any case) and inApp (off: recorded without a notification row, while the workflow still
 * sends e-mail and webhook).
 */
export function decideDelivery(
  due: ReminderDue,
  facts: DeliveryFacts,
  now: Date,
  { graceMs, lateAfterMs }: DeliveryThresholds,
): DeliveryDecision {
  const { task } = facts;
  if (!task || task.userId !== due.userId || task.status !== 'OPEN')
    return { kind: 'none', outcome: 'skipped' };
  const reminder = task.reminders.find((r) => r.id === due.reminderId);
  if (
    !reminder ||
    reminder.dismissedAt ||
    fireAtOf(reminder, task.dueAt)?.getTime() !== due.fireAt.getTime()
  ) {
    return { kind: 'none', outcome: 'skipped' };
  }
  if (facts.deferral) {
    if (facts.deferral.settledAt) return { kind: 'none', outcome: 'duplicate' };
    return {
      kind: 'defer',
      outcome: 'deferred',
      until: facts.deferral.deferredUntil,
      record: false,
    };
  }
  // Either table: inApp (or the mute) may have changed between two attempts.
  if (facts.fired) return { kind: 'none', outcome: 'duplicate' };

  const lateness = now.getTime() - due.fireAt.getTime();
  const missed = lateness > graceMs;
  const late = lateness > lateAfterMs;
  const what = {
    taskId: due.taskId,
    reminderId: due.reminderId,
    title: task.title,
    fireAt: due.fireAt.toISOString(),
  };
  if (task.muted) {
    return {
      kind: 'fire',
      outcome: 'muted',
      firing: { inApp: false, late, missed, muted: true },
      event: {
        type: 'reminder.fired',
        data: { ...what, firedAt: now.toISOString(), late, inApp: false, muted: true },
      },
    };
  }
  const { settings } = facts;
  const quietUntil =
    !missed && settings.quietHours
      ? quietHoursEnd(now, settings.timeZone, settings.quietHours)
      : null;
  if (quietUntil) return { kind: 'defer', outcome: 'deferred', until: quietUntil, record: true };

  const { inApp } = NotificationPreferences.parse(settings.notificationPreferences);
  const firing = { inApp, late, missed, muted: false };
  // Only the exception is marked: events of users with inApp on read as they always did.
  const silent = inApp ? {} : { inApp: false };
  if (missed) {
    return {
      kind: 'fire',
      outcome: 'missed',
      firing,
      event: {
        type: 'reminder.missed',
        data: { ...what, recordedAt: now.toISOString(), ...silent },
      },
    };
  }
  return {
    kind: 'fire',
    outcome: late ? 'late' : 'sent',
    firing,
    event: {
      type: 'reminder.fired',
      data: { ...what, firedAt: now.toISOString(), late, ...silent },
    },
  };
}
