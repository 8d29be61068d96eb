"""Load tools/verify_draw.py as a module (it is a standalone script, not a package)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("verify_draw", ROOT / "tools" / "verify_draw.py")
verify_draw = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verify_draw)
