-- Recurring series (issue: recurring series as durable Temporal workflows). A series is a task
-- template plus an RFC 5545 rule anchored at a local DTSTART in an IANA zone; its occurrences
-- are ordinary tasks carrying series_id and occurrence_start.

CREATE TABLE series (
  id                 uuid PRIMARY KEY,
  user_id            text NOT NULL REFERENCES users (id),
  -- The template every new occurrence is made from.
  title              text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500),
  description        text NOT NULL DEFAULT '' CHECK (char_length(description) <= 10000),
  priority           smallint NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 4),
  tags               text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
  -- Each occurrence's reminders, relative to its start (negative: before).
  reminder_offsets_ms bigint[] NOT NULL DEFAULT '{}' CHECK (cardinality(reminder_offsets_ms) <= 10),
  -- The rule: RRULE value, local DTSTART (YYYY-MM-DDTHH:MM:SS), zone, excluded instants.
  rrule              text NOT NULL,
  dtstart            text NOT NULL CHECK (dtstart ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$'),
  time_zone          text NOT NULL,
  exdates            timestamptz[] NOT NULL DEFAULT '{}',
  mode               text NOT NULL CHECK (mode IN ('FIXED', 'AFTER_COMPLETION')),
  state              text NOT NULL DEFAULT 'ACTIVE'
                       CHECK (state IN ('ACTIVE', 'PAUSED', 'STOPPED', 'ENDED')),
  -- A neglected FIXED series stops adding occurrences while this many past ones are open.
  max_open           smallint NOT NULL DEFAULT 3 CHECK (max_open BETWEEN 1 AND 50),
  -- How many future occurrences a FIXED series creates ahead of time.
  materialize_ahead  smallint NOT NULL DEFAULT 0 CHECK (materialize_ahead BETWEEN 0 AND 10),
  -- No occurrence starting before this is created (set on resume: no burst of missed ones).
  not_before         timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  version            integer NOT NULL DEFAULT 1
);
CREATE INDEX series_by_user ON series (user_id, created_at, id);

-- One task per (series, occurrence): the occurrence-creating activity relies on it to be
-- idempotent, whatever retries, redelivered signals or a killed worker do.
DROP INDEX tasks_series;
CREATE UNIQUE INDEX tasks_series_occurrence ON tasks (series_id, occurrence_start)
  WHERE series_id IS NOT NULL;
ALTER TABLE tasks ADD CONSTRAINT tasks_series_fk FOREIGN KEY (series_id) REFERENCES series (id);
