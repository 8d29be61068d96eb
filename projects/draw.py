"""The verifiable random draw (docs/rules.md §5.6), as pure functions over plain data.

At publication the platform commits to a secret (`commitment = sha256(secret)`); at the draw the
seed mixes the project code, the closing time, the sorted eligible USCCs, the secret and an optional
public beacon, so nobody (the platform included) can steer the order after registration closes,
and anyone can recompute it with `tools/verify_draw.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECORD_FIELDS = ("project_code", "closed_at", "commitment", "secret", "beacon", "candidates", "excluded",
                 "seed", "order", "abandoned", "selected", "digest")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """32 hex characters of cryptographic randomness."""
    return secrets.token_hex(16)


def commitment(secret: str) -> str:
    return sha256_hex(secret)


def format_closed_at(closed_at: dt.datetime) -> str:
    """ISO 8601 in Asia/Shanghai, e.g. `2026-03-13T17:00:00+08:00` (the exact string hashed)."""
    if closed_at.tzinfo is None:
        raise ValueError("closed_at must be timezone-aware")
    return closed_at.astimezone(SHANGHAI).isoformat()


def draw_seed(*, project_code: str, closed_at: str, candidates: list[str], secret: str, beacon: str = "") -> str:
    message = "|".join([project_code, closed_at, ",".join(candidates), secret, beacon])
    return sha256_hex(message)


def draw_order(seed: str, candidates: Iterable[str]) -> list[str]:
    return sorted(candidates, key=lambda u: sha256_hex(seed + u))


def record_digest(record: Mapping) -> str:
    """SHA-256 of the canonical JSON of every field but `digest` (detects any alteration of the record)."""
    body = {k: v for k, v in record.items() if k != "digest"}
    return sha256_hex(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")))


def build_record(*, project_code: str, closed_at: dt.datetime | str, secret: str, beacon: str,
                 eligible: Iterable[str], excluded: Iterable[Mapping] = (), abandoned: Iterable[str] = ()) -> dict:
    """Run the draw and return the publishable record.

    `excluded` is a list of {"uscc", "reason"} for registrants found ineligible at selection;
    `abandoned` the leading USCCs of the order that refused or did not confirm (fallback).
    """
    closed = closed_at if isinstance(closed_at, str) else format_closed_at(closed_at)
    candidates = sorted(set(eligible))
    seed = draw_seed(project_code=project_code, closed_at=closed, candidates=candidates, secret=secret, beacon=beacon)
    order = draw_order(seed, candidates)
    record = {
        "project_code": project_code,
        "closed_at": closed,
        "commitment": commitment(secret),
        "secret": secret,
        "beacon": beacon,
        "candidates": candidates,
        "excluded": [{"uscc": e["uscc"], "reason": e["reason"]} for e in sorted(excluded, key=lambda e: e["uscc"])],
        "seed": seed,
        "order": order,
        "abandoned": [],
        "selected": order[0] if order else None,
    }
    for uscc in abandoned:
        record = with_abandoned(record, uscc)
    record["digest"] = record_digest(record)
    return record


def with_abandoned(record: Mapping, uscc: str) -> dict:
    """The record after the currently selected agency abandoned: the next in order is selected."""
    if uscc != record["selected"]:
        raise ValueError("only the currently selected agency can abandon")
    abandoned = [*record["abandoned"], uscc]
    order = record["order"]
    new = dict(record)
    new["abandoned"] = abandoned
    new["selected"] = order[len(abandoned)] if len(abandoned) < len(order) else None
    new["digest"] = record_digest(new)
    return new
