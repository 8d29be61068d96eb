"""The scan stores flags idempotently, keeps decisions across re-scans, and `risk_scan --json` prints them."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from marketplace import periodic
from marketplace.models import AuditEntry
from oversight.models import RiskFlag
from oversight.scan import run_scan
from oversight.services import dismiss
from tests.factories import member_of
from tests.oversight.planting import AS_OF, agency, owner, round_

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted():
    o = owner()
    return round_(owner=o, agencies=[agency(), agency(), agency()], quotes=["80000", "80000", "90000"])


def test_rescans_update_instead_of_adding_and_keep_a_dismissal(planted, regulator_user):
    first = run_scan(as_of=AS_OF)
    assert first.new == 1 and RiskFlag.objects.count() == 1
    flag = RiskFlag.objects.get()
    assert (flag.kind, flag.subject, flag.status) == ("identical_quotes", planted.code, "open")
    assert AuditEntry.objects.filter(action="oversight.flag_raised").count() == 1
    dismiss(flag=flag, by=regulator_user, reason="两家报价均按政府指导价下浮固定比例计算，属正常情况。")
    again = run_scan(as_of=AS_OF + dt.timedelta(days=1))
    flag.refresh_from_db()
    assert again.new == 0 and RiskFlag.objects.count() == 1
    assert flag.status == "dismissed" and flag.last_seen_on == AS_OF + dt.timedelta(days=1)
    assert flag.first_seen_on == AS_OF
    assert AuditEntry.objects.filter(action="oversight.flag_raised").count() == 1


def test_command_json_prints_one_object_per_flag(planted):
    out = io.StringIO()
    call_command("risk_scan", "--as-of", AS_OF.isoformat(), "--json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 1
    assert lines[0]["kind"] == "identical_quotes" and lines[0]["subject"] == planted.code
    assert lines[0]["severity"] == "high" and all(isinstance(e, str) for e in lines[0]["evidence"])
    with pytest.raises(CommandError):
        call_command("risk_scan", "--as-of", "30/06/2026", stdout=io.StringIO())


def test_command_dry_run_stores_nothing(planted):
    out = io.StringIO()
    call_command("risk_scan", "--as-of", AS_OF.isoformat(), "--dry-run", stdout=out)
    assert "identical_quotes" in out.getvalue() and not RiskFlag.objects.exists()


def test_nightly_job_runs_once_a_day_after_one_oclock(planted):
    from django.utils import timezone

    early = timezone.make_aware(dt.datetime(2026, 7, 1, 0, 30))
    late = timezone.make_aware(dt.datetime(2026, 7, 1, 2, 0))
    assert periodic.run(today=dt.date(2026, 7, 1), now=early, only=["oversight.risk_scan"]) == {"oversight.risk_scan": 0}
    assert periodic.run(today=dt.date(2026, 7, 1), now=late, only=["oversight.risk_scan"]) == {"oversight.risk_scan": 1}
    assert RiskFlag.objects.get().first_seen_on == AS_OF  # as of the day before
    assert periodic.run(today=dt.date(2026, 7, 1), now=late + dt.timedelta(hours=1),
                        only=["oversight.risk_scan"]) == {"oversight.risk_scan": 0}


def test_a_person_running_the_scan_does_not_stop_the_nightly_one(planted):
    from django.utils import timezone

    run_scan(as_of=AS_OF, by=member_of(owner()), now=timezone.make_aware(dt.datetime(2026, 7, 1, 1, 30)))
    late = timezone.make_aware(dt.datetime(2026, 7, 1, 2, 0))
    periodic.run(today=dt.date(2026, 7, 1), now=late, only=["oversight.risk_scan"])
    runs = AuditEntry.objects.filter(action="oversight.scan_run")
    assert runs.count() == 2 and runs.filter(actor__isnull=True).count() == 1
