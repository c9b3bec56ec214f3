// The keys that name one firing of a reminder, built here only. Both outlive the code that
// writes them (carried across continue-as-new, stored, sent to webhooks as Idempotency-Key), so
// their formats never change. No imports: the reminder workflow's bundle includes this file.

/**
 * `<reminderId>@<fireAt>`: a firing within its task, as the reminder workflow records what has
 * fired (ReminderCarry.fired). `fireAt` is kept exactly as the workflow received it.
 */
export const firingKey = (reminderId: string, fireAt: string): string => `${reminderId}@${fireAt}`;

/**
 * `<taskId>:<reminderId>:<fireAt in UTC, ISO-8601>`: the idempotency key of a reminder's delivery,
 * for the notification row and each channel (e-mail, webhook).
 */
export const deliveryKey = (taskId: string, reminderId: string, fireAt: Date | string): string =>
  `${taskId}:${reminderId}:${new Date(fireAt).toISOString()}`;

/** `digest:<digestId>`: the idempotency key of a quiet-hours digest's delivery to the channels. */
export const digestDeliveryKey = (digestId: string): string => `digest:${digestId}`;
