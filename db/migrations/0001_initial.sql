-- Users are created on first use; `event_sequence` is the per-user monotonic counter stamped on
-- every event, so a client can resume its stream from the last sequence it saw.
CREATE TABLE users (
  id             text PRIMARY KEY,
  time_zone      text NOT NULL DEFAULT 'UTC',
  event_sequence bigint NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tasks (
  id               uuid PRIMARY KEY,
  user_id          text NOT NULL REFERENCES users (id),
  title            text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500),
  status           text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'COMPLETED')),
  due_at           timestamptz,
  remind_before_ms bigint CHECK (remind_before_ms >= 0),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  version          integer NOT NULL DEFAULT 1,
  deleted_at       timestamptz
);
CREATE INDEX tasks_by_user ON tasks (user_id, created_at DESC, id) WHERE deleted_at IS NULL;

-- The transactional outbox: a mutation commits its change and its event together; the relay
-- delivers the event afterwards (Temporal signals, Dapr publish) at least once.
CREATE TABLE outbox (
  id              uuid PRIMARY KEY,             -- the event id
  position        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  topic           text NOT NULL,
  subject         uuid NOT NULL,                -- the task id: delivery is ordered per subject
  event           jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  delivered_at    timestamptz
);
CREATE INDEX outbox_pending ON outbox (position) WHERE delivered_at IS NULL;

-- Wake the relay at commit time instead of making it poll fast.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- A delivered reminder. The unique idempotency key (<taskId>:<reminderId>:<fireAt>) is what
-- makes a retried delivery activity harmless.
CREATE TABLE notifications (
  id              uuid PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  user_id         text NOT NULL REFERENCES users (id),
  task_id         uuid NOT NULL REFERENCES tasks (id),
  reminder_id     text NOT NULL,
  fire_at         timestamptz NOT NULL,
  delivered_at    timestamptz NOT NULL DEFAULT now(),
  read_at         timestamptz
);
CREATE INDEX notifications_by_user ON notifications (user_id, delivered_at DESC);

-- The audit service's immutable log. It lives in its own schema: only the audit service reads
-- or writes it; the api asks the audit service, never these tables.
CREATE SCHEMA audit;
CREATE TABLE audit.events (
  event_id    uuid PRIMARY KEY,
  user_id     text NOT NULL,
  subject     uuid NOT NULL,
  type        text NOT NULL,
  sequence    bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  event       jsonb NOT NULL
);
CREATE INDEX audit_events_by_user ON audit.events (user_id, sequence);
CREATE INDEX audit_events_by_subject ON audit.events (subject, occurred_at);

-- Immutability is enforced by the database itself, not by the service's good manners.
CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit.events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_events_immutable BEFORE UPDATE OR DELETE ON audit.events
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit.events
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
