"""PostgreSQL: move the tsvectors out of the document table into a narrow table of their own.

A broad query (测绘: one agency in nine) makes the GIN bitmap heap scan visit every heap page that
holds a match. On the wide document table (titles, summaries, token text, two vectors) that was a
third of the table's pages, often outside shared_buffers; the narrow table has about a hundred rows
per page, with the vectors themselves in TOAST, which a scan never reads (no recheck for plain term
queries). The vectors follow the documents through statement-level triggers with transition tables,
so bulk indexing stays one statement per batch. SQLite is unchanged (FTS5 already is such a table).
"""

from django.db import migrations

TABLE = "marketplace_search_vector"
DOC = "marketplace_searchdocument"
PRIMARY = "to_tsvector('simple', coalesce({r}.tokens_primary, ''))"
# 'simple' only lower-cases: the text is already segmented by jieba. Name-like tokens weigh A.
ALL = ("setweight(to_tsvector('simple', coalesce({r}.tokens_primary, '')), 'A') "
       "|| setweight(to_tsvector('simple', coalesce({r}.tokens_body, '')), 'B')")


def _upsert(source: str) -> str:
    return (f"INSERT INTO {TABLE} (document_id, search_vector, primary_vector) "
            f"SELECT r.id, {ALL.format(r='r')}, {PRIMARY.format(r='r')} FROM {source} r "
            "ON CONFLICT (document_id) DO UPDATE SET search_vector = EXCLUDED.search_vector, "
            "primary_vector = EXCLUDED.primary_vector")


FORWARD = [
    f"""CREATE TABLE {TABLE} (
        document_id bigint PRIMARY KEY,
        search_vector tsvector NOT NULL,
        primary_vector tsvector NOT NULL
    ) WITH (toast_tuple_target = 128)""",
    f"""CREATE FUNCTION {TABLE}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE {TABLE};
        ELSIF TG_OP = 'DELETE' THEN
            DELETE FROM {TABLE} v USING old_rows o WHERE v.document_id = o.id;
        ELSE
            {_upsert('new_rows')};
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER {TABLE}_ai AFTER INSERT ON {DOC} REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_sync()""",
    f"""CREATE TRIGGER {TABLE}_au AFTER UPDATE ON {DOC} REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_sync()""",
    f"""CREATE TRIGGER {TABLE}_ad AFTER DELETE ON {DOC} REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_sync()""",
    f"""CREATE TRIGGER {TABLE}_at AFTER TRUNCATE ON {DOC}
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_sync()""",
    _upsert(DOC),
    f"CREATE INDEX {TABLE}_all_gin ON {TABLE} USING gin (search_vector)",
    f"CREATE INDEX {TABLE}_primary_gin ON {TABLE} USING gin (primary_vector)",
    "DROP INDEX IF EXISTS marketplace_search_primary_gin",
    f"ALTER TABLE {DOC} DROP COLUMN IF EXISTS primary_vector",
    "DROP INDEX IF EXISTS marketplace_search_vector_gin",
    f"ALTER TABLE {DOC} DROP COLUMN IF EXISTS search_vector",
    f"ANALYZE {TABLE}",
]
BACKWARD = [
    f"""ALTER TABLE {DOC} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(tokens_primary, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(tokens_body, '')), 'B')) STORED""",
    f"CREATE INDEX marketplace_search_vector_gin ON {DOC} USING gin (search_vector)",
    f"""ALTER TABLE {DOC} ADD COLUMN primary_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(tokens_primary, ''))) STORED""",
    f"CREATE INDEX marketplace_search_primary_gin ON {DOC} USING gin (primary_vector)",
    f"DROP TRIGGER IF EXISTS {TABLE}_at ON {DOC}",
    f"DROP TRIGGER IF EXISTS {TABLE}_ad ON {DOC}",
    f"DROP TRIGGER IF EXISTS {TABLE}_au ON {DOC}",
    f"DROP TRIGGER IF EXISTS {TABLE}_ai ON {DOC}",
    f"DROP FUNCTION IF EXISTS {TABLE}_sync()",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0003_search_index")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
