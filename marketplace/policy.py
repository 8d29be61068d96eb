"""Policy numbers (RP-1 defaults, documented in docs/rules.md, every value marked [default] or [seen]).

The operator edits them as a new `PolicyVersion` (never in place); the newest version is in force.
Anything computed under a policy records `policy.version`. Pure rules receive a `Policy` object.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from marketplace import policy_meta

DEFAULTS: dict[str, Any] = {
    # Admission (docs/rules.md §4)
    "admission_review_wd": 2,
    "qualification_reminder_days": 30,
    "social_insurance_months": 3,
    # Service clock (docs/rules.md §7)
    "clock_yellow_ratio": "0.8",
    "overdue_minor_max_wd": 5,
    "deliverable_decision_wd": 10,
    "materials_supply_wd": 5,
    # Selection (docs/rules.md §5–6)
    "draw_window_min_wd": 3,
    "draw_window_min_wd_urgent": 1,
    "registration_window_min_wd": 3,
    "draw_min_candidates": 3,
    "invitation_min_agencies": 3,
    "confirm_within_wd": 1,
    "direct_fiscal_limit_yuan": "100000",
    "abnormal_low_ratio": "0.70",
    "abnormal_justify_wd": 1,
    "composite_price_weight_min": 10,
    "composite_price_weight_max": 30,
    "composite_weights": {"price": 30, "technical": 50, "credit": 20},
    "registration_close_time": "17:00",
    "publicity_wd": 3,
    "objection_answer_wd": 3,
    "contract_sign_wd": 5,
    "contract_upload_wd": 2,
    "max_republish_before_switch": 1,
    # Clarifications (答疑, docs/rules.md §12)
    "clarification_question_cutoff_wd": 2,
    "clarification_answer_wd": 1,
    # Rating (docs/rules.md §8)
    "rating_satisfied_min": "4.0",
    "rating_basic_min": "3.0",
    "rating_unsat_reason_min_chars": 20,
    "rating_deadline_wd": 10,
    "appeal_within_wd": 5,
    "appeal_decide_wd": 10,
    "complaint_response_wd": 10,
    "report_review_wd": 15,
    "review_reason_min_chars": 10,
    "complaint_files_max": 5,
    "public_complaint_ip_per_hour": 5,
    "public_complaint_contact_per_day": 3,
    "complaint_lookup_ip_per_hour": 30,
    # Credit (docs/rules.md §9)
    "credit_window_months": 12,
    "credit_base": 100,
    "credit_deductions": {
        "eval_basic": 2,
        "eval_unsat": 5,
        "overdue_minor": 2,
        "overdue_major": 5,
        "complaint": 5,
        "abandon": 10,
        "violation": 20,
        "penalty_general": 10,
        "review_basic": 2,
        "review_fail": 5,
    },
    "credit_bonuses": {"award_county": 1, "award_city": 2, "award_province": 3, "award_national": 5},
    "credit_bonus_cap": 10,
    "credit_grades": {"A": 90, "B": 80, "C": 60},
    "credit_forcing_codes": ["fraud", "serious_dishonesty"],
    "sanction_d_suspend_months": 6,
    "sanction_abandon_suspend_months": 3,
    "sanction_second_d_window_months": 24,
    "sanction_blacklist_years": 3,
    "repair_min_publicity_months": 3,
    "repair_min_publicity_months_safety": 12,
    # Risk indicators (docs/rules.md "Risk indicators")
    "risk_lookback_days": 365,
    "risk_close_quote_pct": "1",
    "risk_concentration_share": "0.50",
    "risk_concentration_min_awards": 4,
    "risk_hhi_high": 2500,
    "risk_split_window_days": 90,
    "risk_win_ratio_p": "0.001",
    "risk_win_ratio_min_rounds": 10,
    "risk_short_window_min_wd": 3,
    "risk_discount_ratio": "0.60",
    "risk_heterogeneous_departments": 3,
    "risk_owner_delay_share": "0.30",
    "risk_owner_delay_min_steps": 3,
    "bulletin_rank_min_sample": 3,
    "bulletin_rank_size": 5,
}

_DECIMALS = {"clock_yellow_ratio", "direct_fiscal_limit_yuan", "abnormal_low_ratio",
             "rating_satisfied_min", "rating_basic_min", "risk_close_quote_pct", "risk_concentration_share",
             "risk_win_ratio_p", "risk_discount_ratio", "risk_owner_delay_share"}


@dataclass(frozen=True)
class Policy(Mapping):
    """Read-only view of one policy version. `policy.x` or `policy["x"]`; decimals come back as Decimal."""

    version: int
    values: Mapping[str, Any]
    name: str = "RP-1"

    def __getitem__(self, key: str) -> Any:
        value = self.values[key] if key in self.values else DEFAULTS[key]
        if key in _DECIMALS:
            return Decimal(str(value))
        return value

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_") or key in {"version", "values", "name"}:
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self):
        return iter({**DEFAULTS, **self.values})

    def __len__(self) -> int:
        return len({**DEFAULTS, **self.values})

    def as_dict(self) -> dict[str, Any]:
        return {key: self.values.get(key, DEFAULTS[key]) for key in DEFAULTS}


def default_policy() -> Policy:
    """RP-1 as shipped, version 0 (used by pure tests and simulations with no database)."""
    return Policy(version=0, values=dict(DEFAULTS))


def validate(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check a proposed policy; raise ValidationError in Chinese and English on bad values."""
    unknown = set(data) - set(DEFAULTS)
    if unknown:
        raise ValidationError(f"未知的参数 / unknown policy keys: {', '.join(sorted(unknown))}")
    merged = {**DEFAULTS, **data}
    for key, default in DEFAULTS.items():
        value = merged[key]
        if isinstance(default, (bool, dict | list)):
            if type(value) is not type(default):
                raise ValidationError(f"参数 {key} 类型错误 / {key} has the wrong type")
            continue
        if isinstance(default, int):
            if not isinstance(value, int) or value < 0:
                raise ValidationError(f"参数 {key} 必须是非负整数 / {key} must be a non-negative integer")
        elif key in _DECIMALS:
            try:
                if Decimal(str(value)) < 0:
                    raise ValidationError(f"参数 {key} 不能为负 / {key} must not be negative")
            except ArithmeticError:
                raise ValidationError(f"参数 {key} 不是数字 / {key} is not a number") from None
    for key in DEFAULTS:
        message = policy_meta.range_error(key, merged[key])
        if message:
            raise ValidationError({key: message})
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", str(merged["registration_close_time"])):
        raise ValidationError({"registration_close_time": "报名截止时刻须为“时:分”，例如17:00 / "
                                                          "the closing time must be HH:MM, e.g. 17:00"})
    for key in ("risk_concentration_share", "risk_win_ratio_p", "risk_discount_ratio", "risk_owner_delay_share"):
        if Decimal(str(merged[key])) > 1:
            raise ValidationError(f"参数 {key} 须在0到1之间 / {key} must be between 0 and 1")
    lo, hi = merged["composite_price_weight_min"], merged["composite_price_weight_max"]
    if not (0 < lo <= hi <= 100):
        raise ValidationError({"composite_price_weight_max": "价格权重下限不能高于上限 / "
                                                              "the lowest price weight cannot exceed the highest"})
    weights = merged["composite_weights"]
    if sum(weights.values()) != 100 or not lo <= weights.get("price", -1) <= hi:
        raise ValidationError({"composite_weights": "综合评审权重之和须为100且价格权重在上下限之间 / "
                                                    "weights must sum to 100 with price between its limits"})
    return merged


def current_policy() -> Policy:
    """The policy in force (newest version). Version 1 (RP-1) is created on migrate."""
    from marketplace.models import PolicyVersion

    row = PolicyVersion.objects.order_by("-version").first()
    if row is None:
        return default_policy()
    return Policy(version=row.version, values=row.data, name=row.name)


def policy_version(version: int) -> Policy:
    from marketplace.models import PolicyVersion

    row = PolicyVersion.objects.get(version=version)
    return Policy(version=row.version, values=row.data, name=row.name)


def adopt_policy(*, by, data: Mapping[str, Any], note: str, name: str = "RP-1") -> Policy:
    """Create and put in force a new policy version (audited)."""
    from django.db import transaction

    from marketplace import audit
    from marketplace.models import PolicyVersion

    merged = validate(data)
    if not note.strip():
        raise ValidationError("请说明修改原因 / a reason for the change is required")
    with transaction.atomic():
        last = PolicyVersion.objects.select_for_update().order_by("-version").first()
        row = PolicyVersion.objects.create(version=(last.version + 1) if last else 1, name=name,
                                           data=merged, note=note, created_by=by)
        audit.record(action="marketplace.policy_adopted", by=by, obj=row, data={"version": row.version}, reason=note)
    return Policy(version=row.version, values=row.data, name=row.name)
