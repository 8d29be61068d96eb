"""Races on PostgreSQL with real threads: registration at the deadline, double draw, confirm vs. sweep."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from agencies.models import CreditEvent
from projects import services
from projects.models import Project, Registration
from tests.factories import OrganisationFactory, member_of
from tests.projects.factories import AFTER, DEADLINE, eligible_agency, make_published, register_all

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_threads(fns):
    """Start every fn at once (barrier), collect ("ok", result) or ("error", exc) per fn."""
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except Exception as exc:  # noqa: BLE001 - every outcome is collected and asserted on
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def owner():
    org = OrganisationFactory(kind="owner")
    return org, member_of(org)


def test_fifty_agencies_register_in_the_last_second(owner):
    org, user = owner
    project = make_published(user, org)
    agencies = [eligible_agency() for _ in range(50)]
    before = [DEADLINE - dt.timedelta(milliseconds=999 - i * 20) for i in range(25)]
    after = [DEADLINE + dt.timedelta(milliseconds=i * 20) for i in range(25)]
    moments = before + after

    def make(agency, now):
        return lambda: services.register(by=agency.user, project=project, agency=agency, now=now)

    results = run_threads([make(a, t) for a, t in zip(agencies, moments, strict=True)])
    ok = [i for i, r in enumerate(results) if r[0] == "ok"]
    errors = [r[1] for r in results if r[0] == "error"]
    assert ok == list(range(25))
    assert len(errors) == 25 and all(isinstance(e, ValidationError) and "报名已截止" in str(e) for e in errors)
    assert Registration.objects.filter(project=project).count() == 25


def test_two_draw_clicks_make_exactly_one_draw(owner):
    org, user = owner
    second_user = member_of(org)
    project = make_published(user, org)
    register_all(project, [eligible_agency() for _ in range(4)])
    results = run_threads([lambda: services.select_provider(by=user, project=project, now=AFTER),
                           lambda: services.select_provider(by=second_user, project=project, now=AFTER)])
    assert sorted(r[0] for r in results) == ["error", "ok"]
    from marketplace.models import AuditEntry

    assert AuditEntry.objects.filter(action="projects.provider_selected").count() == 1
    assert AuditEntry.objects.filter(action="projects.registration_closed").count() == 1
    project.refresh_from_db()
    assert project.status == Project.Status.CONFIRMING
    assert Registration.objects.filter(project=project, offer="offered").count() == 1


@pytest.mark.parametrize("repeat", range(3))
def test_confirmation_racing_the_deadline_sweep(owner, repeat):
    org, user = owner
    project = make_published(user, org)
    agencies = [eligible_agency() for _ in range(3)]
    register_all(project, agencies)
    project = services.select_provider(by=user, project=project, now=AFTER)
    selected = project.selected
    agency_user = next(a.user for a in agencies if a.pk == selected.agency_id)
    # The confirmation arrives at the last instant it is valid; the sweep runs just after the deadline.
    results = run_threads([
        lambda: services.confirm_selection(by=agency_user, registration=selected, now=selected.confirm_by),
        lambda: services.expire_confirmations(selected.confirm_by + dt.timedelta(microseconds=1)),
    ])
    selected.refresh_from_db()
    project.refresh_from_db()
    confirmed = results[0][0] == "ok"
    expired = results[1] == ("ok", 1)
    assert confirmed != expired, results
    if confirmed:
        assert selected.offer == Registration.Offer.CONFIRMED
        assert project.status == Project.Status.PUBLICITY
        assert not CreditEvent.objects.filter(code="abandon").exists()
    else:
        assert selected.offer == Registration.Offer.EXPIRED
        assert project.selected_id != selected.pk
        assert CreditEvent.objects.filter(code="abandon", agency=selected.agency).count() == 1


def test_concurrent_drafts_get_distinct_sequential_codes(owner):
    from tests.projects.factories import draft_fields

    org, user = owner
    fields = draft_fields()
    results = run_threads([lambda: services.create_draft(by=user, owner=org, fields=fields) for _ in range(10)])
    assert all(r[0] == "ok" for r in results), results
    codes = sorted(Project.objects.values_list("code", flat=True))
    assert codes == [f"PH-{dt.date.today().year}-{n:04d}" for n in range(1, 11)]
