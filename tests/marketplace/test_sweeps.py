from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from marketplace import periodic

pytestmark = pytest.mark.django_db


def test_one_sweep_runs_every_apps_periodic_work():
    results = periodic.run()
    assert set(results) == {"marketplace.resend_mail", "marketplace.send_digests", "marketplace.audit_anchor",
                            "agencies.qualification_reminders", "projects.transitions", "projects.service_clock",
                            "ratings.automatic_ratings", "ratings.ended_suspensions", "opendata.bulk_files",
                            "oversight.risk_scan", "cms.bulletins"}


def test_only_runs_the_named_jobs_and_refuses_unknown_ones():
    out = StringIO()
    call_command("sweep_deadlines", "--only", "projects.transitions", stdout=out)
    assert out.getvalue().strip() == "projects.transitions: 0"
    with pytest.raises(CommandError, match="unknown periodic jobs: nope.job"):
        call_command("sweep_deadlines", "--only", "nope.job")
    out = StringIO()
    call_command("sweep_deadlines", "--list", stdout=out)
    assert "agencies.qualification_reminders" in out.getvalue().split()


def test_a_job_must_be_namespaced_and_registered_once():
    with pytest.raises(ValueError, match="namespaced"):
        periodic.periodic("bare")
    with pytest.raises(ValueError, match="twice"):
        periodic.periodic("projects.transitions")(lambda **kw: 0)
    call_command("sweep_deadlines")
