"""Services over the database: posting, registration, selection, confirmation, award, contract."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import CreditEvent
from marketplace.models import AuditEntry
from projects import services
from projects.draw import SHANGHAI
from projects.models import Project, Registration
from projects.selectors import whose_turn
from tests.projects.factories import (
    AFTER,
    DEADLINE,
    PUBLISH_AT,
    eligible_agency,
    make_draft,
    make_published,
    register_all,
)
from tests.projects.verifier import verify_draw

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def actions(obj=None):
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


# ---- posting -----------------------------------------------------------------------------------


def test_publish_computes_deadline_code_and_commitment(owner_user, owner_org):
    project = make_published(owner_user, owner_org)
    assert project.code.startswith("PH-2026-")
    assert project.status == Project.Status.PUBLISHED
    assert project.registration_deadline == DEADLINE
    assert len(project.draw_secret) == 32
    import hashlib

    assert project.draw_commitment == hashlib.sha256(project.draw_secret.encode()).hexdigest()
    assert "projects.published" in actions()
    entry = AuditEntry.objects.get(action="projects.published")
    assert project.draw_secret not in str(entry.data)


def test_deadline_skips_holidays(owner_user, owner_org):
    # Published Wed 2026-09-30: National Day holidays push three working days well into October.
    now = dt.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    project = make_published(owner_user, owner_org, now=now)
    from marketplace.workdays import calendar_from_package

    expected = calendar_from_package().add_working_days(dt.date(2026, 9, 30), 3)
    assert project.registration_deadline.astimezone(SHANGHAI).date() == expected
    assert expected > dt.date(2026, 10, 7)


def test_urgent_draw_window_and_minimum(owner_user, owner_org):
    project = make_draft(owner_user, owner_org, urgent=True)
    project = services.publish(by=owner_user, project=project, now=PUBLISH_AT)
    assert project.registration_deadline == dt.datetime(2026, 3, 11, 17, 0, tzinfo=SHANGHAI)
    short = make_draft(owner_user, owner_org, window_wd=2)
    with pytest.raises(ValidationError, match="不得少于 3"):
        services.publish(by=owner_user, project=short, now=PUBLISH_AT)


def test_codes_are_sequential_and_unique(owner_user, owner_org):
    codes = [make_draft(owner_user, owner_org).code for _ in range(3)]
    assert len(set(codes)) == 3
    assert [int(c.rsplit("-", 1)[1]) for c in codes] == sorted(int(c.rsplit("-", 1)[1]) for c in codes)


def test_other_owner_cannot_publish(owner_user, owner_org, other_owner_user):
    project = make_draft(owner_user, owner_org)
    with pytest.raises(PermissionDenied):
        services.publish(by=other_owner_user, project=project, now=PUBLISH_AT)


def test_avoidance_needs_a_reason(owner_user, owner_org):
    with pytest.raises(ValidationError, match="回避"):
        make_draft(owner_user, owner_org, avoided=[("91330400MA28000010", "某公司", " ")])


def test_floor_above_ceiling_refused(owner_user, owner_org):
    with pytest.raises(ValidationError, match="最低限价"):
        make_draft(owner_user, owner_org, floor=Decimal("200000"))


def test_direct_fiscal_limit(owner_user, owner_org):
    big = make_draft(owner_user, owner_org, method="direct", direct_reason="紧急抢险", ceiling=Decimal("100000"))
    with pytest.raises(ValidationError, match="不得直接选取"):
        services.publish(by=owner_user, project=big, now=PUBLISH_AT)
    no_reason = make_draft(owner_user, owner_org, method="direct", ceiling=Decimal("5000"))
    with pytest.raises(ValidationError, match="理由"):
        services.publish(by=owner_user, project=no_reason, now=PUBLISH_AT)


def test_direct_selection(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org, method="direct", direct_reason="金额较小，应急测绘",
                             ceiling=Decimal("20000"))
    project = services.select_direct(by=owner_user, project=project, agency=agencies[0], now=PUBLISH_AT)
    assert project.status == Project.Status.CONFIRMING
    assert project.selected.agency == agencies[0]
    entry = AuditEntry.objects.get(action="projects.provider_selected")
    assert entry.reason == "金额较小，应急测绘"


def test_composite_price_weight_bounds(owner_user, owner_org):
    project = make_draft(owner_user, owner_org, method="composite", price_weight=35, technical_weight=45,
                         credit_weight=20)
    with pytest.raises(ValidationError, match="价格权重"):
        services.publish(by=owner_user, project=project, now=PUBLISH_AT)


def test_revision_is_dated_and_material_change_extends(owner_user, owner_org):
    project = make_published(owner_user, owner_org)
    now = dt.datetime(2026, 3, 12, 10, 0, tzinfo=SHANGHAI)
    rev = services.revise(by=owner_user, project=project, changes={"ceiling": "120000"}, reason="预算调整", now=now)
    project.refresh_from_db()
    assert rev.material and rev.number == 1
    assert rev.diff == {"ceiling": ["100000.00", "120000.00"]}
    assert project.registration_deadline == dt.datetime(2026, 3, 17, 17, 0, tzinfo=SHANGHAI)
    minor = services.revise(by=owner_user, project=project, changes={"scope": "补充说明"}, reason="文字更正", now=now)
    project.refresh_from_db()
    assert not minor.material
    assert project.registration_deadline == dt.datetime(2026, 3, 17, 17, 0, tzinfo=SHANGHAI)
    with pytest.raises(ValidationError, match="原因"):
        services.revise(by=owner_user, project=project, changes={"title": "x"}, reason="", now=now)


def test_cancel_needs_reason(owner_user, owner_org):
    project = make_published(owner_user, owner_org)
    with pytest.raises(ValidationError, match="原因"):
        services.cancel(by=owner_user, project=project, reason="  ")
    project = services.cancel(by=owner_user, project=project, reason="项目取消立项")
    assert project.status == Project.Status.CANCELLED


# ---- registration --------------------------------------------------------------------------------


def test_registration_window_and_single_quote(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org)
    a = agencies[0]
    reg = services.register(by=a.user, project=project, agency=a, quote="90000", now=PUBLISH_AT)
    with pytest.raises(ValidationError, match="只能出价一次"):
        services.register(by=a.user, project=project, agency=a, quote="80000", now=PUBLISH_AT)
    with pytest.raises(ValidationError, match="只能出价一次"):
        services.submit_quote(by=a.user, registration=reg, amount="80000", now=PUBLISH_AT)
    with pytest.raises(ValidationError, match="报名已截止"):
        services.register(by=agencies[1].user, project=project, agency=agencies[1], now=DEADLINE)
    entry = AuditEntry.objects.filter(action="projects.quote_submitted").first()
    assert "90000" not in str(entry.data)


def test_registration_refused_with_reasons(owner_user, owner_org):
    from agencies.models import Blacklist
    from tests.factories import make_resident_id

    project = make_published(owner_user, owner_org)
    graded_c = eligible_agency(credit_grade="C")
    with pytest.raises(ValidationError) as exc:
        services.register(by=graded_c.user, project=project, agency=graded_c, now=PUBLISH_AT)
    assert "信用等级为C" in str(exc.value) and "grade C" in str(exc.value)
    suspended = eligible_agency(suspended_until=dt.date(2026, 6, 1))
    with pytest.raises(ValidationError, match="暂停参与至 2026-06-01"):
        services.register(by=suspended.user, project=project, agency=suspended, now=PUBLISH_AT)
    listed = eligible_agency()
    Blacklist.objects.create(uscc=listed.uscc, reason="清退", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2028, 1, 1))
    with pytest.raises(ValidationError, match="黑名单"):
        services.register(by=listed.user, project=project, agency=listed, now=PUBLISH_AT)
    shared_rep = make_resident_id(777)
    first = eligible_agency(legal_rep_id=shared_rep)
    twin = eligible_agency(legal_rep_id=shared_rep)
    services.register(by=first.user, project=project, agency=first, now=PUBLISH_AT)
    with pytest.raises(ValidationError, match="法定代表人相同"):
        services.register(by=twin.user, project=project, agency=twin, now=PUBLISH_AT)
    assert project.registrations.count() == 1


def test_lacking_qualification_refused_and_any_of(owner_user, owner_org):
    from agencies.models import Qualification

    project = make_published(owner_user, owner_org, qualifications=[("测绘资质", 2), ("工程勘察", 1)])
    agency = eligible_agency()
    Qualification.objects.create(agency=agency, qualification_type="测绘资质", level=1, number="X1",
                                 valid_to=dt.date(2027, 1, 1))
    with pytest.raises(ValidationError, match="工程勘察"):
        services.register(by=agency.user, project=project, agency=agency, now=PUBLISH_AT)
    any_of = make_published(owner_user, owner_org, qualifications=[("测绘资质", 2), ("工程勘察", 1)])
    any_of.qual_mode = "any"
    any_of.save()
    services.register(by=agency.user, project=any_of, agency=agency, now=PUBLISH_AT)


def test_avoided_agency_refused(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org, avoided=[(agencies[0].uscc, "", "业主下属单位")])
    with pytest.raises(ValidationError, match="业主下属单位"):
        services.register(by=agencies[0].user, project=project, agency=agencies[0], now=PUBLISH_AT)


def test_agency_cannot_register_for_another(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org)
    with pytest.raises(PermissionDenied):
        services.register(by=agencies[0].user, project=project, agency=agencies[1], now=PUBLISH_AT)


@pytest.mark.parametrize(("quote", "message"), [("45000", "不能低于最低价"), ("105000", "不能高于最高价")])
def test_lowest_band_refusals_change_nothing(owner_user, owner_org, agencies, quote, message):
    project = make_published(owner_user, owner_org, method="lowest", floor=Decimal("50000"))
    with pytest.raises(ValidationError, match=message):
        services.register(by=agencies[0].user, project=project, agency=agencies[0], quote=quote, now=PUBLISH_AT)
    assert not Registration.objects.exists()


def test_lowest_quote_can_be_revised_before_close(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org, method="lowest")
    reg = services.register(by=agencies[0].user, project=project, agency=agencies[0], quote="90000",
                            now=PUBLISH_AT)
    reg = services.submit_quote(by=agencies[0].user, registration=reg, amount="88000",
                                now=PUBLISH_AT + dt.timedelta(hours=1))
    assert reg.quote == Decimal("88000.00")
    with pytest.raises(ValidationError, match="截止"):
        services.submit_quote(by=agencies[0].user, registration=reg, amount="87000", now=DEADLINE)


# ---- the draw, confirmation and fallback --------------------------------------------------------


def test_full_draw_flow_record_verifies_and_fallback(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org)
    excluded_agency = eligible_agency()
    register_all(project, [*agencies, excluded_agency])
    excluded_agency.credit_grade = "D"
    excluded_agency.save()
    with pytest.raises(ValidationError, match="尚未截止"):
        services.close_registration(project=project, now=DEADLINE - dt.timedelta(seconds=1))
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    record = project.draw_record
    assert record["closed_at"] == "2026-03-13T17:00:00+08:00"
    assert record["commitment"] == project.draw_commitment
    assert record["excluded"][0]["uscc"] == excluded_agency.uscc
    assert "信用等级为D" in record["excluded"][0]["reason"]
    assert sorted(record["candidates"]) == sorted(a.uscc for a in agencies)
    assert verify_draw.check(record) is None
    assert project.selected.agency.uscc == record["order"][0]
    assert whose_turn(project).party == "agency"
    # The first refuses: abandon credit event, the next in order is offered the job, record still verifies.
    first = project.selected
    project = services.refuse_selection(by=first.agency.user if hasattr(first.agency, "user") else
                                        next(a.user for a in agencies if a.pk == first.agency_id),
                                        registration=first, reason="人员不足", now=AFTER)
    assert CreditEvent.objects.filter(agency=first.agency, code="abandon").count() == 1
    assert project.selected.agency.uscc == record["order"][1]
    assert project.draw_record["abandoned"] == [record["order"][0]]
    assert verify_draw.check(project.draw_record) is None
    with pytest.raises(ValidationError, match="已进行"):
        services.select_provider(by=owner_user, project=project, now=AFTER)


def test_round_fails_below_three_and_republish_rules(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org)
    register_all(project, agencies[:2])
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    assert project.status == Project.Status.FAILED
    assert "projects.round_failed" in actions()
    with pytest.raises(ValidationError, match="再次流标"):
        services.republish(by=owner_user, project=project, method="lowest")
    second = services.republish(by=owner_user, project=project)
    assert second.round_no == 2 and second.method == "draw" and second.previous_round == project
    with pytest.raises(ValidationError, match="已重新发布"):
        services.republish(by=owner_user, project=project)
    later = AFTER + dt.timedelta(days=1)
    second = services.publish(by=owner_user, project=second, now=later)
    second = services.select_provider(by=owner_user, project=second, now=second.registration_deadline)
    assert second.status == Project.Status.FAILED
    third = services.republish(by=owner_user, project=second, method="lowest")
    assert third.method == "lowest" and third.round_no == 3


def test_expire_confirmations_is_idempotent(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org)
    register_all(project, agencies)
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    first = project.selected
    assert first.confirm_by == dt.datetime(2026, 3, 16, 17, 0, tzinfo=SHANGHAI)  # next working day (Monday)
    assert services.expire_confirmations(first.confirm_by) == 0
    late = first.confirm_by + dt.timedelta(seconds=1)
    assert services.expire_confirmations(late) == 1
    assert services.expire_confirmations(late) == 0
    first.refresh_from_db()
    assert first.offer == Registration.Offer.EXPIRED
    assert CreditEvent.objects.filter(agency=first.agency, code="abandon").count() == 1
    user = next(a.user for a in agencies if a.pk == first.agency_id)
    with pytest.raises(ValidationError):
        services.confirm_selection(by=user, registration=first, now=late)


def _to_publicity(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org)
    register_all(project, agencies)
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    user = next(a.user for a in agencies if a.pk == project.selected.agency_id)
    project = services.confirm_selection(by=user, registration=project.selected, now=AFTER)
    return project


def test_award_publicity_contract(owner_user, owner_org, agencies, tmp_path, settings):
    project = _to_publicity(owner_user, owner_org, agencies)
    assert project.status == Project.Status.PUBLICITY
    assert project.publicity_ends_on == dt.date(2026, 3, 18)
    with pytest.raises(ValidationError, match="尚未结束"):
        services.end_publicity(project=project, now=dt.datetime(2026, 3, 18, 23, 0, tzinfo=SHANGHAI))
    assert services.end_publicity_due(dt.datetime(2026, 3, 19, 9, 0, tzinfo=SHANGHAI)) == 1
    project.refresh_from_db()
    assert project.status == Project.Status.CONTRACTING
    assert project.contract_due_on == dt.date(2026, 3, 25)
    assert whose_turn(project).party == "owner"
    with pytest.raises(ValidationError, match="PDF"):
        services.upload_contract(by=owner_user, project=project, signed_on=dt.date(2026, 3, 20),
                                 upload=SimpleUploadedFile("c.pdf", b"MZ not a pdf"),
                                 now=dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI))
    with pytest.raises(ValidationError, match="PDF"):
        services.upload_contract(by=owner_user, project=project, signed_on=dt.date(2026, 3, 20),
                                 upload=SimpleUploadedFile("c.docx", PDF),
                                 now=dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI))
    project.refresh_from_db()
    assert project.contract_signed_on is None
    project = services.upload_contract(by=owner_user, project=project, signed_on=dt.date(2026, 3, 20),
                                       upload=SimpleUploadedFile("contract.pdf", PDF),
                                       now=dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI))
    assert project.status == Project.Status.IN_SERVICE
    assert project.contract_upload_due_on == dt.date(2026, 3, 24)
    entry = AuditEntry.objects.get(action="projects.contract_uploaded")
    assert entry.data == {"agency": project.selected.agency_id, "signed_on": "2026-03-20"}


def test_objection_pauses_award_and_regulator_answers(owner_user, owner_org, agencies, regulator_user):
    project = _to_publicity(owner_user, owner_org, agencies)
    loser = next(r for r in project.registrations.all() if r.pk != project.selected_id)
    loser_user = next(a.user for a in agencies if a.pk == loser.agency_id)
    with pytest.raises(ValidationError, match="理由"):
        services.file_objection(by=loser_user, project=project, registration=loser, text="不服",
                                now=AFTER)
    objection = services.file_objection(by=loser_user, project=project, registration=loser,
                                        text="中选机构的测绘资质已过期，请核查。", now=AFTER)
    assert whose_turn(project).party == "regulator"
    with pytest.raises(ValidationError, match="暂停"):
        services.end_publicity(project=project, now=dt.datetime(2026, 3, 19, 9, 0, tzinfo=SHANGHAI))
    services.answer_objection(by=regulator_user, objection=objection, upheld=False, answer="经核查资质有效。",
                              now=dt.datetime(2026, 3, 18, 9, 0, tzinfo=SHANGHAI))
    project = services.end_publicity(project=project, now=dt.datetime(2026, 3, 19, 9, 0, tzinfo=SHANGHAI))
    assert project.status == Project.Status.CONTRACTING
    late = dt.datetime(2026, 3, 19, 9, 0, tzinfo=SHANGHAI)
    with pytest.raises(ValidationError):
        services.file_objection(by=loser_user, project=project, registration=loser, text="再次质疑，理由如上所述。",
                                now=late)


def test_upheld_objection_withdraws_result(owner_user, owner_org, agencies, regulator_user):
    project = _to_publicity(owner_user, owner_org, agencies)
    loser = next(r for r in project.registrations.all() if r.pk != project.selected_id)
    loser_user = next(a.user for a in agencies if a.pk == loser.agency_id)
    objection = services.file_objection(by=loser_user, project=project, registration=loser,
                                        text="中选机构与业主存在利害关系。", now=AFTER)
    services.answer_objection(by=regulator_user, objection=objection, upheld=True, answer="质疑成立，撤销结果。",
                              now=AFTER)
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    assert "projects.result_withdrawn" in actions()


def test_out_of_scope_regulator_cannot_answer(owner_user, owner_org, agencies):
    from marketplace.models import Organisation, Region
    from tests.factories import OrganisationFactory, member_of

    other = OrganisationFactory(kind=Organisation.Kind.REGULATOR, name="嘉善县监管")
    other.scope_regions.add(Region.objects.get(code="330421"))
    user = member_of(other)
    project = _to_publicity(owner_user, owner_org, agencies)
    loser = next(r for r in project.registrations.all() if r.pk != project.selected_id)
    loser_user = next(a.user for a in agencies if a.pk == loser.agency_id)
    objection = services.file_objection(by=loser_user, project=project, registration=loser,
                                        text="中选机构与业主存在利害关系。", now=AFTER)
    with pytest.raises(PermissionDenied):
        services.answer_objection(by=user, objection=objection, upheld=True, answer="x", now=AFTER)


# ---- lowest price and composite ------------------------------------------------------------------


def test_lowest_price_example_through_services(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org, method="lowest", floor=Decimal("50000"))
    t = PUBLISH_AT.replace(hour=10)
    for agency, quote, minute in zip(agencies, ["90000", "85000", "85000"], [0, 5, 2], strict=True):
        services.register(by=agency.user, project=project, agency=agency, quote=quote,
                          now=t + dt.timedelta(minutes=minute))
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    assert project.selected.agency == agencies[2]
    assert project.awarded_price == Decimal("85000")


def test_abnormally_low_justification_rejected_next_lowest_wins(owner_user, owner_org):
    agencies = [eligible_agency() for _ in range(4)]
    project = make_published(owner_user, owner_org, method="lowest")
    register_all(project, agencies, quotes=["100000", "95000", "90000", "60000"])
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    assert project.status == Project.Status.SELECTING
    low = project.registrations.get(agency=agencies[3])
    assert low.justification == Registration.Justification.REQUIRED
    assert whose_turn(project).party == "agency"
    services.submit_justification(by=agencies[3].user, registration=low, text="本单位已有该区域现成控制网数据，成本较低。",
                                  now=AFTER)
    project = services.decide_justification(by=owner_user, registration=low, accept=False, now=AFTER)
    project.refresh_from_db()
    assert project.status == Project.Status.CONFIRMING
    assert project.selected.agency == agencies[2]


def test_abnormally_low_justification_accepted(owner_user, owner_org):
    agencies = [eligible_agency() for _ in range(4)]
    project = make_published(owner_user, owner_org, method="lowest")
    register_all(project, agencies, quotes=["100000", "95000", "90000", "60000"])
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    low = project.registrations.get(agency=agencies[3])
    services.submit_justification(by=agencies[3].user, registration=low, text="本单位已有该区域现成控制网数据，成本较低。",
                                  now=AFTER)
    services.decide_justification(by=owner_user, registration=low, accept=True, now=AFTER)
    project.refresh_from_db()
    assert project.selected.agency == agencies[3]


def test_missing_justification_expires_to_next_lowest(owner_user, owner_org):
    agencies = [eligible_agency() for _ in range(4)]
    project = make_published(owner_user, owner_org, method="lowest")
    register_all(project, agencies, quotes=["100000", "95000", "90000", "60000"])
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    low = project.registrations.get(agency=agencies[3])
    assert services.expire_justifications(low.justification_due + dt.timedelta(seconds=1)) == 1
    assert services.expire_justifications(low.justification_due + dt.timedelta(seconds=1)) == 0
    project.refresh_from_db()
    assert project.selected.agency == agencies[2]


def test_composite_example_through_services(owner_user, owner_org):
    agencies = [eligible_agency(credit_score=s) for s in (95, 100, 86)]
    project = make_published(owner_user, owner_org, method="composite", ceiling=Decimal("150000"))
    register_all(project, agencies, quotes=["80000", "100000", "120000"])
    with pytest.raises(ValidationError, match="技术分"):
        services.select_provider(by=owner_user, project=project, now=AFTER)
    project.refresh_from_db()
    assert project.status == Project.Status.SELECTING
    for agency, score in zip(agencies, [40, 48, 50], strict=True):
        services.enter_technical_score(by=owner_user, registration=project.registrations.get(agency=agency),
                                       score=score, now=AFTER)
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    assert project.selected.agency == agencies[1]
    totals = {ln["uscc"]: ln["total"] for ln in project.selection_detail["lines"]}
    assert totals == {agencies[0].uscc: "89.00", agencies[1].uscc: "92.00", agencies[2].uscc: "87.20"}


def test_invitation_needs_three_eligible_and_only_invited_register(owner_user, owner_org, agencies):
    project = make_draft(owner_user, owner_org, method="invitation", invitation_then="draw", invited=agencies[:2])
    with pytest.raises(ValidationError, match="至少 3"):
        services.publish(by=owner_user, project=project, now=PUBLISH_AT)
    services.update_draft(by=owner_user, project=project, fields={}, invited=agencies)
    project = services.publish(by=owner_user, project=project, now=PUBLISH_AT)
    outsider = eligible_agency()
    with pytest.raises(ValidationError, match="未被邀请"):
        services.register(by=outsider.user, project=project, agency=outsider, now=PUBLISH_AT)
    register_all(project, agencies)
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    assert verify_draw.check(project.draw_record) is None


def test_every_transition_is_audited(owner_user, owner_org, agencies):
    _to_publicity(owner_user, owner_org, agencies)
    seen = actions()
    for action in ["projects.published", "projects.registered", "projects.registration_closed",
                   "projects.provider_selected", "projects.selection_confirmed", "projects.result_published"]:
        assert action in seen


def test_sweep_command_is_idempotent(owner_user, owner_org, agencies):
    from io import StringIO

    from django.core.management import call_command

    project = make_published(owner_user, owner_org)
    register_all(project, agencies)
    assert services.close_due(AFTER) == [project.code]
    assert services.close_due(AFTER) == []
    out = StringIO()
    call_command("sweep_deadlines", "--only", "projects.transitions", stdout=out)
    assert "projects.transitions: 0" in out.getvalue()


def test_beacon_only_when_named_in_advance(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org)
    register_all(project, agencies)
    with pytest.raises(ValidationError, match="信标"):
        services.select_provider(by=owner_user, project=project, now=AFTER, beacon="12345")
    named = make_published(owner_user, owner_org, beacon_source="上证指数 2026-03-13 收盘价")
    register_all(named, agencies)
    named = services.select_provider(by=owner_user, project=named, now=AFTER, beacon="4012.35")
    assert named.draw_record["beacon"] == "4012.35"
    assert verify_draw.check(named.draw_record) is None


# ---- audit payloads follow the key convention -------------------------------------------------------


def test_registration_entries_carry_primary_keys_and_codes_under_their_names(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org)
    a = agencies[0]
    services.register(by=a.user, project=project, agency=a, quote="90000", now=PUBLISH_AT)
    registered = AuditEntry.objects.get(action="projects.registered")
    assert registered.data == {"project": project.pk, "code": project.code, "agency": a.pk, "uscc": a.uscc,
                               "quoted": True}
    quoted = AuditEntry.objects.get(action="projects.quote_submitted")
    assert (quoted.data["project"], quoted.data["code"]) == (project.pk, project.code)


def test_cancel_goes_through_the_state_machine(owner_user, owner_org):
    project = make_published(owner_user, owner_org)
    services.cancel(by=owner_user, project=project, reason="项目取消立项", now=AFTER)
    project.refresh_from_db()
    assert (project.status, project.status_since) == (Project.Status.CANCELLED, AFTER)
    entry = AuditEntry.objects.get(action="projects.cancelled")
    assert entry.data == {"from": "published", "to": "cancelled", "code": project.code}
