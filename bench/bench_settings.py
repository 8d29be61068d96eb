"""Settings for bench/pages.py only: the production settings plus a bare view (bench/bench_urls.py)."""

from marketplace.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
