"""Search backends: `database` (embedded, default) and `elasticsearch`. Both take the same parsed
query and filters and return a `RawResult` the interface turns into hits and labelled facets."""
