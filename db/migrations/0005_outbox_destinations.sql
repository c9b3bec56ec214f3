-- An outbox row has two independent destinations: the Temporal signals its event implies, and
-- the Dapr publish. Each is delivered, retried and locked on its own row here, so a Dapr or
-- Kafka outage never holds back a reminder's signal, and a Temporal outage never holds back the
-- audit log or live updates.
CREATE TABLE outbox_deliveries (
  event_id        uuid NOT NULL REFERENCES outbox (id),
  destination     text NOT NULL CHECK (destination IN ('signal', 'publish')),
  position        bigint NOT NULL,   -- the event's outbox position: delivery order
  subject         uuid NOT NULL,     -- the event's task: delivery is ordered per subject
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  delivered_at    timestamptz,
  PRIMARY KEY (event_id, destination)
);
CREATE INDEX outbox_deliveries_pending ON outbox_deliveries (destination, position) WHERE delivered_at IS NULL;
CREATE INDEX outbox_deliveries_subject ON outbox_deliveries (destination, subject, position) WHERE delivered_at IS NULL;

-- Every event is owed to both destinations from the moment it is written.
CREATE FUNCTION outbox_owe_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO outbox_deliveries (event_id, destination, position, subject)
  VALUES (NEW.id, 'signal', NEW.position, NEW.subject), (NEW.id, 'publish', NEW.position, NEW.subject);
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_owes_deliveries AFTER INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_owe_deliveries();

INSERT INTO outbox_deliveries (event_id, destination, position, subject, attempts, next_attempt_at, last_error, delivered_at)
SELECT id, d, position, subject, attempts, next_attempt_at, last_error, delivered_at
FROM outbox, unnest(ARRAY['signal', 'publish']) AS d;

DROP INDEX outbox_pending;
ALTER TABLE outbox DROP COLUMN attempts, DROP COLUMN next_attempt_at, DROP COLUMN last_error, DROP COLUMN delivered_at;
