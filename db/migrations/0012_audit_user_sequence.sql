-- A user's events carry a contiguous per-user sequence (users.event_sequence, stamped in the
-- mutation's transaction): two different events with one (user_id, sequence) are a forgery or
-- a bug, never history. The log refuses the second (the audit service drops it to the
-- dead-letters topic) instead of keeping both and letting a replay read either.
DO $$
DECLARE
  dupes bigint;
BEGIN
  SELECT count(*) INTO dupes FROM (
    SELECT 1 FROM audit.events GROUP BY user_id, sequence HAVING count(*) > 1) d;
  -- The log is append-only (no UPDATE or DELETE): an operator decides what to do with them.
  IF dupes > 0 THEN
    RAISE EXCEPTION 'audit.events has % (user_id, sequence) pairs held by more than one event; resolve them before this migration', dupes;
  END IF;
END $$;

-- Its unique index serves the per-user reads the old index served.
ALTER TABLE audit.events
  ADD CONSTRAINT audit_events_user_sequence UNIQUE (user_id, sequence);
DROP INDEX audit.audit_events_by_user;
