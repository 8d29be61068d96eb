"""Readers search while a writer re-indexes: the shared in-memory columns grow and gain new facet
values under them, and no reader fails or sees a half-grown state."""

import threading

import pytest
from django.db import connection

from marketplace.search import AGENCY, index_objects, search_agencies
from marketplace.search.backends import database
from tests.search.factories import agency

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SERVICE_CODES = ["ZR02", "JS05", "HB01", "HB02", "CZ01", "QX01", "JS04", "JS06", "JS01"]
REGIONS = ["330482", "330421", "330481", "330483", "330402", "330411", "330424"]


def test_readers_never_fail_while_the_index_grows(reindex):
    agency("平湖华正测绘有限公司", services=("ZR01",))
    reindex()
    search_agencies("测绘")  # loads the columns
    done = threading.Event()
    errors, seen = [], []

    def reader():
        try:
            while not done.is_set():
                result = search_agencies("测绘")
                counts = {f.value: f.count for f in result.facets["service_type"]}
                assert counts.get("ZR01", 0) == result.total  # every hit offers 测绘 (ZR01)
                search_agencies("测绘", {"region": "330400"})
                seen.append(result.total)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for i in range(40):
            # New ids well past the capacity (growth), new service types (wider vocabularies).
            a = agency(f"嘉兴新锐{i:02d}测绘有限公司", services=("ZR01", SERVICE_CODES[i % len(SERVICE_CODES)]),
                       region=REGIONS[i % len(REGIONS)])
            index_objects(AGENCY, [a.pk])
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert seen, "the readers ran"
    assert search_agencies("测绘").total == 41
    assert database._snapshot.columns.capacity >= 41
