"""Eligibility as a pure function: each refusal reason, alone and combined."""

import datetime as dt

import pytest

from projects.eligibility import AgencyFacts, PractitionerFacts, QualificationFacts, Requirements, refusal_reasons

DAY = dt.date(2026, 3, 13)
GOOD = AgencyFacts(
    uscc="91330482MA2B00001G", service_types=frozenset({"ZR01"}),
    qualifications=(QualificationFacts("测绘资质", 2, dt.date(2024, 1, 1), dt.date(2027, 1, 1)),
                    QualificationFacts("工程勘察", 1, None, dt.date(2026, 3, 12))),
    practitioners=(PractitionerFacts("注册测绘师"), PractitionerFacts("注册测绘师", dt.date(2026, 3, 13))),
    legal_rep_id="11010519491231002X",
)
REQ = Requirements(service_type="ZR01", method="draw", qualifications=(("测绘资质", 2),),
                   practitioners=(("注册测绘师", 2),))


def codes(facts=GOOD, req=REQ, **kw):
    return [r.code for r in refusal_reasons(facts, req, on=DAY, **kw)]


def replace(obj, **kw):
    import dataclasses

    return dataclasses.replace(obj, **kw)


def test_good_agency_is_eligible():
    assert codes() == []


@pytest.mark.parametrize(("change", "code"), [
    ({"status": "suspended"}, "suspended"),
    ({"suspended_until": dt.date(2026, 3, 14)}, "suspended"),
    ({"status": "removed"}, "removed"),
    ({"status": "blacklisted"}, "blacklisted"),
    ({"blacklisted": True}, "blacklisted"),
    ({"status": "submitted"}, "not_admitted"),
    ({"grade": "D"}, "grade_d"),
    ({"grade": "C"}, "grade_c_draw"),
    ({"serious_dishonesty": True}, "serious_dishonesty"),
    ({"service_types": frozenset({"HB01"})}, "service"),
    ({"qualifications": ()}, "qualification"),
    ({"qualifications": (QualificationFacts("测绘资质", 3),)}, "qualification"),  # level too low (1 is highest)
    ({"qualifications": (QualificationFacts("测绘资质", 1, None, dt.date(2026, 3, 12)),)}, "qualification"),
    ({"qualifications": (QualificationFacts("测绘资质", 1, dt.date(2026, 3, 14)),)}, "qualification"),
    ({"practitioners": (PractitionerFacts("注册测绘师"),)}, "practitioners"),
    ({"practitioners": (PractitionerFacts("注册测绘师"), PractitionerFacts("注册测绘师", dt.date(2026, 3, 12)))},
     "practitioners"),
])
def test_each_refusal(change, code):
    assert code in codes(replace(GOOD, **change))


def test_suspension_ending_today_no_longer_blocks():
    assert codes(replace(GOOD, suspended_until=DAY)) == []


def test_grade_c_allowed_outside_draws():
    assert codes(replace(GOOD, grade="C"), replace(REQ, method="lowest")) == []
    assert "grade_d" in codes(replace(GOOD, grade="D"), replace(REQ, method="lowest"))


def test_qualification_valid_on_its_last_day():
    q = (QualificationFacts("测绘资质", 2, None, DAY),)
    assert codes(replace(GOOD, qualifications=q)) == []


def test_any_of_versus_all_of():
    req_all = replace(REQ, qualifications=(("测绘资质", 2), ("工程勘察", 1)), qual_mode="all")
    req_any = replace(req_all, qual_mode="any")
    assert "qualification" in codes(GOOD, req_all)  # 工程勘察 expired the day before
    assert codes(GOOD, req_any) == []
    none = replace(GOOD, qualifications=())
    assert "qualification" in codes(none, req_any)


def test_avoidance_list_gives_the_reason():
    req = replace(REQ, avoided={GOOD.uscc: "曾参与本项目前期咨询"})
    reasons = refusal_reasons(GOOD, req, on=DAY)
    assert [r.code for r in reasons] == ["avoided"]
    assert "曾参与本项目前期咨询" in str(reasons[0])


def test_same_legal_representative_later_registration_refused():
    assert "same_legal_rep" in codes(earlier_legal_reps={"11010519491231002X"})
    assert codes(earlier_legal_reps={"110105194912310021"}) == []


def test_invitation_only_invited():
    req = replace(REQ, invited=frozenset({"91330400MA28000010"}))
    assert "not_invited" in codes(GOOD, req)
    assert codes(GOOD, replace(REQ, invited=frozenset({GOOD.uscc}))) == []


def test_reasons_are_bilingual_and_accumulate():
    bad = replace(GOOD, grade="D", service_types=frozenset())
    reasons = refusal_reasons(bad, REQ, on=DAY)
    assert {r.code for r in reasons} == {"grade_d", "service"}
    for r in reasons:
        assert r.zh and r.en and " / " in str(r)
