"""Races the database must settle: two applications for one USCC, one person in two agencies."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from agencies import services
from agencies.models import Agency, Practitioner
from tests.factories import UserFactory, make_resident_id, make_uscc

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(fns):
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_same_uscc_twice_at_once():
    users = [UserFactory() for _ in range(4)]
    code = make_uscc(3131)
    results = _race([lambda u=u: services.start_application(by=u, uscc=code, name="甲", region="330482")
                     for u in users])
    assert Agency.objects.filter(uscc=code).count() == 1
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 3
    assert all(isinstance(e, ValidationError) and e.code == "duplicate" for e in errors), errors


def test_same_practitioner_in_two_drafts_at_once():
    users = [UserFactory() for _ in range(2)]
    drafts = [services.start_application(by=u, uscc=make_uscc(3200 + i), name=f"乙{i}", region="330482")
              for i, u in enumerate(users)]
    rid = make_resident_id(3131)
    results = _race([lambda u=u, a=a: services.add_practitioner(by=u, agency=a, data={"name": "丙", "resident_id": rid})
                     for u, a in zip(users, drafts, strict=True)])
    assert Practitioner.objects.filter(resident_id=rid).count() == 1
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and errors[0].code == "practitioner_taken"
