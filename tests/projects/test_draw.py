"""The verifiable draw: the docs/rules.md §5.6 example reproduced; the standalone verifier accepts/rejects records."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from projects import draw
from tests.projects.verifier import verify_draw

ROOT = Path(__file__).resolve().parents[2]
ELIGIBLE = ["91330482MA2B00001G", "91330400MA28000010", "91330482MA2C000013", "91330481MA2D000017",
            "91330482MA2E000018"]
SECRET = "7f3a9c2e5b1d4086a2c4e6f8091b3d5f"


def example_record(**kw):
    return draw.build_record(project_code="PH-2026-0042", closed_at="2026-03-13T17:00:00+08:00", secret=SECRET,
                             beacon="", eligible=ELIGIBLE, **kw)


def test_the_rules_example_draw():
    r = example_record()
    assert r["commitment"] == "a9bffc9ce6672bb572b27de505324406824ab764b93d89f461d7609306bf69d9"
    assert r["seed"] == "2189e52f002113dbe253b87a67d5bd9458a8ac7174429db7f4e79f3343ddac54"
    assert r["order"] == ["91330400MA28000010", "91330482MA2E000018", "91330482MA2B00001G",
                          "91330482MA2C000013", "91330481MA2D000017"]
    assert r["selected"] == "91330400MA28000010"
    assert r["candidates"] == sorted(ELIGIBLE)
    fallback = draw.with_abandoned(r, "91330400MA28000010")
    assert fallback["selected"] == "91330482MA2E000018"
    assert verify_draw.check(fallback) is None


def test_closed_at_formatting_from_an_aware_datetime():
    import datetime as dt

    utc = dt.datetime(2026, 3, 13, 9, 0, tzinfo=dt.UTC)
    assert draw.format_closed_at(utc) == "2026-03-13T17:00:00+08:00"
    with pytest.raises(ValueError):
        draw.format_closed_at(dt.datetime(2026, 3, 13, 17, 0))  # noqa: DTZ001


def test_beacon_changes_the_order_inputs():
    a = example_record()
    b = draw.build_record(project_code="PH-2026-0042", closed_at="2026-03-13T17:00:00+08:00", secret=SECRET,
                          beacon="000001.SH 3250.12", eligible=ELIGIBLE)
    assert a["seed"] != b["seed"]
    assert verify_draw.check(b) is None


def test_only_the_selected_can_abandon():
    with pytest.raises(ValueError):
        draw.with_abandoned(example_record(), "91330482MA2E000018")


def test_record_with_excluded_verifies():
    r = example_record(excluded=[{"uscc": "91330482MA2F000019", "reason": "信用等级为C / grade C"}])
    assert verify_draw.check(r) is None


def _mutations():
    """(name, mutate) for every field of the record."""
    def setter(key, value):
        def mutate(r):
            r[key] = value
        return mutate

    return [
        ("project_code", setter("project_code", "PH-2026-0043")),
        ("closed_at", setter("closed_at", "2026-03-13T17:00:01+08:00")),
        ("commitment", setter("commitment", "0" * 64)),
        ("secret", setter("secret", "7f3a9c2e5b1d4086a2c4e6f8091b3d5e")),
        ("beacon", setter("beacon", "x")),
        ("candidates", lambda r: r["candidates"].pop()),
        ("candidates_unsorted", lambda r: r["candidates"].reverse()),
        ("excluded_reason", lambda r: r["excluded"][0].update(reason="另一个理由")),
        ("excluded_removed", lambda r: r["excluded"].clear()),
        ("excluded_overlap", lambda r: r["excluded"].append({"uscc": r["candidates"][0], "reason": "x"})),
        ("seed", setter("seed", "1" * 64)),
        ("order", lambda r: r["order"].reverse()),
        ("abandoned", setter("abandoned", ["91330400MA28000010"])),
        ("selected", setter("selected", "91330482MA2E000018")),
        ("digest", setter("digest", "2" * 64)),
    ]


@pytest.mark.parametrize(("name", "mutate"), _mutations(), ids=[m[0] for m in _mutations()])
def test_verifier_rejects_any_altered_field(name, mutate):
    record = example_record(excluded=[{"uscc": "91330482MA2F000019", "reason": "信用等级为C / grade C"}])
    assert verify_draw.check(record) is None
    altered = copy.deepcopy(record)
    mutate(altered)
    assert altered != record
    assert verify_draw.check(altered) is not None


def test_every_field_is_covered_by_a_mutation():
    covered = {name.split("_")[0] if name.startswith(("excluded", "candidates")) else name for name, _ in _mutations()}
    assert set(draw.RECORD_FIELDS) <= covered


def test_verifier_rejects_missing_field():
    r = example_record()
    del r["seed"]
    assert "missing" in verify_draw.check(r)


@pytest.mark.parametrize("altered", [False, True])
def test_verifier_script_exit_codes(tmp_path, altered):
    r = example_record()
    if altered:
        r["order"] = list(reversed(r["order"]))
    path = tmp_path / "record.json"
    path.write_text(json.dumps(r, ensure_ascii=False), encoding="utf-8")
    # Run it the way a member of the public would: a bare interpreter, isolated mode, no project on the path.
    proc = subprocess.run([sys.executable, "-I", str(ROOT / "tools" / "verify_draw.py"), str(path)],
                          capture_output=True, text=True, cwd=tmp_path, check=False)
    if altered:
        assert proc.returncode == 1
        assert proc.stdout.startswith("INVALID: ")
    else:
        assert proc.returncode == 0
        assert proc.stdout.strip() == "VALID 91330400MA28000010"


def test_verifier_script_bad_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-I", str(ROOT / "tools" / "verify_draw.py"), str(path)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and proc.stdout.startswith("INVALID")


def test_verifier_uses_only_the_standard_library():
    source = (ROOT / "tools" / "verify_draw.py").read_text(encoding="utf-8")
    imports = {line.split()[1].split(".")[0] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"hashlib", "json", "sys"}
