"""The OCDS 1.1.5 schemas and codelists shipped in `opendata/schema/` (Apache-2.0, see its LICENSE) and our
extension in `opendata/extension/`, applied to the release schema with JSON Merge Patch (RFC 7386) the way
OCDS extensions are applied."""

from __future__ import annotations

import copy
import csv
import functools
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHEMA_DIR = HERE / "schema"
EXTENSION_DIR = HERE / "extension"
BASE_URL = "https://standard.open-contracting.org/schema/1__1__5/"
VERSION = "1.1"
# Codelists whose values a schema `enum` does not already check (closed codelists are enums in the schema).
CHECKED_CODELISTS = {
    ("tender", "procurementMethod"): "method.csv",
    ("tender", "awardCriteria"): "awardCriteria.csv",
    ("tender", "mainProcurementCategory"): "procurementCategory.csv",
    ("tender", "status"): "tenderStatus.csv",
    ("awards", "status"): "awardStatus.csv",
    ("contracts", "status"): "contractStatus.csv",
}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def merge_patch(target, patch):
    """RFC 7386 JSON Merge Patch: objects merge key by key, `null` removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@functools.cache
def release_schema() -> dict:
    """The OCDS 1.1.5 release schema with our extension's patch applied."""
    return merge_patch(_load(SCHEMA_DIR / "release-schema.json"), _load(EXTENSION_DIR / "release-schema.json"))


@functools.cache
def package_schema(name: str) -> dict:
    """`release-package-schema.json` or `record-package-schema.json`, unchanged."""
    return _load(SCHEMA_DIR / name)


@functools.cache
def codelist(name: str) -> frozenset[str]:
    with (SCHEMA_DIR / "codelists" / name).open(encoding="utf-8") as f:
        return frozenset(row["Code"] for row in csv.DictReader(f))


def extension_metadata() -> dict:
    return _load(EXTENSION_DIR / "extension.json")


def extension_file(name: str) -> Path | None:
    """A file of the extension directory that may be served publicly (None for anything else)."""
    allowed = {"extension.json", "release-schema.json", "README.md"}
    return EXTENSION_DIR / name if name in allowed else None
