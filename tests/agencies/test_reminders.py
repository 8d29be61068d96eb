import datetime as dt

import pytest

from agencies.models import Qualification
from agencies.services import remind_expiring_qualifications
from marketplace.models import Notification
from marketplace.policy import default_policy
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def test_reminder_30_days_before_and_idempotent(agency_and_member):
    agency, member = agency_and_member
    staff = member_of(agency.organisation, role="staff")
    today = dt.date(2026, 3, 1)
    Qualification.objects.create(agency=agency, qualification_type="甲", number="D30",
                                 valid_to=today + dt.timedelta(days=30))
    Qualification.objects.create(agency=agency, qualification_type="乙", number="D31",
                                 valid_to=today + dt.timedelta(days=31))
    Qualification.objects.create(agency=agency, qualification_type="丙", number="OLD",
                                 valid_to=today - dt.timedelta(days=1))
    assert remind_expiring_qualifications(today=today, policy=default_policy()) == 2
    assert remind_expiring_qualifications(today=today, policy=default_policy()) == 0
    assert remind_expiring_qualifications(today=today + dt.timedelta(days=1), policy=default_policy()) == 2
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {member.pk, staff.pk}
    assert Notification.objects.filter(title__contains="D31").count() == 2
    assert not Notification.objects.filter(title__contains="OLD").exists()


def test_reminder_window_is_policy(agency_and_member):
    from marketplace.policy import Policy

    agency, _ = agency_and_member
    today = dt.date(2026, 3, 1)
    Qualification.objects.create(agency=agency, qualification_type="甲", number="D10",
                                 valid_to=today + dt.timedelta(days=10))
    assert remind_expiring_qualifications(today=today, policy=Policy(9, {"qualification_reminder_days": 5})) == 0
    assert remind_expiring_qualifications(today=today, policy=Policy(9, {"qualification_reminder_days": 10})) == 1


def test_management_command(agency_and_member, capsys):
    from django.core.management import call_command

    agency, _ = agency_and_member
    Qualification.objects.create(agency=agency, qualification_type="甲", number="X", valid_to=dt.date(2026, 3, 5))
    call_command("sweep_deadlines", "--only", "agencies.qualification_reminders", "--today", "2026-03-01")
    assert "agencies.qualification_reminders: 1" in capsys.readouterr().out
