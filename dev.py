#!/usr/bin/env python3
"""The README's two commands, needing nothing but Python 3.11:

    python3 dev.py demo     # virtualenv, install, migrate, demo data, serve http://127.0.0.1:8000
    python3 dev.py test     # virtualenv, install, run the test suite (SQLite; DATABASE_URL for PostgreSQL)

Standard library only: it must run before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("VENV_DIR", ROOT / ".venv"))
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".lock-sha256"


def run(*args: str, env: dict | None = None) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, cwd=ROOT, check=True, env={**os.environ, **(env or {})})


def ensure_env() -> None:
    if sys.version_info[:2] != (3, 11):
        print(f"warning: Python 3.11 expected, running {sys.version.split()[0]}", file=sys.stderr)
    if not PY.exists():
        print(f"Creating virtualenv in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != digest:
        run(str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", str(LOCK))
        STAMP.write_text(digest)
    run(str(PY), "manage.py", "compile_translations", env={"DEBUG": "1"})


def demo(argv: list[str]) -> None:
    ensure_env()
    env = {"DEBUG": "1"}
    manage = [str(PY), "manage.py"]
    run(*manage, "migrate", "--no-input", env=env)
    run(*manage, "seed_demo", env=env)
    addr = argv[0] if argv else "127.0.0.1:8000"
    print(f"\n中介超市 demo: http://{addr}/  (logins printed above)\n", flush=True)
    os.execve(str(PY), [str(PY), "manage.py", "runserver", "--noreload", addr], {**os.environ, **env})


def test(argv: list[str]) -> None:
    ensure_env()
    args = argv or []
    if not any(a.startswith("-n") for a in args):
        args = ["-n", os.environ.get("TEST_WORKERS", "2"), *args]
    if not any(a == "-m" for a in args):
        args = ["-m", "not browser", *args]
    os.execve(str(PY), [str(PY), "-m", "pytest", *args], dict(os.environ))


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test", "setup"}:
        print(__doc__)
        sys.exit(2)
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "setup":
        ensure_env()
    else:
        {"demo": demo, "test": test}[command](rest)


if __name__ == "__main__":
    main()
