import pytest
from django.core.management import call_command

from marketplace.notify import run_sweeps

pytestmark = pytest.mark.django_db


def test_one_sweep_runs_every_apps_periodic_work():
    results = run_sweeps()
    assert "projects.sweeps.project_transitions" in results
    assert "agencies.sweeps.qualification_reminders" in results
    assert "projects.delivery.sweep.sweep_service_jobs" in results
    assert "ratings.sweeps.automatic_ratings" in results and "ratings.sweeps.ended_suspensions" in results
    call_command("sweep_deadlines")
