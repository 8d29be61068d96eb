"""Races on PostgreSQL: two submissions of the same rating, two appeals, concurrent recomputation."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from agencies.models import CreditEvent
from marketplace import workdays
from ratings import services
from ratings.models import Appeal, Rating
from tests.factories import AgencyFactory, OrganisationFactory, ProjectFactory, member_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REASON = "交付成果存在多处错误，且多次催告后仍未按合同约定修改完善。"
UNSAT = {"quality": 3, "timeliness": 3, "attitude": 3, "fee": 2, "conduct": 3}


def race(fn, n=2):
    barrier = threading.Barrier(n)
    results = []

    def run(i):
        barrier.wait()
        try:
            results.append(("ok", fn(i)))
        except ValidationError as exc:
            results.append(("refused", exc.messages[0]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_owners_staff_rate_at_once_one_wins():
    owner = OrganisationFactory(kind="owner")
    users = [member_of(owner), member_of(owner)]
    agency = AgencyFactory()
    rating = services.open_rating(project=ProjectFactory(owner=owner), agency=agency,
                                  accepted_on=workdays.today() - dt.timedelta(days=1))
    results = race(lambda i: services.record_rating(rating=Rating.objects.get(pk=rating.pk), by=users[i],
                                                    scores=UNSAT, reason=REASON))
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert CreditEvent.objects.filter(agency=agency, code="eval_unsat").count() == 1


def test_two_appeals_at_once_one_wins():
    owner = OrganisationFactory(kind="owner")
    agency = AgencyFactory()
    staff = [member_of(agency.organisation), member_of(agency.organisation)]
    rating = services.open_rating(project=ProjectFactory(owner=owner), agency=agency,
                                  accepted_on=workdays.today() - dt.timedelta(days=1))
    services.record_rating(rating=rating, by=member_of(owner), scores=UNSAT, reason=REASON)
    results = race(lambda i: services.file_appeal(rating=Rating.objects.get(pk=rating.pk), by=staff[i],
                                                  reason="我方不同意该评价结果的理由如下"))
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert Appeal.objects.count() == 1
    assert CreditEvent.objects.get(agency=agency).state == "appeal_pending"
