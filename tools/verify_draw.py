#!/usr/bin/env python3
"""Verify a published draw record (中介超市 docs/rules.md §5.6) with nothing but the Python standard library.

Usage: python3 tools/verify_draw.py RECORD.json
Prints `VALID <selected USCC>` and exits 0, or `INVALID: <reason>` and exits 1.

Fetch a record with e.g. `curl https://<site>/api/projects/PH-2026-0042/draw > RECORD.json`.
"""

import hashlib
import json
import sys

REQUIRED = ("project_code", "closed_at", "commitment", "secret", "beacon", "candidates", "excluded", "seed", "order",
            "selected")


def sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check(record):
    """Return None when the record is valid, else the reason it is not."""
    if not isinstance(record, dict):
        return "the record is not a JSON object"
    for key in REQUIRED:
        if key not in record:
            return f"missing field {key}"
    text_fields = ("project_code", "closed_at", "commitment", "secret", "beacon", "seed")
    for key in text_fields:
        if not isinstance(record[key], str):
            return f"{key} must be a string"
    candidates, order = record["candidates"], record["order"]
    abandoned = record.get("abandoned", [])
    excluded = record["excluded"]
    if not all(isinstance(x, list) and all(isinstance(u, str) for u in x) for x in (candidates, order, abandoned)):
        return "candidates, order and abandoned must be lists of USCCs"
    if sha256_hex(record["secret"]) != record["commitment"]:
        return "commitment does not equal sha256(secret)"
    if candidates != sorted(candidates) or len(set(candidates)) != len(candidates):
        return "candidates are not sorted and unique"
    if not isinstance(excluded, list) or not all(
            isinstance(e, dict) and isinstance(e.get("uscc"), str) and isinstance(e.get("reason"), str)
            and e["reason"].strip() for e in excluded):
        return "every excluded registrant needs a uscc and a reason"
    excluded_usccs = {e["uscc"] for e in excluded}
    if excluded_usccs & set(candidates):
        return "a candidate is also listed as excluded"
    message = "|".join([record["project_code"], record["closed_at"], ",".join(candidates), record["secret"],
                        record["beacon"]])
    seed = sha256_hex(message)
    if seed != record["seed"]:
        return "seed does not match the inputs"
    expected_order = sorted(candidates, key=lambda u: sha256_hex(seed + u))
    if expected_order != order:
        return "order does not match the seed"
    if abandoned != order[:len(abandoned)]:
        return "abandoned agencies are not the head of the order"
    expected_selected = order[len(abandoned)] if len(abandoned) < len(order) else None
    if record["selected"] != expected_selected:
        return "selected is not the first agency of the order that did not abandon"
    if "digest" in record:
        body = {k: v for k, v in record.items() if k != "digest"}
        digest = sha256_hex(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")))
        if digest != record["digest"]:
            return "digest does not match the record (a field was altered)"
    return None


def main(argv):
    if len(argv) != 2:
        print("usage: verify_draw.py RECORD.json", file=sys.stderr)
        print("INVALID: no record given")
        return 1
    try:
        with open(argv[1], encoding="utf-8") as fh:
            record = json.load(fh)
    except (OSError, ValueError) as exc:
        print(f"INVALID: cannot read the record ({exc})")
        return 1
    reason = check(record)
    if reason:
        print(f"INVALID: {reason}")
        return 1
    print(f"VALID {record['selected']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
