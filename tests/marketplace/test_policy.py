from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from marketplace.models import AuditEntry, PolicyVersion
from marketplace.policy import DEFAULTS, adopt_policy, current_policy, default_policy, validate


def test_defaults_match_rules_rp1():
    p = default_policy()
    assert p.publicity_wd == 3 and p.contract_sign_wd == 5 and p.contract_upload_wd == 2
    assert p.confirm_within_wd == 1 and p.draw_min_candidates == 3 and p.draw_window_min_wd == 3
    assert p.abnormal_low_ratio == Decimal("0.70")
    assert p["credit_deductions"]["abandon"] == 10
    assert p.credit_grades == {"A": 90, "B": 80, "C": 60}
    assert p.clock_yellow_ratio == Decimal("0.8")


@pytest.mark.parametrize(
    "change",
    [
        {"publicity_wd": -1},
        {"composite_weights": {"price": 40, "technical": 40, "credit": 20}},
        {"composite_weights": {"price": 30, "technical": 50, "credit": 10}},
        {"no_such_key": 1},
        {"credit_deductions": "lots"},
    ],
)
def test_invalid_policy_refused_with_bilingual_message(change):
    with pytest.raises(ValidationError) as exc:
        validate(change)
    assert "/" in exc.value.messages[0]


@pytest.mark.django_db
def test_migrate_creates_v1_and_adopting_versions_and_audits(operator_user):
    assert current_policy().version == 1
    assert current_policy().as_dict() == DEFAULTS
    before = AuditEntry.objects.count()
    new = adopt_policy(by=operator_user, data={"publicity_wd": 5}, note="本地规定公示5个工作日")
    assert new.version == 2 and current_policy().publicity_wd == 5
    assert PolicyVersion.objects.get(version=1).data["publicity_wd"] == 3  # old version unchanged
    assert AuditEntry.objects.count() == before + 1


@pytest.mark.django_db
def test_adopting_bad_policy_changes_nothing(operator_user):
    with pytest.raises(ValidationError):
        adopt_policy(by=operator_user, data={"publicity_wd": -3}, note="x")
    with pytest.raises(ValidationError):
        adopt_policy(by=operator_user, data={"publicity_wd": 4}, note="  ")
    assert PolicyVersion.objects.count() == 1
