"""The deadline sweep: derived from dates, each notice sent once however often it runs."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from marketplace.models import Notification
from marketplace.periodic import run as run_sweeps
from marketplace.periodic import sweep_deadlines_task
from projects.delivery import services
from tests.delivery.conftest import D, at
from tests.delivery.files import pdf

pytestmark = pytest.mark.django_db


def sweep(today, capture):
    with capture(execute=True):
        call_command("sweep_deadlines", "--today", today.isoformat(), stdout=io.StringIO())


def counts():
    return Notification.objects.count(), len(mail.outbox)


def test_sweeping_twice_sends_nothing_new(job, agency_user, owner_user, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    base = Notification.objects.count()
    sweep(D(2025, 10, 13), django_capture_on_commit_callbacks)  # green: nothing
    assert counts() == (base, 0)
    sweep(D(2025, 10, 14), django_capture_on_commit_callbacks)  # yellow
    after_yellow = counts()
    assert after_yellow == (base + 2, 2)
    assert set(Notification.objects.filter(kind="yellow").values_list("recipient", flat=True)) == {
        agency_user.pk, owner_user.pk}
    sweep(D(2025, 10, 14), django_capture_on_commit_callbacks)
    sweep(D(2025, 10, 15), django_capture_on_commit_callbacks)  # still yellow
    assert counts() == after_yellow
    sweep(D(2025, 10, 17), django_capture_on_commit_callbacks)  # red
    after_red = counts()
    assert after_red == (base + 4, 4)
    red = Notification.objects.get(kind="red", recipient=agency_user)
    assert red.key == f"job:{job.pk}:L10:red" and "1" in red.title and red.url == f"/jobs/{job.pk}/"
    for _ in range(3):
        sweep(D(2025, 10, 17), django_capture_on_commit_callbacks)
    sweep(D(2025, 10, 24), django_capture_on_commit_callbacks)
    assert counts() == after_red


def test_first_sweep_after_a_long_gap_sends_only_the_current_state(job, django_capture_on_commit_callbacks):
    sweep(D(2025, 10, 24), django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(kind="yellow").exists()
    assert Notification.objects.filter(kind="red").count() == 2


def test_no_warning_while_paused_but_owner_overdue_once(job, agency_user, owner_user,
                                                        django_capture_on_commit_callbacks):
    services.request_pause(job=job, request="请提供地下管线资料", by=agency_user, now=at(D(2025, 10, 9)))
    sweep(D(2025, 10, 15), django_capture_on_commit_callbacks)  # supply due 10-15: not late yet
    assert not Notification.objects.filter(kind__in=["yellow", "red", "owner_overdue"]).exists()
    sweep(D(2025, 10, 16), django_capture_on_commit_callbacks)
    sweep(D(2025, 10, 20), django_capture_on_commit_callbacks)
    late = Notification.objects.filter(kind="owner_overdue")
    assert [n.recipient for n in late] == [owner_user]
    assert not Notification.objects.filter(kind__in=["yellow", "red"]).exists()


def test_owner_sitting_on_a_deliverable_is_flagged(job, agency_user, owner_user, django_capture_on_commit_callbacks):
    services.submit_deliverable(job=job, files=[pdf()], by=agency_user, now=at(D(2025, 10, 13)))
    sweep(D(2025, 10, 27), django_capture_on_commit_callbacks)  # decision due 10-27
    assert not Notification.objects.filter(kind="owner_overdue").exists()
    sweep(D(2025, 10, 28), django_capture_on_commit_callbacks)
    sweep(D(2025, 10, 29), django_capture_on_commit_callbacks)
    assert Notification.objects.filter(kind="owner_overdue", recipient=owner_user).count() == 1
    # The agency's clock stopped at submission (7 used, green): no agency warning.
    assert not Notification.objects.filter(kind__in=["yellow", "red"]).exists()


def test_rating_overdue_is_flagged_once(job, agency_user, owner_user, django_capture_on_commit_callbacks):
    d = services.submit_deliverable(job=job, files=[pdf()], by=agency_user, now=at(D(2025, 10, 16)))
    services.accept_deliverable(deliverable=d, by=owner_user, now=at(D(2025, 10, 17)))
    sweep(D(2025, 11, 1), django_capture_on_commit_callbacks)  # rating due 10 wd after 10-17 = 10-31
    sweep(D(2025, 11, 3), django_capture_on_commit_callbacks)
    assert Notification.objects.filter(kind="owner_overdue", key__contains=":rating:").count() == 1
    # (The owner's "rating due" message itself comes from ratings.rating_opened: tests/delivery/test_services.py.)


def test_extension_starts_a_new_warning_cycle(job, agency_user, owner_user, django_capture_on_commit_callbacks):
    sweep(D(2025, 10, 17), django_capture_on_commit_callbacks)
    ext = services.request_extension(job=job, requested_wd=5, reason="台风停工三天", by=agency_user,
                                     now=at(D(2025, 10, 17)))
    services.decide_extension(extension=ext, grant=True, by=owner_user, now=at(D(2025, 10, 17)))
    sweep(D(2025, 10, 17), django_capture_on_commit_callbacks)  # 11 of 15: green again
    sweep(D(2025, 10, 21), django_capture_on_commit_callbacks)  # 13 ≥ 12: yellow under the new limit
    assert Notification.objects.filter(kind="yellow", key=f"job:{job.pk}:L15:yellow").count() == 2


def test_task_and_run_sweeps(job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_deadlines_task.enqueue(today="2025-10-17")
    assert result.return_value["projects.service_clock"] == 2
    assert run_sweeps(today=D(2025, 10, 17))["projects.service_clock"] == 0


def test_command_rejects_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("sweep_deadlines", "--today", "17/10/2025")
