import pytest


@pytest.fixture
def tree(db):
    """The CMS page tree (home, notice indexes), rebuilt if a transactional test flushed it."""
    from cms.tree import ensure_page_tree

    return ensure_page_tree()
