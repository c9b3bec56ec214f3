-- Issue 14: full-text search that reads only the searching user's index entries.
--
-- tasks_user_search was a GIN over (user_id, search) (btree_gin). A word prefix ("wate:*") is a
-- partial match, which GIN answers by collecting every matching entry of every user before it
-- intersects them with the user's: at a million tasks, 'wate:*' gathered about 330,000 rows to
-- keep the 33,000 of the user searching. The keys below put the owner in front of each lexeme
-- (first 8 hex digits of md5(user_id), then the lexeme), so the same prefix range holds only that
-- user's entries. Another user whose digits collide only adds rows that `user_id = …` removes.
ALTER TABLE tasks ADD COLUMN search_keys tsvector NOT NULL DEFAULT ''::tsvector;

CREATE FUNCTION task_search_owner(owner text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN left(md5(owner), 8) || '.';

-- The owner's prefixes of the words' lexemes ('simple' configuration, as the search vector),
-- ANDed: what `search @@ to_tsquery('simple', 'w1:* & w2:*')` asks, in the owner's key space.
CREATE FUNCTION task_search_query(owner text, words text[]) RETURNS tsquery
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (
    SELECT string_agg(format('%L:*', task_search_owner(owner) || v.lexeme), ' & ')::tsquery
    FROM unnest(words) AS w, unnest(to_tsvector('simple', w)) AS v);

CREATE OR REPLACE FUNCTION tasks_derive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.tag_keys := ARRAY(SELECT lower(t) FROM unnest(NEW.tags) AS t);
  NEW.search := setweight(to_tsvector('simple', NEW.title), 'A')
             || setweight(to_tsvector('simple', array_to_string(NEW.tags, ' ')), 'A')
             || setweight(to_tsvector('simple', NEW.description), 'B');
  NEW.search_keys := array_to_tsvector(
    ARRAY(SELECT task_search_owner(NEW.user_id) || lexeme FROM unnest(NEW.search)));
  RETURN NEW;
END $$;
UPDATE tasks SET title = title;

CREATE INDEX tasks_search_keys ON tasks USING gin (search_keys) WHERE deleted_at IS NULL;
DROP INDEX tasks_user_search;
