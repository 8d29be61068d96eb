"""Admission: draft → submit (due in 2 working days) → approve / reject → resubmit; blacklist; statuses."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies import selectors, services
from agencies.models import Agency, AgencyDocument, Blacklist
from agencies.states import MACHINE, leads_to
from marketplace.models import AuditEntry, Membership, Organisation
from tests.agencies.factories import complete_application, pdf, scoped_regulator
from tests.factories import AgencyFactory, make_resident_id, make_uscc

pytestmark = pytest.mark.django_db
FRI = dt.date(2025, 9, 26)


def test_draft_creates_agency_organisation_and_derives_entity_type(applicant):
    agency = services.start_application(by=applicant, uscc=make_uscc(77, prefix="92"), name="平湖某个体户",
                                        region="330482", today=FRI)
    assert agency.status == Agency.Status.DRAFT
    assert agency.organisation.kind == Organisation.Kind.AGENCY
    assert agency.organisation.uscc == agency.uscc
    assert agency.entity_type == "个体工商户"
    assert agency.applicant == applicant
    assert not Membership.objects.filter(user=applicant).exists()


def test_second_application_for_same_uscc_is_duplicate(applicant, plain_user):
    code = make_uscc(78)
    services.start_application(by=applicant, uscc=code, name="甲", region="330482", today=FRI)
    with pytest.raises(ValidationError) as exc:
        services.start_application(by=plain_user, uscc=code.lower(), name="乙", region="330482", today=FRI)
    assert exc.value.code == "duplicate"
    assert Agency.objects.filter(uscc=code).count() == 1


def test_invalid_uscc_is_refused_with_reason(applicant):
    with pytest.raises(ValidationError) as exc:
        services.start_application(by=applicant, uscc="91350100M000100Y44", name="甲", region="330482")
    assert exc.value.code == "check"
    assert not Agency.objects.exists()


def test_incomplete_application_cannot_be_submitted(applicant):
    agency = services.start_application(by=applicant, uscc=make_uscc(79), name="甲", region="330482", today=FRI)
    with pytest.raises(ValidationError) as exc:
        services.submit_application(by=applicant, agency=agency, today=FRI)
    assert exc.value.code == "incomplete"
    assert "营业执照" in exc.value.messages[0]
    agency.refresh_from_db()
    assert agency.status == Agency.Status.DRAFT


def test_submit_sets_due_date_two_working_days_later(applicant):
    agency = complete_application(applicant)
    # Friday 2025-09-26 + 2 working days: Sun 09-28 is a make-up working day, then Mon 09-29.
    agency = services.submit_application(by=applicant, agency=agency, today=FRI)
    assert agency.status == Agency.Status.SUBMITTED
    assert agency.review_due_on == dt.date(2025, 9, 29)
    entry = AuditEntry.objects.filter(action="agencies.application_submitted").get()
    assert entry.data["due_on"] == "2025-09-29"
    assert selectors.is_overdue(agency.review_due_on, dt.date(2025, 9, 29)) is False
    assert selectors.is_overdue(agency.review_due_on, dt.date(2025, 9, 30)) is True


def test_submit_before_national_day_skips_the_holiday(applicant):
    agency = complete_application(applicant)
    agency = services.submit_application(by=applicant, agency=agency, today=dt.date(2025, 9, 30))
    assert agency.review_due_on == dt.date(2025, 10, 10)  # 10-01..10-08 off; 10-09, 10-10


def test_approve_makes_applicant_admin_and_is_audited(applicant, regulator_user):
    agency = services.submit_application(by=applicant, agency=complete_application(applicant), today=FRI)
    services.approve_application(by=regulator_user, agency=agency)
    agency.refresh_from_db()
    assert agency.status == Agency.Status.ADMITTED
    assert agency.admitted_at is not None
    assert Membership.objects.get(user=applicant, organisation=agency.organisation).role == "admin"
    assert AuditEntry.objects.filter(action="agencies.admitted", object_id=str(agency.pk)).exists()
    assert applicant.notifications.filter(kind="agencies.admitted").exists()


def test_reject_requires_reasons_then_resubmission(applicant, regulator_user):
    agency = services.submit_application(by=applicant, agency=complete_application(applicant), today=FRI)
    with pytest.raises(ValidationError) as exc:
        services.reject_application(by=regulator_user, agency=agency, reason="  ")
    assert exc.value.code == "reason"
    services.reject_application(by=regulator_user, agency=agency, reason="营业执照扫描件不清晰")
    agency.refresh_from_db()
    assert agency.status == Agency.Status.REJECTED
    assert agency.rejection_reason == "营业执照扫描件不清晰"
    # The applicant corrects and resubmits.
    services.upload_document(by=applicant, agency=agency, kind=AgencyDocument.Kind.LICENCE, file=pdf())
    services.submit_application(by=applicant, agency=agency, today=dt.date(2025, 10, 9))
    agency.refresh_from_db()
    assert agency.status == Agency.Status.SUBMITTED
    assert agency.review_due_on == dt.date(2025, 10, 11)  # Sat 10-11 is a make-up working day
    assert AuditEntry.objects.filter(action="agencies.application_submitted").last().data["resubmission"] is True


def test_cannot_approve_twice_or_a_draft(applicant, regulator_user):
    agency = complete_application(applicant)
    with pytest.raises(ValidationError):
        services.approve_application(by=regulator_user, agency=agency)
    services.submit_application(by=applicant, agency=agency, today=FRI)
    services.approve_application(by=regulator_user, agency=agency)
    with pytest.raises(ValidationError):
        services.approve_application(by=regulator_user, agency=agency)


def test_only_competent_regulator_reviews(applicant, owner_user):
    agency = services.submit_application(by=applicant, agency=complete_application(applicant, service="ZR01"),
                                         today=FRI)
    elsewhere = scoped_regulator(region_codes=["441800"])
    wrong_department = scoped_regulator(region_codes=["330400"], department_names=["生态环境"])
    competent = scoped_regulator(region_codes=["330400"], department_names=["自然资源"])
    for user in (elsewhere, wrong_department, owner_user, applicant):
        with pytest.raises(PermissionDenied):
            services.approve_application(by=user, agency=agency)
        assert agency not in selectors.review_queue(user)
    assert selectors.review_queue(competent) == [agency]
    services.approve_application(by=competent, agency=agency)


def test_review_queue_orders_by_due_date_and_flags_overdue(applicant, plain_user, operator_user):
    a = services.submit_application(by=applicant, agency=complete_application(applicant, serial=901),
                                    today=dt.date(2025, 10, 9))
    b = services.submit_application(by=plain_user, agency=complete_application(plain_user, serial=902), today=FRI)
    queue = selectors.review_queue(operator_user)
    assert queue == [b, a]
    assert [selectors.is_overdue(x.review_due_on, dt.date(2025, 10, 10)) for x in queue] == [True, False]


def test_blacklisted_uscc_cannot_apply_until_the_blacklist_ends(applicant):
    code = make_uscc(80)
    Blacklist.objects.create(uscc=code, reason="提供虚假材料", starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.start_application(by=applicant, uscc=code, name="甲", region="330482", today=dt.date(2026, 1, 1))
    assert exc.value.code == "blacklisted"
    assert "2026-01-01" in exc.value.messages[0]
    agency = services.start_application(by=applicant, uscc=code, name="甲", region="330482", today=dt.date(2026, 1, 2))
    assert agency.status == Agency.Status.DRAFT


def test_blacklisted_agency_reapplies_on_its_row_after_the_end(applicant, regulator_user):
    agency = AgencyFactory()
    services.set_status(agency=agency, to=Agency.Status.BLACKLISTED, by=None, reason="严重失信")
    Blacklist.objects.create(uscc=agency.uscc, reason="严重失信", starts_on=dt.date(2023, 1, 1),
                             ends_on=dt.date(2025, 12, 31))
    with pytest.raises(ValidationError):
        services.start_application(by=applicant, uscc=agency.uscc, name=agency.name, region="330482",
                                   today=dt.date(2025, 12, 31))
    reopened = services.start_application(by=applicant, uscc=agency.uscc, name=agency.name, region="330482",
                                          today=dt.date(2026, 1, 1))
    assert reopened.pk == agency.pk and reopened.status == Agency.Status.DRAFT


def test_status_transitions_are_one_named_machine():
    def can(status, name):
        return MACHINE.can(Agency(status=status), name)

    assert can("admitted", "suspend") and can("suspended", "extend_suspension")
    assert can("suspended", "restore")
    assert not can("draft", "suspend")
    assert not any(MACHINE.target(Agency(status="blacklisted"), n) == "admitted"
                   for n in MACHINE.allowed(Agency(status="blacklisted")))
    assert not any(MACHINE.target(Agency(status="submitted"), n) == "draft"
                   for n in MACHINE.allowed(Agency(status="submitted")))
    assert leads_to(Agency(status="draft"), "admitted") and not leads_to(Agency(status="removed"), "admitted")
    assert MACHINE.allowed(Agency(status="removed")) == {"blacklist", "reopen"}


def test_set_status_for_the_ratings_app(regulator_user):
    agency = AgencyFactory()
    services.set_status(agency=agency, to="suspended", by=None, reason="信用等级D", until=dt.date(2026, 6, 1))
    agency.refresh_from_db()
    assert agency.status == "suspended" and agency.suspended_until == dt.date(2026, 6, 1)
    entry = AuditEntry.objects.get(action="agencies.status_changed")
    assert entry.data == {"from": "admitted", "to": "suspended", "until": "2026-06-01"}
    with pytest.raises(ValidationError) as exc:
        services.set_status(agency=agency, to="draft", by=None, reason="x")
    assert exc.value.code == "transition"
    with pytest.raises(ValidationError):
        services.set_status(agency=agency, to="admitted", by=None, reason="")
    services.set_status(agency=agency, to="admitted", by=regulator_user, reason="期满恢复")
    agency.refresh_from_db()
    assert agency.status == "admitted" and agency.suspended_until is None


def test_legal_rep_id_is_validated(applicant):
    with pytest.raises(ValidationError) as exc:
        services.start_application(by=applicant, uscc=make_uscc(81), name="甲", region="330482",
                                   legal_rep_id="110105194912310021")
    assert exc.value.code == "check"
    agency = services.start_application(by=applicant, uscc=make_uscc(81), name="甲", region="330482",
                                        legal_rep_id=make_resident_id(3))
    assert agency.legal_rep_id == make_resident_id(3)


def test_blacklisting_with_an_end_date_bars_reapplication(applicant):
    import datetime as dt

    from django.utils import timezone

    agency = AgencyFactory()
    end = timezone.localdate() + dt.timedelta(days=365 * 3)
    services.set_status(agency=agency, to="blacklisted", by=None, reason="严重失信", until=end)
    assert Blacklist.objects.get(uscc=agency.uscc).ends_on == end
    with pytest.raises(ValidationError) as exc:
        services.start_application(by=applicant, uscc=agency.uscc, name=agency.name, region="330482")
    assert exc.value.code == "blacklisted"
