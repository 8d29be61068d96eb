"""Validate OCDS packages against the 1.1.5 schema (JSON Schema draft 4, references resolved locally, our
extension applied) and the codelists. Used by the tests and by `manage.py ocds_validate`."""

from __future__ import annotations

from collections.abc import Iterator

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from opendata import standard

# (path to a list or object, field, codelist) checked on every release and compiled release.
CODELIST_FIELDS = [
    (("tender",), "procurementMethod", "method.csv"),
    (("tender",), "awardCriteria", "awardCriteria.csv"),
    (("tender",), "mainProcurementCategory", "procurementCategory.csv"),
    (("tender",), "status", "tenderStatus.csv"),
    (("awards", "*"), "status", "awardStatus.csv"),
    (("contracts", "*"), "status", "contractStatus.csv"),
    (("contracts", "*", "implementation", "milestones", "*"), "type", "milestoneType.csv"),
    (("contracts", "*", "implementation", "milestones", "*"), "status", "milestoneStatus.csv"),
    (("tender", "documents", "*"), "documentType", "documentType.csv"),
    (("contracts", "*", "documents", "*"), "documentType", "documentType.csv"),
    (("relatedProcesses", "*"), "relationship", "relatedProcess.csv"),
    (("parties", "*"), "roles", "partyRole.csv"),
    (("tender", "value"), "currency", "currency.csv"),
    (("awards", "*", "value"), "currency", "currency.csv"),
    ((), "tag", "releaseTag.csv"),
]


def _registry() -> Registry:
    resources = [(standard.BASE_URL + "release-schema.json", standard.release_schema()),
                 (standard.BASE_URL + "versioned-release-validation-schema.json",
                  standard.package_schema("versioned-release-validation-schema.json"))]
    return Registry().with_resources((url, Resource.from_contents(body, default_specification=DRAFT4))
                                     for url, body in resources)


def validator(kind: str) -> jsonschema.Draft4Validator:
    """A draft-4 validator for "release" or "record" packages, every `$ref` resolved from the local copy."""
    schema = standard.package_schema(f"{kind}-package-schema.json")
    return jsonschema.Draft4Validator(schema, registry=_registry(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def _walk(node, path: tuple) -> Iterator[dict]:
    if not path:
        if isinstance(node, dict):
            yield node
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for item in node if isinstance(node, list) else []:
            yield from _walk(item, rest)
    elif isinstance(node, dict) and head in node:
        yield from _walk(node[head], rest)


def codelist_errors(release: dict) -> list[str]:
    """Values of the checked fields that are not in their OCDS 1.1.5 codelist."""
    errors = []
    for path, field, name in CODELIST_FIELDS:
        allowed = standard.codelist(name)
        for obj in _walk(release, path):
            value = obj.get(field)
            values = value if isinstance(value, list) else [value]
            errors += [f"{release.get('id', release.get('ocid'))}: {'.'.join(path)}.{field}={v!r} not in {name}"
                       for v in values if v is not None and v not in allowed]
    return errors


def package_errors(package: dict, kind: str) -> list[str]:
    """Every schema and codelist error of a release or record package (empty when valid)."""
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(kind).iter_errors(package)]
    if kind == "release":
        releases = package.get("releases", [])
    else:
        releases = [r for record in package.get("records", [])
                    for r in [*record.get("releases", []), record.get("compiledRelease") or {}]]
    for release in releases:
        errors += codelist_errors(release)
    return errors
