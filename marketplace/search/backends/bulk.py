"""Inserting index rows in a fixed number of statements, whatever their count (database backend)."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from marketplace.models import SearchDocument


def insert_rows(model, objs: list) -> None:
    """Insert rows in a fixed number of statements whatever their count (the batched re-index's query
    count does not grow with the batch): one multi-row INSERT … RETURNING id on PostgreSQL, one
    executemany on SQLite (whose bulk_create splits at 999 parameters), ids read back by key."""
    if not objs:
        return
    if connection.vendor == "postgresql":
        model.objects.bulk_create(objs, batch_size=len(objs))
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for obj in objs:
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                setattr(obj, f.attname, timezone.now())
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    rows = [[f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields] for o in objs]
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})", rows)
    if model is SearchDocument:
        keys = {(o.kind, o.object_id): o for o in objs}
        kinds = sorted({k for k, _i in keys})
        found = SearchDocument.objects.filter(kind__in=kinds, object_id__in=sorted({i for _k, i in keys}))
        for pk, kind, object_id in found.values_list("pk", "kind", "object_id"):
            if (kind, object_id) in keys:
                keys[(kind, object_id)].pk = pk


def update_columns(kind: str, model, columns: dict[str, str], ids) -> int:
    """UPDATE the documents of these objects from their rows: document column = the model field named
    in `columns`, one statement per 5,000 ids. Returns the number of documents updated."""
    from marketplace.models import SearchDocument

    doc = SearchDocument._meta.db_table
    table = model._meta.db_table
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(col)} = COALESCE((SELECT r.{qn(model._meta.get_field(fld).column)} FROM {qn(table)} r "
                     f"WHERE r.{qn(model._meta.pk.column)} = {doc}.object_id), {qn(col)})"
                     for col, fld in columns.items())
    ids = sorted({int(i) for i in ids})
    done = 0
    with connection.cursor() as cur:
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            cur.execute(f"UPDATE {doc} SET {sets} WHERE kind = %s AND object_id IN ({marks})", [kind, *chunk])
            done += cur.rowcount
    return done
