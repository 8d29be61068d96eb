"""Small helpers for the indicators' raw SQL (portable between SQLite and PostgreSQL)."""

from __future__ import annotations

from django.db import connection


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def fetch(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def moment(value):
    """A datetime parameter as the backend stores it (UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)


def day(value):
    return connection.ops.adapt_datefield_value(value)
