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


def test_a_steady_night_rewrites_no_flag_and_a_change_rewrites_only_its_flag(planted):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = round_(owner=owner(), agencies=[agency(), agency()], quotes=["70000", "70000"])
    run_scan(as_of=AS_OF)
    assert RiskFlag.objects.filter(kind="identical_quotes").count() == 2

    def writes(day):
        with CaptureQueriesContext(connection) as q:
            run_scan(as_of=day)
        return [x["sql"] for x in q.captured_queries if x["sql"].startswith("UPDATE") and "oversight_riskflag" in x["sql"]]

    steady = writes(AS_OF + dt.timedelta(days=1))
    assert len(steady) == 1 and '"last_seen_on" =' in steady[0] and "CASE" not in steady[0]
    assert set(RiskFlag.objects.values_list("last_seen_on", flat=True)) == {AS_OF + dt.timedelta(days=1)}
    other.registrations.update(quote="75000")
    third = other.registrations.create(agency=agency(), registered_at=other.closed_at, quote="75000")
    changed = writes(AS_OF + dt.timedelta(days=2))
    assert len(changed) == 2 and "CASE" in changed[1]
    rewritten, kept = RiskFlag.objects.get(subject=other.code), RiskFlag.objects.get(subject=planted.code)
    assert f'"id" = {rewritten.pk})' in changed[1] and f'"id" = {kept.pk})' not in changed[1]
    assert str(third.agency.uscc) in rewritten.evidence[0] and "75000" in rewritten.evidence[0]
    assert "80000" in kept.evidence[0]


def test_on_postgresql_the_scan_runs_without_jit_and_with_its_work_mem(planted, settings):
    from django.db import connection

    from oversight.scan import find

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL session settings")
    settings.RISK_SCAN_WORK_MEM = "48MB"
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "on"
        find(as_of=AS_OF)  # inside the test's transaction: the settings stay until it ends
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == "48MB"
