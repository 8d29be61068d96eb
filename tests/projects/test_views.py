"""Views: who may do what (anonymous, other owner, agency, out-of-scope regulator), sealed quotes, forms."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.models import Organisation, Region
from projects import services
from projects.models import Project
from tests.factories import OrganisationFactory, member_of
from tests.projects.factories import (
    AFTER,
    PUBLISH_AT,
    eligible_agency,
    make_draft,
    make_published,
    register_all,
)
from tests.projects.factories import (
    posting_rows as rows,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def out_of_scope_regulator(db):
    org = OrganisationFactory(kind=Organisation.Kind.REGULATOR, name="嘉善县监管")
    org.scope_regions.add(Region.objects.get(code="330421"))
    return member_of(org)


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def test_public_list_and_detail(client, owner_user, owner_org, django_assert_max_num_queries):
    draft = make_draft(owner_user, owner_org)
    for _ in range(3):
        make_published(owner_user, owner_org)
    with django_assert_max_num_queries(12):
        resp = client.get(reverse("projects:list"))
    assert resp.status_code == 200
    for _ in range(10):
        make_published(owner_user, owner_org)
    with django_assert_max_num_queries(12):
        resp = client.get(reverse("projects:list"))
    assert draft.code not in resp.content.decode()
    live = Project.objects.filter(status="published").first()
    page = client.get(reverse("projects:detail", args=[live.code])).content.decode()
    assert live.draw_commitment in page and live.draw_secret not in page
    assert client.get(reverse("projects:detail", args=[draft.code])).status_code == 404


def test_draft_hidden_from_everyone_but_its_owner(client, owner_user, owner_org, other_owner_user, agencies,
                                                  regulator_user):
    draft = make_draft(owner_user, owner_org)
    url = reverse("projects:detail", args=[draft.code])
    for user in [other_owner_user, agencies[0].user, regulator_user]:
        client.logout()
        assert login(client, user).get(url).status_code == 404
    client.logout()
    assert login(client, owner_user).get(url).status_code == 200


def test_quotes_sealed_in_views_for_everyone(client, owner_user, owner_org, agencies, operator_user):
    project = make_published(owner_user, owner_org, method="lowest")
    register_all(project, agencies, quotes=["91234.56", "87654.32", "85555.55"])
    url = reverse("projects:detail", args=[project.code])
    for user in [None, owner_user, agencies[0].user, operator_user]:
        client.logout()
        body = login(client, user).get(url).content.decode()
        for amount in ["91234", "87654", "85555"]:
            assert amount not in body
        # The dashboard panels don't leak them either.
    client.logout()
    login(client, owner_user)
    body = client.get(reverse("dashboard_role", args=["owner", owner_org.pk])).content.decode()
    assert "87654" not in body
    services.close_registration(project=project, now=AFTER)
    body = client.get(url).content.decode()
    assert "¥87,654.32" in body  # the owner sees them once the window has closed (one money format)


@pytest.mark.parametrize("who", ["anon", "other_owner", "agency", "regulator"])
@pytest.mark.parametrize("name", ["edit", "publish", "cancel", "select", "revise", "contract", "republish",
                                  "end_publicity", "direct", "scores"])
def test_owner_actions_refused(client, owner_user, owner_org, other_owner_user, agencies, regulator_user, who, name):
    project = make_draft(owner_user, owner_org) if name in ("edit", "publish") else make_published(owner_user,
                                                                                                   owner_org)
    user = {"anon": None, "other_owner": other_owner_user, "agency": agencies[0].user,
            "regulator": regulator_user}[who]
    login(client, user)
    url = reverse(f"projects:{name}", args=[project.code])
    resp = client.post(url, {"reason": "x", "uscc": agencies[0].uscc}) if name not in ("edit", "revise",
                                                                                      "contract", "scores") \
        else client.get(url)
    if who == "anon":
        assert resp.status_code == 302 and "/accounts/login" in resp["Location"]
    else:
        assert resp.status_code in (403, 404)
    project.refresh_from_db()
    assert project.status in ("draft", "published")


def test_create_and_publish_through_views(client, owner_user, owner_org):
    login(client, owner_user)
    resp = client.post(reverse("projects:create"), {
        "org": owner_org.pk, "title": "平湖市某地块测绘", "service_type": "ZR01", "region": "330482", "scope": "x",
        "ceiling": "100000", "funding": "fiscal", "method": "draw", "requested_limit_wd": 10, "qual_mode": "all",
        **rows(qual=[{"qualification_type": "测绘资质", "min_level": 2}], prac=[{"kind": "注册测绘师", "count": 1}],
               avoid=[{"uscc": "91330400MA28000010", "name": "某公司", "reason": "业主下属单位"}]),
    })
    assert resp.status_code == 302
    project = Project.objects.get(title="平湖市某地块测绘")
    assert project.avoided.get().reason == "业主下属单位"
    assert project.required_qualifications.get().min_level == 2
    client.post(reverse("projects:publish", args=[project.code]))
    project.refresh_from_db()
    assert project.status == "published"


def test_create_form_bad_input_messages(client, owner_user, owner_org):
    login(client, owner_user)
    resp = client.post(reverse("projects:create"), {
        "title": "x", "service_type": "ZR01", "region": "330482", "ceiling": "100000", "floor": "200000",
        "funding": "fiscal", "method": "draw", "requested_limit_wd": 10, "qual_mode": "all",
        **rows(avoid=[{"uscc": "91330400MA28000010", "name": "某公司", "reason": ""}]),
    })
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "回避机构必须说明原因" in body and "every avoided agency needs a reason" not in body
    assert "最低限价不能高于最高限价" in body and "the floor cannot exceed the ceiling" not in body
    assert "Constraint" not in body
    assert not Project.objects.exists()


def test_agency_register_and_refusal_message(client, owner_user, owner_org, agencies):
    from django.utils import timezone

    project = make_published(owner_user, owner_org, method="lowest", floor="50000", now=timezone.now())
    login(client, agencies[0].user)
    url = reverse("projects:register", args=[project.code])
    resp = client.post(url, {"quote": "45000"}, follow=True)
    assert "不能低于最低价" in resp.content.decode()
    assert not project.registrations.exists()
    resp = client.post(url, {"quote": "60000"})
    assert resp.status_code == 302 and project.registrations.count() == 1


@pytest.mark.parametrize("who", ["owner", "regulator", "other_owner"])
def test_register_refused_for_non_agencies(client, owner_user, owner_org, other_owner_user, regulator_user, who):
    project = make_published(owner_user, owner_org)
    user = {"owner": owner_user, "regulator": regulator_user, "other_owner": other_owner_user}[who]
    login(client, user)
    assert client.post(reverse("projects:register", args=[project.code]), {}).status_code == 403
    assert client.get(reverse("projects:register", args=[project.code])).status_code == 403


def _confirming(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org)
    register_all(project, agencies)
    return services.select_provider(by=owner_user, project=project, now=AFTER)


@pytest.mark.parametrize("name", ["confirm", "refuse", "justify", "object"])
def test_agency_actions_refused_for_others(client, owner_user, owner_org, agencies, regulator_user, name):
    project = _confirming(owner_user, owner_org, agencies)
    outsider = eligible_agency()
    for user in [owner_user, regulator_user, outsider.user]:
        client.logout()
        login(client, user)
        resp = client.post(reverse(f"projects:{name}", args=[project.code]), {"reason": "x", "text": "x" * 20})
        assert resp.status_code == 403
    client.logout()
    assert client.post(reverse(f"projects:{name}", args=[project.code])).status_code == 302
    project.refresh_from_db()
    assert project.status == "confirming"


def test_non_selected_registrant_cannot_confirm(client, owner_user, owner_org, agencies):
    project = _confirming(owner_user, owner_org, agencies)
    other = next(a for a in agencies if a.pk != project.selected.agency_id)
    login(client, other.user)
    resp = client.post(reverse("projects:confirm", args=[project.code]), follow=True)
    assert "没有待确认的中选" in resp.content.decode()
    project.refresh_from_db()
    assert project.status == "confirming"


def _publicity(owner_user, owner_org, agencies):
    project = _confirming(owner_user, owner_org, agencies)
    user = next(a.user for a in agencies if a.pk == project.selected.agency_id)
    return services.confirm_selection(by=user, registration=project.selected, now=AFTER)


def test_objection_answer_permissions(client, owner_user, owner_org, agencies, regulator_user,
                                      out_of_scope_regulator):
    project = _publicity(owner_user, owner_org, agencies)
    loser = next(r for r in project.registrations.all() if r.pk != project.selected_id)
    loser_user = next(a.user for a in agencies if a.pk == loser.agency_id)
    objection = services.file_objection(by=loser_user, project=project, registration=loser,
                                        text="中选机构的资质已过期，请核查。", now=AFTER)
    url = reverse("projects:objection_answer", args=[objection.pk])
    for user in [owner_user, loser_user, out_of_scope_regulator]:
        client.logout()
        login(client, user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"answer": "x", "upheld": "1"}).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    login(client, regulator_user)
    body = client.get(reverse("dashboard_role", args=["regulator", regulator_user.memberships.get()
                                                      .organisation_id])).content.decode()
    assert project.code in body
    resp = client.post(url, {"answer": "经核查资质有效。", "upheld": "0"})
    assert resp.status_code == 302
    objection.refresh_from_db()
    assert objection.outcome == "rejected"


def test_contract_upload_and_private_download(client, owner_user, owner_org, agencies, other_owner_user,
                                              regulator_user, out_of_scope_regulator):
    project = _publicity(owner_user, owner_org, agencies)
    services.end_publicity(project=project, now=dt.datetime(2026, 3, 19, 9, 0, tzinfo=PUBLISH_AT.tzinfo))
    login(client, owner_user)
    url = reverse("projects:contract", args=[project.code])
    resp = client.post(url, {"signed_on": "2026-03-20", "file": SimpleUploadedFile("c.pdf", b"GIF89a")}, follow=True)
    assert "不是PDF" in resp.content.decode()
    resp = client.post(url, {"signed_on": "2026-03-20", "file": SimpleUploadedFile("c.pdf", PDF)})
    assert resp.status_code == 302
    project.refresh_from_db()
    assert project.status == "in_service"
    from django.conf import settings

    assert project.contract_file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    file_url = reverse("projects:contract_file", args=[project.code])
    assert b"".join(client.get(file_url).streaming_content) == PDF
    selected_user = next(a.user for a in agencies if a.pk == project.selected.agency_id)
    loser_user = next(a.user for a in agencies if a.pk != project.selected.agency_id)
    for user, ok in [(selected_user, True), (regulator_user, True), (other_owner_user, False), (loser_user, False),
                     (out_of_scope_regulator, False), (None, False)]:
        client.logout()
        login(client, user)
        assert (client.get(file_url).status_code == 200) is ok


def test_dashboards_show_whose_turn_and_offers(client, owner_user, owner_org, agencies):
    project = _confirming(owner_user, owner_org, agencies)
    login(client, owner_user)
    body = client.get(reverse("dashboard_role", args=["owner", owner_org.pk])).content.decode()
    assert project.code in body and "中选机构确认" in body
    selected = next(a for a in agencies if a.pk == project.selected.agency_id)
    client.logout()
    login(client, selected.user)
    body = client.get(reverse("dashboard_role", args=["agency", selected.organisation_id])).content.decode()
    assert "待确认的中选" in body and project.code in body


def test_detail_renders_in_every_stage_for_every_role(client, owner_user, owner_org, agencies, regulator_user):
    """Walk one project through every stage and render its page for each role at each step."""
    project = make_draft(owner_user, owner_org)
    selected_user = None

    def render_all():
        users = [owner_user, None, regulator_user, *[a.user for a in agencies]]
        if project.status == "draft":
            users = [owner_user]
        for user in users:
            client.logout()
            login(client, user)
            resp = client.get(reverse("projects:detail", args=[project.code]))
            assert resp.status_code == 200, (project.status, user)
        client.logout()
        login(client, owner_user)
        assert client.get(reverse("dashboard_role", args=["owner", owner_org.pk])).status_code == 200

    render_all()
    project = services.publish(by=owner_user, project=project, now=PUBLISH_AT)
    render_all()
    register_all(project, agencies)
    project = services.close_registration(project=project, now=AFTER)
    render_all()
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    render_all()
    selected_user = next(a.user for a in agencies if a.pk == project.selected.agency_id)
    project = services.confirm_selection(by=selected_user, registration=project.selected, now=AFTER)
    loser = next(r for r in project.registrations.all() if r.pk != project.selected_id)
    loser_user = next(a.user for a in agencies if a.pk == loser.agency_id)
    services.file_objection(by=loser_user, project=project, registration=loser, text="资质存疑，请监管部门核查。",
                            now=AFTER)
    render_all()
    objection = project.objections.get()
    services.answer_objection(by=regulator_user, objection=objection, upheld=False, answer="资质有效。", now=AFTER)
    project = services.end_publicity(project=project, now=dt.datetime(2026, 3, 19, 9, 0, tzinfo=PUBLISH_AT.tzinfo))
    render_all()
    project = services.upload_contract(by=owner_user, project=project, upload=SimpleUploadedFile("c.pdf", PDF),
                                       signed_on=dt.date(2026, 3, 20),
                                       now=dt.datetime(2026, 3, 20, 10, 0, tzinfo=PUBLISH_AT.tzinfo))
    render_all()
    assert project.status == "in_service"


@pytest.mark.parametrize("who", ["anon", "agency", "regulator"])
def test_create_refused_for_non_owners(client, agencies, regulator_user, who):
    user = {"anon": None, "agency": agencies[0].user, "regulator": regulator_user}[who]
    login(client, user)
    resp = client.post(reverse("projects:create"), {"title": "x"})
    assert resp.status_code == (302 if who == "anon" else 403)
    assert not Project.objects.exists()


@pytest.mark.parametrize("who", ["anon", "other_owner", "low_agency", "regulator"])
def test_decide_justification_refused(client, owner_user, owner_org, other_owner_user, regulator_user, who):
    agencies = [eligible_agency() for _ in range(4)]
    project = make_published(owner_user, owner_org, method="lowest")
    register_all(project, agencies, quotes=["100000", "95000", "90000", "60000"])
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    low = project.registrations.get(agency=agencies[3])
    services.submit_justification(by=agencies[3].user, registration=low, text="已有现成控制网数据，成本较低。", now=AFTER)
    user = {"anon": None, "other_owner": other_owner_user, "low_agency": agencies[3].user,
            "regulator": regulator_user}[who]
    login(client, user)
    resp = client.post(reverse("projects:decide_justification", args=[project.code, low.pk]), {"accept": "1"})
    assert resp.status_code in (302, 403, 404)
    if who == "anon":
        assert "/accounts/login" in resp["Location"]
    else:
        assert resp.status_code in (403, 404)
    low.refresh_from_db()
    assert low.justification == "submitted"


def test_owner_dashboard_query_count_is_fixed(client, owner_user, owner_org, agencies, django_assert_max_num_queries):
    def build(n):
        for _ in range(n):
            project = make_published(owner_user, owner_org)
            register_all(project, agencies)
            project = services.select_provider(by=owner_user, project=project, now=AFTER)
            user = next(a.user for a in agencies if a.pk == project.selected.agency_id)
            services.confirm_selection(by=user, registration=project.selected, now=AFTER)

    login(client, owner_user)
    url = reverse("dashboard_role", args=["owner", owner_org.pk])
    build(2)
    client.get(url)
    with django_assert_max_num_queries(20) as ctx:
        client.get(url)
    first = len(ctx.captured_queries)
    build(6)
    with django_assert_max_num_queries(first):
        body = client.get(url).content.decode()
    assert body.count("中选公示") >= 8
