-- One database role per service, so a service can touch only what it owns: the api and the
-- worker the public schema's tables (rows only: no DDL, no TRUNCATE, not schema_migrations),
-- the audit service only the audit schema (SELECT and INSERT: its log is append-only).
-- Migrations keep running as the owner. Role names are cluster-wide, so each is created only if
-- absent, and NOLOGIN: whoever deploys gives it LOGIN and a password (the local stack does so
-- at every start, stack/components.ts), which keeps passwords out of the schema's history.
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['tickler_api', 'tickler_worker', 'tickler_audit'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', r);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- a migration of another database on the same server created it meanwhile
      END;
    END IF;
  END LOOP;
END $$;

GRANT USAGE ON SCHEMA public TO tickler_api, tickler_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tickler_api, tickler_worker;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tickler_api, tickler_worker;
REVOKE ALL ON schema_migrations FROM tickler_api, tickler_worker;

REVOKE ALL ON SCHEMA audit FROM PUBLIC;
GRANT USAGE ON SCHEMA audit TO tickler_audit;
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA audit TO tickler_audit;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA audit TO tickler_audit;

-- Tables later migrations create (as the owner) get the same grants without repeating them.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tickler_api, tickler_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO tickler_api, tickler_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA audit GRANT SELECT, INSERT ON TABLES TO tickler_audit;
ALTER DEFAULT PRIVILEGES IN SCHEMA audit GRANT USAGE ON SEQUENCES TO tickler_audit;
