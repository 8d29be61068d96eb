"""`python manage.py search_index rebuild|update [--kind agency|project] [--backend …]`.

rebuild: build the whole index afresh. The database backend replaces each kind inside one
transaction (readers keep the old rows until commit); Elasticsearch builds a new timestamped index
and swaps the alias atomically. Either way there is no window with an empty index.
update: re-index every visible object in place and drop documents whose object is no longer
visible (suspended agency, deleted posting). Both page through the data in id order, `--chunk-size`
objects per query, with a progress bar; memory stays bounded.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from marketplace.search import AGENCY, PROJECT, get_backend
from marketplace.search.documents import count_objects, iter_documents


def chunked(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Command(BaseCommand):
    help = "Rebuild or update the search index (搜索索引重建/更新)"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "update"])
        parser.add_argument("--kind", choices=[AGENCY, PROJECT], action="append",
                            help="only this kind (repeatable); default both")
        parser.add_argument("--backend", choices=["database", "elasticsearch"], default=None)
        parser.add_argument("--chunk-size", type=int, default=1000)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, action, kind, backend, chunk_size, no_progress, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size 须为正整数 / must be a positive integer")
        engine = get_backend(backend)
        for k in kind or [AGENCY, PROJECT]:
            total = count_objects(k)
            bar = tqdm(total=total, desc=f"{action} {k}", unit="doc", disable=no_progress or None,
                       file=sys.stderr)
            chunks = chunked(iter_documents(k, chunk_size=chunk_size), chunk_size)
            if action == "rebuild":
                done = engine.rebuild(k, chunks, progress=bar.update)
                bar.close()
                self.stdout.write(f"{k}: {done} documents indexed (rebuild, backend={engine.name})")
            else:
                seen: set[int] = set()
                done = 0
                for chunk in chunks:
                    done += engine.index(chunk)
                    seen.update(d["object_id"] for d in chunk)
                    bar.update(len(chunk))
                bar.close()
                stale = engine.indexed_ids(k) - seen
                if stale:
                    engine.delete(k, stale)
                self.stdout.write(f"{k}: {done} documents indexed, {len(stale)} removed (update, backend={engine.name})")
