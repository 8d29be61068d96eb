import pytest

from marketplace.search import AGENCY, PROJECT, get_backend
from marketplace.search.backends import database
from marketplace.search.documents import clear_caches, iter_documents


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch):
    # A fresh in-memory snapshot per test, as in a new worker process: test transactions roll back,
    # so document ids are reused across tests, which never happens to committed rows.
    monkeypatch.setattr(database, "_snapshot", database.Snapshot())
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def reindex(db):
    """Rebuild the embedded index from the current rows (what `search_index rebuild` does)."""

    def run():
        backend = get_backend("database")
        for kind in (AGENCY, PROJECT):
            backend.rebuild(kind, [list(iter_documents(kind))])

    return run
