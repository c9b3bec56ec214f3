-- Issue 12: a per-task mute, and the inApp preference honoured.
--
-- A muted task keeps its reminders and their schedule; a reminder that comes due while it is
-- muted goes to no channel. Unmuting lets the next one through.
ALTER TABLE tasks ADD COLUMN muted boolean NOT NULL DEFAULT false;

-- A reminder that fired without an in-app notification: its task was muted (`muted`: it went
-- nowhere), or the user's inApp preference was off (it went to e-mail and webhook only).
-- `notifications` stays what it has been to clients, the in-app inbox (listed, counted unread);
-- this table records the firing itself, under the same key (<taskId>:<reminderId>:<fireAt>),
-- so the reminder reads FIRED (or MUTED) and a retried delivery finds it was done.
CREATE TABLE silent_firings (
  idempotency_key text PRIMARY KEY,
  user_id         text NOT NULL REFERENCES users (id),
  task_id         uuid NOT NULL REFERENCES tasks (id),
  reminder_id     text NOT NULL,
  fire_at         timestamptz NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  late            boolean NOT NULL DEFAULT false,
  missed          boolean NOT NULL DEFAULT false,
  muted           boolean NOT NULL,
  -- Set when it came due in quiet hours and its digest closed the window.
  digest_id       uuid REFERENCES digests (id)
);
CREATE INDEX silent_firings_by_task ON silent_firings (task_id);
