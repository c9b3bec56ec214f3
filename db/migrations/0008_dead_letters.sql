-- Events no consumer could ever process (malformed, unknown type or version) are dropped by
-- their consumer and forwarded by Dapr to the dead-letters topic; the audit service keeps each
-- one here, so nothing vanishes silently and an operator can inspect or replay it.

CREATE TABLE audit.dead_letters (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The CloudEvent id Dapr gave the dead-lettered message: redelivery keeps one row.
  message_id  text NOT NULL UNIQUE,
  topic       text,
  received_at timestamptz NOT NULL DEFAULT now(),
  message     jsonb NOT NULL
);
