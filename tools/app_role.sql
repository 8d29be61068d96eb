-- The application's database role: reads and writes rows, owns nothing (docs/operations.md).
-- Run as the owner after every `migrate` (new tables need the grants too). Without ownership the
-- role cannot ALTER TABLE ... DISABLE TRIGGER, drop the audit triggers or TRUNCATE.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'zjcs_app') THEN
        CREATE ROLE zjcs_app LOGIN PASSWORD 'zjcs_app' NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;
GRANT CONNECT, TEMPORARY ON DATABASE :"DBNAME" TO zjcs_app;
GRANT USAGE ON SCHEMA public TO zjcs_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO zjcs_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO zjcs_app;
