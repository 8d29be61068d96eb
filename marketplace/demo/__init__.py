"""Demo data: realistic organisations and people for the SQLite demo (never used by production code)."""
