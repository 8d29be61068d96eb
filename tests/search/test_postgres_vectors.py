"""PostgreSQL: the narrow tsvector table (migration 0004) follows the document table through its
statement-level triggers: bulk insert, update, delete and truncate."""

import pytest
from django.db import connection

from marketplace.models import SearchDocument
from marketplace.search import AGENCY, get_backend, index_objects, search_agencies
from marketplace.search.backends.database import VECTORS
from marketplace.search.documents import iter_documents
from tests.search.factories import agency

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def vector_ids() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT document_id FROM {VECTORS}")
        return {row[0] for row in cursor.fetchall()}


def matching(token: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT document_id FROM {VECTORS} WHERE search_vector @@ to_tsquery('simple', %s)", [token])
        return {row[0] for row in cursor.fetchall()}


def test_vectors_follow_every_kind_of_write():
    first = agency("平湖华正测绘有限公司")
    second = agency("嘉善宏信造价咨询有限公司", services=("JS05",), region="330421")
    get_backend("database").rebuild(AGENCY, [list(iter_documents(AGENCY))])
    docs = dict(SearchDocument.objects.values_list("object_id", "id"))
    assert vector_ids() == set(docs.values())  # bulk insert: one statement, every row

    SearchDocument.objects.filter(pk=docs[first.pk]).update(tokens_body="独有词")
    assert matching("独有词") == {docs[first.pk]}  # update

    second.status = "suspended"
    second.save()
    index_objects(AGENCY, [second.pk])
    assert vector_ids() == {docs[first.pk]}  # delete
    assert [h.id for h in search_agencies("测绘").hits] == [first.pk]

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {SearchDocument._meta.db_table} CASCADE")
    assert vector_ids() == set()  # truncate (what a transactional test's flush does)
