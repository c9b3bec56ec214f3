-- Quiet hours (issue: reminders): a daily window in the user's time zone during which reminders
-- are held back; whatever was held back goes out as one digest when the window ends.

ALTER TABLE users
  ADD COLUMN quiet_start_minute smallint CHECK (quiet_start_minute BETWEEN 0 AND 1439),
  ADD COLUMN quiet_end_minute   smallint CHECK (quiet_end_minute BETWEEN 0 AND 1439),
  ADD CONSTRAINT quiet_hours_whole CHECK (
    (quiet_start_minute IS NULL) = (quiet_end_minute IS NULL)
    AND (quiet_start_minute IS NULL OR quiet_start_minute <> quiet_end_minute));

-- One digest: the reminders held back in one quiet window, delivered together.
CREATE TABLE digests (
  id           uuid PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users (id),
  -- The end of the quiet window it closes.
  window_end   timestamptz NOT NULL,
  delivered_at timestamptz NOT NULL DEFAULT now()
);

-- A reminder that came due in quiet hours. The key is the notification's
-- (<taskId>:<reminderId>:<fireAt>), so a retried delivery finds it. `settled_at` is set when it
-- went out in a digest (`digest_id`) or was dropped because its task or reminder changed.
CREATE TABLE deferred_reminders (
  idempotency_key text PRIMARY KEY,
  user_id         text NOT NULL REFERENCES users (id),
  task_id         uuid NOT NULL REFERENCES tasks (id),
  reminder_id     text NOT NULL,
  fire_at         timestamptz NOT NULL,
  deferred_until  timestamptz NOT NULL,
  deferred_at     timestamptz NOT NULL DEFAULT now(),
  digest_id       uuid REFERENCES digests (id),
  settled_at      timestamptz,
  dropped_reason  text
);
CREATE INDEX deferred_reminders_pending ON deferred_reminders (user_id, deferred_until)
  WHERE settled_at IS NULL;
CREATE INDEX deferred_reminders_by_task ON deferred_reminders (task_id);

ALTER TABLE notifications ADD COLUMN digest_id uuid REFERENCES digests (id);
