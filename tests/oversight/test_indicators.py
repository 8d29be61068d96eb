"""Every indicator finds its planted pattern, reads its threshold from the policy, and stays silent on clean data."""

import datetime as dt
import random
from decimal import Decimal

import pytest

from marketplace.models import ServiceType
from marketplace.policy import Policy
from oversight.scan import find
from projects.delivery.models import ServiceJob
from tests.factories import member_of
from tests.oversight.planting import AS_OF, agency, direct_pick, owner, round_, service_types_of_distinct_departments

pytestmark = pytest.mark.django_db


def kinds(found, kind):
    return [f for f in found if f.kind == kind]


def policy(**values):
    return Policy(version=99, values=values)


def test_shared_person_finds_a_legal_rep_who_is_a_practitioner_elsewhere_and_a_shared_phone():
    a, b, c = agency(), agency(contact_phone="0573-8501 2345"), agency(contact_phone="057385012345")
    b.practitioners.create(name="张三", resident_id=a.legal_rep_id)
    project = round_(owner=owner(), agencies=[a, b, c], method="draw")
    found = kinds(find(as_of=AS_OF, kinds=["shared_person"]), "shared_person")
    assert {(f.subject, f.key.split(":")[2:]) == (project.code, sorted([a.uscc, b.uscc])) or f.key for f in found}
    pairs = {tuple(f.key.split(":")[2:]) for f in found}
    assert pairs == {tuple(sorted([a.uscc, b.uscc])), tuple(sorted([b.uscc, c.uscc]))}
    by_pair = {tuple(f.key.split(":")[2:]): f for f in found}
    person = by_pair[tuple(sorted([a.uscc, b.uscc]))]
    assert person.severity == "high" and "法定代表人" in person.evidence[0] and "从业人员" in person.evidence[0]
    assert a.legal_rep_id not in " ".join(person.evidence)  # the ID is masked
    assert by_pair[tuple(sorted([b.uscc, c.uscc]))].severity == "medium"


def test_shared_person_needs_both_in_the_same_posting_and_a_shared_login_counts():
    a, b = agency(), agency()
    user = member_of(a.organisation)
    round_(owner=owner(), agencies=[a, agency()], method="draw")
    round_(owner=owner(), agencies=[b, agency()], method="draw")
    assert kinds(find(as_of=AS_OF), "shared_person") == []
    from marketplace.models import Membership

    Membership.objects.create(user=user, organisation=b.organisation)
    round_(owner=owner(), agencies=[a, b], method="draw")
    found = kinds(find(as_of=AS_OF), "shared_person")
    assert len(found) == 1 and "登录邮箱" in found[0].evidence[0]


def test_identical_and_close_quotes_follow_the_policy_percentage():
    o = owner()
    same = round_(owner=o, agencies=[agency(), agency(), agency()], quotes=["80000", "80000", "90000"])
    close = round_(owner=o, agencies=[agency(), agency(), agency()], quotes=["80000", "80600", "95000"])
    found = find(as_of=AS_OF)
    assert [f.subject for f in kinds(found, "identical_quotes")] == [same.code]
    assert "80000" in kinds(found, "identical_quotes")[0].evidence[0]
    assert [f.subject for f in kinds(found, "close_quotes")] == [close.code]  # 0.75 % ≤ 1 %
    assert kinds(find(as_of=AS_OF, policy=policy(risk_close_quote_pct="0.5")), "close_quotes") == []
    exact = round_(owner=o, agencies=[agency(), agency()], quotes=["70700", "71407"])  # 1 % exactly: at most 1 %
    assert exact.code in [f.subject for f in kinds(find(as_of=AS_OF), "close_quotes")]
    assert [f.subject for f in kinds(find(as_of=AS_OF, policy=policy(risk_close_quote_pct="0.99")), "close_quotes")] \
        == [close.code]


def test_quotes_of_draws_and_open_rounds_are_not_read():
    round_(owner=owner(), agencies=[agency(), agency()], quotes=["80000", "80000"], method="draw")
    assert kinds(find(as_of=AS_OF), "identical_quotes") == []


def test_win_concentration_with_the_owners_hhi():
    o, favourite, others = owner(), agency(), [agency() for _ in range(3)]
    for i in range(4):
        round_(owner=o, agencies=[favourite, others[i % 3]], method="draw", day=AS_OF - dt.timedelta(days=10 + i))
    round_(owner=o, agencies=[favourite, others[0]], method="draw", winner=1, day=AS_OF - dt.timedelta(days=30))
    found = kinds(find(as_of=AS_OF), "win_concentration")
    assert [(f.subject, f.agency_id) for f in found] == [(str(o.pk), favourite.pk)]
    assert found[0].metrics["hhi"] == 6800 and found[0].severity == "high"
    assert kinds(find(as_of=AS_OF, policy=policy(risk_concentration_min_awards=6)), "win_concentration") == []
    # Outside the 12 months nothing counts.
    assert kinds(find(as_of=AS_OF + dt.timedelta(days=400)), "win_concentration") == []


def test_split_purchase_direct_picks_under_the_limit_summing_above_it():
    o, a = owner(), agency()
    first = direct_pick(owner=o, agency=a, day=AS_OF - dt.timedelta(days=60), ceiling="60000")
    direct_pick(owner=o, agency=agency(), day=AS_OF - dt.timedelta(days=20), ceiling="55000")
    direct_pick(owner=o, agency=a, day=AS_OF - dt.timedelta(days=15), ceiling="40000", service="HB01")
    found = kinds(find(as_of=AS_OF), "split_purchase")
    assert len(found) == 1 and found[0].subject == str(o.pk) and first.code in found[0].key
    assert "115000" in found[0].evidence[0]
    assert kinds(find(as_of=AS_OF, policy=policy(risk_split_window_days=30)), "split_purchase") == []
    assert kinds(find(as_of=AS_OF, policy=policy(direct_fiscal_limit_yuan="200000")), "split_purchase") == []


def test_high_win_ratio_on_draws_and_the_minimum_number_of_rounds():
    lucky, pool = agency(), [agency() for _ in range(4)]
    for i in range(12):
        round_(owner=owner(), agencies=[lucky, *pool], method="draw", winner=0 if i < 10 else 1,
               day=AS_OF - dt.timedelta(days=5 + i))
    found = kinds(find(as_of=AS_OF), "high_win_ratio")
    assert [f.subject for f in found] == [lucky.uscc]
    assert found[0].metrics["wins"] == 10 and found[0].metrics["rounds"] == 12
    survey = ServiceType.objects.get(code="ZR01").department
    assert found[0].departments == [survey.pk] and survey.name in found[0].evidence[-1]
    assert kinds(find(as_of=AS_OF, policy=policy(risk_win_ratio_min_rounds=13)), "high_win_ratio") == []


def test_short_window_single_bidder_and_discounted_bid():
    o = owner()
    short = round_(owner=o, agencies=[agency(), agency(), agency()], method="draw", window_wd=1, urgent=True)
    single = round_(owner=o, agencies=[agency()], quotes=["90000"])
    cheap = round_(owner=o, agencies=[agency(), agency()], quotes=["50000", "90000"])
    found = find(as_of=AS_OF)
    assert [f.subject for f in kinds(found, "short_window")] == [short.code]
    assert [f.subject for f in kinds(found, "single_bidder")] == [single.code]
    assert [f.subject for f in kinds(found, "discounted_bid")] == [cheap.code]
    changed = find(as_of=AS_OF, policy=policy(risk_short_window_min_wd=1, risk_discount_ratio="0.40"))
    assert kinds(changed, "short_window") == [] and kinds(changed, "discounted_bid") == []


def test_heterogeneous_supplier_wins_under_three_departments():
    a = agency()
    for st in service_types_of_distinct_departments(3):
        round_(owner=owner(), agencies=[a, agency()], method="draw", service=st)
    found = kinds(find(as_of=AS_OF), "heterogeneous_supplier")
    assert [f.subject for f in found] == [a.uscc] and len(found[0].departments) == 3
    assert kinds(find(as_of=AS_OF, policy=policy(risk_heterogeneous_departments=4)), "heterogeneous_supplier") == []


def _job(o, *, signed, materials, late_rating=False):
    from ratings.models import Rating

    a = agency()
    project = round_(owner=o, agencies=[a], method="direct", day=signed - dt.timedelta(days=5))
    job = ServiceJob.objects.create(project=project, agency=a, limit_wd=10, contract_signed_on=signed,
                                    materials_complete_on=materials, started_on=materials, policy_version=1,
                                    status=ServiceJob.Status.RUNNING)
    accepted = signed + dt.timedelta(days=20)
    Rating.objects.create(project=project, agency=a, owner=o, accepted_on=accepted, due_on=accepted + dt.timedelta(14),
                          result="满意", mean=Decimal("5.00"), automatic=late_rating, rated_on=accepted + dt.timedelta(days=15 if late_rating else 2))
    return job


def test_owner_delay_share_of_late_owner_steps():
    slow, quick = owner(), owner()
    base = AS_OF - dt.timedelta(days=90)
    for i in range(2):
        _job(slow, signed=base + dt.timedelta(days=i), materials=base + dt.timedelta(days=30 + i), late_rating=True)
        _job(quick, signed=base + dt.timedelta(days=i), materials=base + dt.timedelta(days=1 + i))
    found = kinds(find(as_of=AS_OF), "owner_delay")
    assert [f.subject for f in found] == [str(slow.pk)]
    assert found[0].metrics == {"steps": 4, "late": 4, "share": 1.0}
    assert kinds(find(as_of=AS_OF, policy=policy(risk_owner_delay_min_steps=5)), "owner_delay") == []


def test_clean_random_marketplace_raises_no_flag():
    rng = random.Random(7)
    agencies = [agency() for _ in range(24)]
    owners = [owner() for _ in range(8)]
    for i in range(40):
        o = owners[i % len(owners)]
        chosen = rng.sample(agencies, 4)
        method = rng.choice(["draw", "lowest"])
        quotes = [str(70000 + 6000 * k + rng.randint(0, 500)) for k in rng.sample(range(5), 4)]
        round_(owner=o, agencies=chosen, method=method, quotes=quotes if method == "lowest" else None,
               winner=quotes.index(min(quotes)) if method == "lowest" else rng.randrange(4),
               day=AS_OF - dt.timedelta(days=rng.randint(1, 300)))
    for o in owners[:4]:
        _job(o, signed=AS_OF - dt.timedelta(days=60), materials=AS_OF - dt.timedelta(days=59))
    direct_pick(owner=owners[0], agency=agencies[0], day=AS_OF - dt.timedelta(days=30), ceiling=Decimal("50000"))
    assert find(as_of=AS_OF) == []
