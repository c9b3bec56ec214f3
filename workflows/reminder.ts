import {
  condition,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { ChannelActivities } from '../activities/channels.js';
import type { ReminderActivities } from '../activities/reminders.js';
import {
  completeSignal,
  deleteSignal,
  type ReminderSpec,
  type ReminderState,
  type ReminderWorkflowInput,
  reopenSignal,
  rescheduleSignal,
} from './reminder-contract.js';
import { channelDelivery, untilDone } from './activity-options.js';
import { NextFireAtKey, TaskStateKey } from './search-attributes.js';

const { deliverReminder } = proxyActivities<ReminderActivities>(untilDone);
const { deliverToChannels } = proxyActivities<ChannelActivities>(channelDelivery);

const fireKey = (r: ReminderSpec): string => `${r.id}@${r.fireAt}`;

/**
 * One per task with reminders (id `reminder:<taskId>`). Sleeps until the next reminder is due
 * with a timer that any signal interrupts, delivers it through an activity, and loops. It ends
 * when nothing is left to fire; a later signalWithStart starts it afresh.
 */
export async function reminderWorkflow(input: ReminderWorkflowInput): Promise<void> {
  let state: ReminderState = { version: 0, title: '', reminders: [] };
  let open = true;
  let deleted = false;
  let changed = false;
  const fired = new Set<string>();

  const accept = (next: ReminderState): void => {
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

  for (;;) {
    const next = open && !deleted ? pendingReminders(state, fired)[0] : undefined;
    upsertSearchAttributes([
      { key: TaskStateKey, value: deleted ? 'DELETED' : open ? 'OPEN' : 'COMPLETED' },
      { key: NextFireAtKey, value: next ? new Date(next.fireAt) : null },
    ]);
    if (!next) return;

    changed = false;
    const waitMs = Date.parse(next.fireAt) - Date.now();
    if (waitMs > 0 && (await condition(() => changed, waitMs))) continue;

    const delivery = {
      taskId: input.taskId,
      userId: input.userId,
      reminderId: next.id,
      fireAt: next.fireAt,
    };
    const outcome = await deliverReminder(delivery);
    log.info('reminder delivered', { taskId: input.taskId, reminderId: next.id, outcome });
    // patched(): histories recorded before e-mail and webhooks existed replay without this step.
    if ((outcome === 'sent' || outcome === 'late') && patched('channels-v1')) {
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

function pendingReminders(state: ReminderState, fired: Set<string>): ReminderSpec[] {
  return state.reminders
    .filter((r) => !fired.has(fireKey(r)))
    .sort((a, b) => Date.parse(a.fireAt) - Date.parse(b.fireAt));
}
