"""What every benchmark reports the same way: peak memory from process start, the task backend, ratios."""

from __future__ import annotations

import resource


def peak_rss_mb() -> float:
    """Peak resident set of this process since it started (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Current resident set (VmRSS)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


def task_backend() -> str:
    from django.conf import settings

    return settings.TASKS["default"]["BACKEND"].rsplit(".", 1)[-1]


def load_note() -> str:
    import os

    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} on {os.cpu_count()} cores"


STATIC_ROOT = "/tmp/zjcs_bench_static"


def collect_static(env: dict | None = None) -> None:
    """Without DEBUG the templates need the collected static files' manifest: collect them once."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    os.environ.setdefault("STATIC_ROOT", STATIC_ROOT)
    if env is not None:
        env.setdefault("STATIC_ROOT", STATIC_ROOT)
    root = Path(os.environ["STATIC_ROOT"])
    if (root / "staticfiles.json").exists():
        return
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    subprocess.run([sys.executable, str(manage), "collectstatic", "--no-input", "-v0"], check=True,
                   env={**os.environ, **(env or {}), "STATIC_ROOT": str(root)})
