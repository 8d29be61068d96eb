"""What-if: score a list of ledger lines with the production engine, optionally under another policy."""

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from marketplace.policy import Policy, default_policy, validate
from ratings import scoring


def load_policy(path: str | None) -> Policy:
    """The policy in force, or one read from POLICY.json (partial: missing keys keep their defaults)."""
    if not path:
        try:
            from marketplace.policy import current_policy

            return current_policy()
        except Exception:  # no database configured: the shipped defaults
            return default_policy()
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CommandError(f"无法读取策略文件 / cannot read policy file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise CommandError("策略文件须为JSON对象 / the policy file must be a JSON object")
    version = data.pop("version", 0) if isinstance(data.get("version"), int) else 0
    data.pop("name", None)
    try:
        merged = validate(data)
    except ValidationError as exc:
        raise CommandError("; ".join(exc.messages)) from exc
    return Policy(version=version, values=merged, name="what-if")


class Command(BaseCommand):
    help = "Score EVENTS.json ([{agency, code, date, state}]) at --as-of; print {uscc: {score, grade, forced}}."

    def add_arguments(self, parser):
        parser.add_argument("events", help="EVENTS.json")
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--policy", help="POLICY.json (partial policy; defaults fill the rest)")

    def handle(self, *args, **options):
        try:
            as_of = dt.date.fromisoformat(options["as_of"])
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD / --as-of must be YYYY-MM-DD") from None
        try:
            rows = json.loads(Path(options["events"]).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"无法读取事件文件 / cannot read events file: {exc}") from exc
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise CommandError("事件文件须为对象列表 / EVENTS.json must be a list of objects")
        policy = load_policy(options.get("policy"))
        try:
            result = scoring.simulate(rows, as_of=as_of, policy=policy)
        except (ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
