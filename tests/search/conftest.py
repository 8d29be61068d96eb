import pytest

from marketplace.search import AGENCY, PROJECT, get_backend
from marketplace.search.documents import clear_caches, iter_documents


@pytest.fixture(autouse=True)
def _fresh_caches():
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
