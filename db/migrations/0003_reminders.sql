-- Reminders (issue: reminders as durable Temporal workflows): up to ten per task, each relative
-- to the due date or at an absolute instant, snoozable and dismissable. They replace the single
-- remind_before_ms of the first slice.

CREATE TABLE reminders (
  id            uuid PRIMARY KEY,
  -- Insertion order: a task's reminders are listed in the order they were added.
  seq           bigint GENERATED ALWAYS AS IDENTITY,
  task_id       uuid NOT NULL REFERENCES tasks (id),
  user_id       text NOT NULL REFERENCES users (id),
  -- Exactly one of: an offset from the due date (negative: before it), or an instant.
  offset_ms     bigint CHECK (offset_ms BETWEEN -31622400000 AND 31622400000),
  at            timestamptz,
  snoozed_until timestamptz,
  dismissed_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  -- When the reminder was last set (created, snoozed, or its due date moved): a fire time
  -- already past at that moment is not armed.
  armed_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((offset_ms IS NULL) <> (at IS NULL))
);
CREATE INDEX reminders_by_task ON reminders (task_id, seq);

INSERT INTO reminders (id, task_id, user_id, offset_ms, created_at, armed_at)
SELECT gen_random_uuid(), id, user_id, -remind_before_ms, created_at, updated_at
FROM tasks WHERE remind_before_ms IS NOT NULL;

ALTER TABLE tasks DROP COLUMN remind_before_ms;

-- Deliveries: `late` when it fired after its time (the system was down), `missed` when that was
-- beyond the grace period and it was recorded instead of sent.
ALTER TABLE notifications
  ADD COLUMN late   boolean NOT NULL DEFAULT false,
  ADD COLUMN missed boolean NOT NULL DEFAULT false;
CREATE INDEX notifications_by_reminder ON notifications (reminder_id, fire_at);
CREATE INDEX notifications_unread ON notifications (user_id, delivered_at DESC) WHERE read_at IS NULL;
