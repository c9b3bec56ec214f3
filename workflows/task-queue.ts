// The one task queue the worker polls: the reminder, digest and series workflows and all their
// activities run from it (they share one worker process and one set of connections).

/**
 * Keeps the name it had when it served reminders alone: workflows already running are bound to
 * it, and a new name would leave them with no worker.
 */
export const WORKER_TASK_QUEUE = 'tickler-reminders';
