-- A delivery that can never succeed (its event is unreadable, or the receiver refused it as
-- malformed) is quarantined instead of being retried forever: it stops being claimed, it no
-- longer holds back its subject's later events, and `last_error` keeps the reason. Outages are
-- never a reason: those rows wait and retry, however long it takes.
-- To retry one after a fix: UPDATE outbox_deliveries SET quarantined_at = NULL,
--   next_attempt_at = now() WHERE event_id = '<id>' AND destination = '<destination>';
ALTER TABLE outbox_deliveries ADD COLUMN quarantined_at timestamptz;

DROP INDEX outbox_deliveries_pending;
DROP INDEX outbox_deliveries_subject;
CREATE INDEX outbox_deliveries_pending ON outbox_deliveries (destination, position)
  WHERE delivered_at IS NULL AND quarantined_at IS NULL;
CREATE INDEX outbox_deliveries_subject ON outbox_deliveries (destination, subject, position)
  WHERE delivered_at IS NULL AND quarantined_at IS NULL;
CREATE INDEX outbox_deliveries_quarantined ON outbox_deliveries (destination, quarantined_at)
  WHERE quarantined_at IS NOT NULL;
