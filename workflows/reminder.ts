import {
  allHandlersFinished,
  condition,
  log,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ChannelActivities } from '../activities/channels.js';
import type { FireActivities } from '../activities/fire-reminder.js';
import type { ReminderActivities } from '../activities/reminders.js';
import {
  completeSignal,
  deleteSignal,
  type ReminderCarry,
  type ReminderSpec,
  type ReminderSchedule,
  type ReminderWorkflowInput,
  reopenSignal,
  rescheduleSignal,
} from './reminder-contract.js';
import { channelDelivery, untilDone, untilDoneLocal } from './activity-options.js';
import { NextFireAtKey, TaskStateKey } from './search-attributes.js';
import { firingKey } from '../domain/reminder-keys.js';
import {
  DELIVER_REMINDER_SUMMARY,
  DELIVER_TO_CHANNELS_SUMMARY,
  reminderCurrentDetails,
  reminderTimerSummary,
} from './summaries.js';

const { deliverReminder } = proxyActivities<ReminderActivities>({
  ...untilDone,
  summary: DELIVER_REMINDER_SUMMARY,
});
const { fireReminder } = proxyLocalActivities<FireActivities>({
  ...untilDoneLocal,
  summary: DELIVER_REMINDER_SUMMARY,
});
const { deliverToChannels } = proxyActivities<ChannelActivities>({
  ...channelDelivery,
  summary: DELIVER_TO_CHANNELS_SUMMARY,
});

const fireKey = (r: ReminderSpec): string => firingKey(r.id, r.fireAt);

/**
 * A run continues as new once its history reaches this many events (or bytes), or when the
 * server suggests it (by default at 4 Ki events / 4 MiB), whichever comes first. Our own bound
 * is far below Temporal's hard limits (50 Ki events / 50 MiB) and does not depend on how a
 * server is configured. 500 events is about 70 edits sent one at a time (7 events each), so most
 * tasks never get there; and whenever the worker must replay a run (evicted from its cache, or
 * a close the server refused because a signal came in meanwhile) it replays at most about this
 * much: a shorter replay leaves a stream of signals less time to get in the way of the next try.
 */
export const HISTORY_EVENTS_LIMIT = 500;
export const HISTORY_BYTES_LIMIT = 1024 * 1024;

/**
 * One per task with reminders (id `reminder:<taskId>`). Sleeps until the next reminder is due
 * with a timer that any signal interrupts, delivers it through an activity, and loops. It ends
 * when nothing is left to fire; a later signalWithStart starts it afresh. A task edited very
 * often continues as new before its history grows large, carrying its state to the next run.
 */
export async function reminderWorkflow(input: ReminderWorkflowInput): Promise<void> {
  let state: ReminderSchedule = input.carried?.state ?? { version: 0, title: '', reminders: [] };
  let open = true;
  let deleted = false;
  let changed = false;
  const fired = new Set<string>(input.carried?.fired);

  const accept = (next: ReminderSchedule): void => {
    // Signals can be redelivered or overtaken; an older version of the task never wins.
    if (next.version < state.version) return;
    state = next;
    changed = true;
  };
  setHandler(rescheduleSignal, accept);
  setHandler(reopenSignal, (next) => {
    accept(next);
    if (next.version >= state.version) open = true;
  });
  setHandler(completeSignal, ({ version }) => {
    if (version < state.version) return;
    state = { ...state, version };
    open = false;
    changed = true;
  });
  setHandler(deleteSignal, () => {
    deleted = true;
    changed = true;
  });

  // A fire in one workflow task (issue 14): deliverReminder as a local activity that also says
  // whether e-mail/webhook delivery follows, and search attributes written only when they change
  // (the relay starts the workflow with both set). Decided once per run: a run recorded before
  // this existed (no marker) replays as it ran, with an activity task per step.
  const oneTaskFire = patched('one-task-fire-v1');
  const shown = {
    state: workflowInfo().typedSearchAttributes.get(TaskStateKey),
    nextFireAt: workflowInfo().typedSearchAttributes.get(NextFireAtKey)?.getTime(),
  };
  const show = (taskState: string, nextFireAt: Date | null): void => {
    if (oneTaskFire && taskState === shown.state && nextFireAt?.getTime() === shown.nextFireAt)
      return;
    upsertSearchAttributes([
      { key: TaskStateKey, value: taskState },
      { key: NextFireAtKey, value: nextFireAt },
    ]);
    shown.state = taskState;
    shown.nextFireAt = nextFireAt?.getTime();
  };

  for (;;) {
    const pending = open && !deleted ? pendingReminders(state, fired) : [];
    const next = pending[0];
    const taskState = deleted ? 'DELETED' : open ? 'OPEN' : 'COMPLETED';
    show(taskState, next ? new Date(next.fireAt) : null);
    // What the web UI shows of this run now (no command: replays as before).
    setCurrentDetails(reminderCurrentDetails(state.title, taskState, next, pending.length));
    if (!next) return;

    // A safe point: no activity is in flight and every signal received so far has been applied.
    // A signal that arrives while this run closes makes the server refuse the continue-as-new;
    // the run then applies it and comes back here, so the next run's input includes it.
    // patched(): a run recorded before this existed, already past the limit, replays as it ran.
    if (historyIsLong() && patched('continue-as-new-v1')) {
      await condition(allHandlersFinished);
      return continueAsNew({ ...input, carried: carry(state, fired) });
    }

    changed = false;
    const waitMs = Date.parse(next.fireAt) - Date.now();
    const timer = { summary: reminderTimerSummary(next) };
    if (waitMs > 0 && (await condition(() => changed, waitMs, timer))) continue;

    const delivery = {
      taskId: input.taskId,
      userId: input.userId,
      reminderId: next.id,
      fireAt: next.fireAt,
    };
    let outcome: string;
    let channels: boolean;
    if (oneTaskFire) {
      ({ outcome, channels } = await fireReminder(delivery));
    } else {
      outcome = await deliverReminder(delivery);
      // patched(): histories recorded before e-mail and webhooks existed replay without this step.
      channels = (outcome === 'sent' || outcome === 'late') && patched('channels-v1');
    }
    log.info('reminder delivered', { taskId: input.taskId, reminderId: next.id, outcome });
    if (channels) {
      try {
        await deliverToChannels(delivery);
      } catch (err) {
        log.warn('gave up delivering to e-mail/webhook', {
          taskId: input.taskId,
          reminderId: next.id,
          error: String(err),
        });
      }
    }
    fired.add(fireKey(next));
  }
}

function historyIsLong(): boolean {
  const { continueAsNewSuggested, historyLength, historySize } = workflowInfo();
  return (
    continueAsNewSuggested ||
    historyLength >= HISTORY_EVENTS_LIMIT ||
    historySize >= HISTORY_BYTES_LIMIT
  );
}

/**
 * The next run gets the state and what of it already fired. A fired key no longer in the state
 * is dropped, so the input stays as small as the reminder set: should a newer version bring that
 * very reminder back, the delivery activity's idempotency key still refuses a second notification.
 */
function carry(state: ReminderSchedule, fired: Set<string>): ReminderCarry {
  return { state, fired: state.reminders.map(fireKey).filter((key) => fired.has(key)) };
}

/** Memo (the title) and search attributes (user, task) go with the workflow into its next run. */
function continueAsNew(input: ReminderWorkflowInput): Promise<never> {
  const { memo, typedSearchAttributes } = workflowInfo();
  return makeContinueAsNewFunc<typeof reminderWorkflow>({ memo, typedSearchAttributes })(input);
}

function pendingReminders(state: ReminderSchedule, fired: Set<string>): ReminderSpec[] {
  return state.reminders
    .filter((r) => !fired.has(fireKey(r)))
    .sort((a, b) => Date.parse(a.fireAt) - Date.parse(b.fireAt));
}
