/**
 * Per-user limits on what a user may keep: far above what a person uses (Todoist's own caps
 * are in the hundreds of projects and thousands of tasks), low enough that one account cannot
 * fill the database or make every list and count query slow for itself.
 */
export interface Quotas {
  /** Open (not completed, not deleted) tasks, occurrences of series included. */
  openTasks: number;
  /** Series that still run (active or paused); stopped and ended ones do not count. */
  series: number;
  /** Reminders on one task. */
  remindersPerTask: number;
}

export const DEFAULT_QUOTAS: Quotas = {
  openTasks: 10_000,
  series: 500,
  remindersPerTask: 20,
};
