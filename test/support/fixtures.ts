import type { TaskSnapshotV1 } from '../../domain/events.js';
import type { TaskId } from '../../domain/ids.js';

/** A task snapshot as events carry it, with the fields a test cares about overridden. */
export const snapshot = (overrides: Partial<TaskSnapshotV1> & { id: TaskId }): TaskSnapshotV1 => ({
  title: 'a task',
  description: '',
  priority: 'NONE',
  tags: [],
  status: 'OPEN',
  dueAt: null,
  allDay: false,
  muted: false,
  reminders: [],
  completedAt: null,
  seriesId: null,
  version: 1,
  ...overrides,
});
