-- The full task model (issue: tasks and the GraphQL API): description, priority, tags, all-day
-- due dates, completion, series membership, client idempotency keys, and search.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- btree_gin lets one GIN index hold (user_id, search vector): a search never scans other
-- users' tasks, which matters at a million tasks.
CREATE EXTENSION IF NOT EXISTS btree_gin;

ALTER TABLE users
  ADD COLUMN default_reminder_offset_ms bigint DEFAULT 1800000
    CHECK (default_reminder_offset_ms BETWEEN 0 AND 31622400000),
  ADD COLUMN notification_preferences jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

ALTER TABLE tasks
  ADD COLUMN description      text NOT NULL DEFAULT '' CHECK (char_length(description) <= 10000),
  ADD COLUMN priority         smallint NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 4),
  ADD COLUMN tags             text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
  ADD COLUMN tag_keys         text[] NOT NULL DEFAULT '{}',
  ADD COLUMN all_day          boolean NOT NULL DEFAULT false,
  ADD COLUMN completed_at     timestamptz,
  ADD COLUMN series_id        uuid,
  ADD COLUMN occurrence_start timestamptz,
  ADD COLUMN idempotency_key  text CHECK (char_length(idempotency_key) BETWEEN 1 AND 200),
  ADD COLUMN search           tsvector NOT NULL DEFAULT ''::tsvector;

-- Derived columns, kept by the database so no writer can forget them: lower-cased tags for
-- case-insensitive filters, and the weighted search vector (title and tags above description).
-- 'simple' configuration: no stemming, so it behaves the same in every language.
CREATE FUNCTION tasks_derive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.tag_keys := ARRAY(SELECT lower(t) FROM unnest(NEW.tags) AS t);
  NEW.search := setweight(to_tsvector('simple', NEW.title), 'A')
             || setweight(to_tsvector('simple', array_to_string(NEW.tags, ' ')), 'A')
             || setweight(to_tsvector('simple', NEW.description), 'B');
  RETURN NEW;
END $$;
CREATE TRIGGER tasks_derive BEFORE INSERT OR UPDATE OF title, description, tags ON tasks
  FOR EACH ROW EXECUTE FUNCTION tasks_derive();
UPDATE tasks SET title = title;

-- One index per sort order, each ending in id: keyset pagination walks them without sorting.
DROP INDEX tasks_by_user;
CREATE INDEX tasks_user_created  ON tasks (user_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tasks_user_updated  ON tasks (user_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tasks_user_due      ON tasks (user_id, due_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tasks_user_priority ON tasks (user_id, priority, id) WHERE deleted_at IS NULL;
CREATE INDEX tasks_user_title    ON tasks (user_id, lower(title), id) WHERE deleted_at IS NULL;
CREATE INDEX tasks_user_search   ON tasks USING gin (user_id, search) WHERE deleted_at IS NULL;
CREATE INDEX tasks_user_tags     ON tasks USING gin (user_id, tag_keys) WHERE deleted_at IS NULL;
-- Substring matches on titles ("lant" finds "plants"), where word prefixes are not enough.
CREATE INDEX tasks_user_title_trgm ON tasks USING gin (user_id, lower(title) gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX tasks_idempotency ON tasks (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX tasks_series ON tasks (series_id, occurrence_start) WHERE series_id IS NOT NULL;
