"""The posting form as a guided flow (issue 16 item 3): method groups, requirement rows from the catalogue,
the agency picker, the preview before publishing, the storefront invitation, and the direct pick's labels."""

import re

import pytest
from django.urls import reverse

from marketplace.models import Organisation, Region
from projects import services
from projects.models import Project
from tests.factories import OrganisationFactory, member_of
from tests.projects.factories import eligible_agency, make_draft, posting_rows

pytestmark = pytest.mark.django_db

BASE = {"title": "平湖市某地块测绘", "service_type": "ZR01", "region": "330482", "scope": "1:500 地形图",
        "ceiling": "100000", "funding": "fiscal", "requested_limit_wd": "10", "qual_mode": "all"}


def post(client, owner_org, **data):
    return client.post(reverse("projects:create"), {"org": owner_org.pk, **BASE, **posting_rows(), **data})


def error_beside(html: str, field_id: str) -> str:
    """The error list rendered for one field (the form's error template gives it id="<field id>_error")."""
    m = re.search(rf'<ul class="errorlist"[^>]*id="{field_id}_error">(.*?)</ul>', html, re.S)
    return m.group(1) if m else ""


# ---- method groups ---------------------------------------------------------------------------------


def test_form_groups_fields_by_method_with_headings(client, owner_user, owner_org):
    client.force_login(owner_user)
    html = client.get(reverse("projects:create")).content.decode()
    groups = dict(re.findall(r'<fieldset class="method-group" data-methods="([^"]+)"[^>]*><legend>([^<]+)', html))
    assert groups["direct"] == "直接选取"
    assert groups["composite"] == "综合评审"
    assert groups["invitation"] == "邀请"
    assert groups["draw invitation"].startswith("随机抽取（适用于：随机抽取、邀请")
    assert "draw lowest composite invitation" in groups
    # Each method-only field sits inside its own group (JS off: everything shows under these headings).
    direct = html.split('data-methods="direct"')[1].split("</fieldset>")[0]
    assert 'name="direct_reason"' in direct and 'name="price_weight"' not in direct
    composite = html.split('data-methods="composite"')[1].split("</fieldset>")[0]
    assert 'name="price_weight"' in composite and 'name="direct_reason"' not in composite
    assert "projects/posting.js" in html and "<script>" not in html
    # Requirements are rows with a catalogue select and a level select, not pipe-separated lines.
    assert 'name="qual-0-qualification_type"' in html and '<option value="测绘资质">' in html
    assert 'name="qual-0-min_level"' in html and 'name="prac-0-kind"' in html and 'name="avoid-0-uscc"' in html
    assert 'name="qualifications"' not in html and "资质类型|最低等级" not in html


def test_direct_pick_ignores_and_clears_other_methods_fields(client, owner_user, owner_org):
    client.force_login(owner_user)
    resp = post(client, owner_org, method="direct", direct_reason="抢险救灾急需", ceiling="50000",
                price_weight="abc", technical_weight="999", beacon_source="某信标", urgent="on",
                invitation_then="draw", invited="NOT-A-CODE", window_wd="7",
                **posting_rows(avoid=[{"uscc": "91330400MA28000010", "name": "", "reason": ""}]))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    p = Project.objects.get()
    assert (p.method, p.direct_reason) == ("direct", "抢险救灾急需")
    assert (p.price_weight, p.technical_weight, p.beacon_source, p.urgent, p.invitation_then, p.window_wd) == (
        None, None, "", False, "", None)
    assert not p.invited_agencies.exists() and not p.avoided.exists()


def test_each_method_validates_its_own_fields(client, owner_user, owner_org):
    client.force_login(owner_user)
    html = post(client, owner_org, method="direct", direct_reason="").content.decode()
    assert "直接选取必须说明理由" in error_beside(html, "id_direct_reason")
    html = post(client, owner_org, method="composite", price_weight="abc").content.decode()
    assert error_beside(html, "id_price_weight")
    html = post(client, owner_org, method="invitation", invitation_then="", invited="").content.decode()
    assert "邀请方式须选择随机抽取或竞价" in error_beside(html, "id_invitation_then")
    assert not Project.objects.exists()
    # The same bad weight does not stop a draw: the composite group is not the draw's.
    assert post(client, owner_org, method="draw", price_weight="abc").status_code == 302
    assert Project.objects.get().price_weight is None


def test_bad_input_keeps_values_and_shows_the_message_beside_the_field(client, owner_user, owner_org):
    client.force_login(owner_user)
    resp = post(client, owner_org, method="invitation", invitation_then="lowest", ceiling="100000", floor="200000",
                invited="91330400MA2800009X",
                **posting_rows(qual=[{"qualification_type": "不存在的资质", "min_level": "2"}],
                               prac=[{"kind": "注册测绘师", "count": "0"}],
                               avoid=[{"uscc": "91330400MA28000010", "name": "某公司", "reason": ""}]))
    html = resp.content.decode()
    assert resp.status_code == 200 and not Project.objects.exists()
    assert "最低限价不能高于最高限价" in error_beside(html, "id_floor")
    assert "91330400MA2800009X" in error_beside(html, "id_invited")
    assert "请从资质目录中选择" in error_beside(html, "id_qual-0-qualification_type")
    assert "人数至少为1" in error_beside(html, "id_prac-0-count")
    assert "回避机构必须说明原因" in error_beside(html, "id_avoid-0-reason")
    # Values stay where they were typed.
    assert 'value="平湖市某地块测绘"' in html and 'value="200000"' in html and 'value="91330400MA2800009X"' in html
    assert 'value="注册测绘师"' in html and 'value="91330400MA28000010"' in html and 'value="某公司"' in html
    assert re.search(r'<option value="invitation" selected>', html)
    assert "the floor cannot exceed the ceiling" not in html  # one language at a time


def test_rows_give_the_service_the_same_requirements(client, owner_user, owner_org, agencies):
    client.force_login(owner_user)
    invited = " ".join(a.uscc for a in agencies)
    resp = post(client, owner_org, method="invitation", invitation_then="draw", invited=invited,
                **posting_rows(qual=[{"qualification_type": "测绘资质", "min_level": "2"},
                                     {"qualification_type": "", "min_level": "3"}],
                               prac=[{"kind": "注册测绘师", "count": "2"}, {"kind": "", "count": "1"}],
                               avoid=[{"uscc": agencies[0].uscc.lower(), "name": "", "reason": "业主下属单位"}]))
    assert resp.status_code == 302
    p = Project.objects.get()
    assert list(p.required_qualifications.values_list("qualification_type", "min_level")) == [("测绘资质", 2)]
    assert list(p.required_practitioners.values_list("kind", "count")) == [("注册测绘师", 2)]
    avoided = p.avoided.get()
    assert (avoided.uscc, avoided.name) == (agencies[0].uscc, agencies[0].name)  # the name comes from the register
    assert set(p.invited_agencies.all()) == set(agencies)


def test_edit_shows_saved_rows_and_keeps_an_uncatalogued_type(client, owner_user, owner_org):
    project = make_draft(owner_user, owner_org, qualifications=[("旧目录资质", 1)], practitioners=[("注册测绘师", 3)])
    client.force_login(owner_user)
    html = client.get(reverse("projects:edit", args=[project.code])).content.decode()
    assert '<option value="旧目录资质" selected>' in html
    assert 'name="prac-0-kind" value="注册测绘师"' in html.replace(' list="practitioner-kinds"', "").replace(
        ' maxlength="100"', "").replace(' id="id_prac-0-kind"', "")
    data = {"org": owner_org.pk, **BASE, "method": "draw",
            **posting_rows(qual=[{"qualification_type": "旧目录资质", "min_level": "1"}])}
    assert client.post(reverse("projects:edit", args=[project.code]), data).status_code == 302
    assert list(project.required_qualifications.values_list("qualification_type", flat=True)) == ["旧目录资质"]
    assert not project.required_practitioners.exists()


# ---- preview, then publish ---------------------------------------------------------------------------


def test_save_goes_to_the_preview_which_publishes_after_confirmation(client, owner_user, owner_org):
    client.force_login(owner_user)
    resp = post(client, owner_org, method="draw")
    project = Project.objects.get()
    assert resp["Location"] == reverse("projects:preview", args=[project.code])
    html = client.get(resp["Location"]).content.decode()
    assert project.status == "draft" and "平湖市某地块测绘" in html and "1:500 地形图" in html
    assert "发布时按工作日计算" in html
    form = re.search(r'<form method="post" action="([^"]+)" data-confirm="([^"]+)">', html)
    assert form.group(1) == reverse("projects:publish", args=[project.code]) and "确认发布" in form.group(2)
    assert reverse("projects:edit", args=[project.code]) in html
    client.post(form.group(1))
    project.refresh_from_db()
    assert project.status == "published"
    # Once published there is nothing to preview: the page sends the owner to the posting.
    assert client.get(reverse("projects:preview", args=[project.code]))["Location"] == reverse(
        "projects:detail", args=[project.code])


@pytest.mark.parametrize("who", ["anon", "agency", "other_owner", "regulator"])
def test_preview_refused_to_others(client, owner_user, owner_org, other_owner_user, regulator_user, agencies, who):
    project = make_draft(owner_user, owner_org)
    user = {"anon": None, "agency": agencies[0].user, "other_owner": other_owner_user,
            "regulator": regulator_user}[who]
    if user:
        client.force_login(user)
    resp = client.get(reverse("projects:preview", args=[project.code]))
    if who == "anon":
        assert resp.status_code == 302 and "/accounts/login" in resp["Location"]
    else:
        assert resp.status_code in (403, 404)
        assert "平湖市某道路工程地形测绘" not in resp.content.decode()


# ---- the agency picker -----------------------------------------------------------------------------


def test_agency_lookup_finds_by_name_or_code_for_owners(client, owner_user, agencies):
    client.force_login(owner_user)
    url = reverse("projects:agency_lookup")
    target = agencies[1]
    by_name = client.get(url, {"q": target.name}).json()["results"]
    assert {"uscc": target.uscc, "name": target.name} in by_name
    by_code = client.get(url, {"q": target.uscc[:12].lower()}).json()["results"]
    assert target.uscc in [r["uscc"] for r in by_code]
    assert client.get(url, {"q": ""}).json() == {"results": []}
    assert client.get(url, {"q": "没有这样的机构名称"}).json() == {"results": []}


@pytest.mark.parametrize("who", ["anon", "agency", "regulator", "plain"])
def test_agency_lookup_refused_to_non_owners(client, agencies, regulator_user, who):
    user = {"anon": None, "agency": agencies[0].user, "regulator": regulator_user,
            "plain": member_of(OrganisationFactory(kind=Organisation.Kind.REGULATOR, name="某局"))}[who]
    if user:
        client.force_login(user)
    resp = client.get(reverse("projects:agency_lookup"), {"q": agencies[0].name})
    if who == "anon":
        assert resp.status_code == 302 and "/accounts/login" in resp["Location"]
    else:
        assert resp.status_code == 403
        assert agencies[0].uscc not in resp.content.decode()


# ---- the storefront invitation ---------------------------------------------------------------------


def test_invitation_prefills_method_agency_service_type_and_region(client, owner_user):
    agency = eligible_agency(region=Region.objects.get(code="330482"))
    client.force_login(owner_user)
    resp = client.get(reverse("projects:create"), {"invite": agency.uscc})
    form = resp.context["form"]
    assert form.initial == {"method": "invitation", "invited": agency.uscc, "service_type": "ZR01",
                            "region": "330482"}
    html = resp.content.decode()
    assert '<option value="ZR01" selected>' in html and '<option value="330482" selected>' in html
    assert f'value="{agency.uscc}"' in html
    # A link that names a service the agency offers keeps it; one it does not offer falls back to an offered one.
    assert client.get(reverse("projects:create"), {"invite": agency.uscc, "service_type": "HB01"}).context[
        "form"].initial["service_type"] == "ZR01"


# ---- a direct pick's states and dates ----------------------------------------------------------------


def test_direct_pick_shows_no_registration_state_deadline_or_commitment(client, owner_user, owner_org):
    project = make_draft(owner_user, owner_org, method="direct", direct_reason="抢险救灾急需",
                         ceiling="50000")
    project = services.publish(by=owner_user, project=project)
    for user in (None, owner_user):
        client.logout()
        if user:
            client.force_login(user)
        html = client.get(reverse("projects:detail", args=[project.code])).content.decode()
        assert "待指定机构" in html
        assert "报名中" not in html and "报名截止" not in html and 'id="deadline"' not in html
        assert 'id="commitment"' not in html and "抽签承诺值" not in html
    listing = client.get(reverse("projects:list")).content.decode()
    row = listing.split(project.code)[2].split("</tr>")[0]
    assert "待指定机构" in row and "报名中" not in row and project.registration_deadline.strftime("%Y-%m-%d") not in row
    # A draw keeps its own words.
    draw = services.publish(by=owner_user, project=make_draft(owner_user, owner_org))
    html = client.get(reverse("projects:detail", args=[draw.code])).content.decode()
    assert "报名中" in html and 'id="deadline"' in html and 'id="commitment"' in html


def test_agency_is_not_offered_posting_on_the_list(client, agencies, owner_user):
    client.force_login(agencies[0].user)
    html = client.get(reverse("projects:list")).content.decode()
    assert reverse("projects:create") not in html and "发布采购需求" not in html
    client.force_login(owner_user)
    assert reverse("projects:create") in client.get(reverse("projects:list")).content.decode()


# ---- the result's objection ----------------------------------------------------------------------------


def test_the_winner_is_not_offered_an_objection_to_its_own_award(client, owner_user, owner_org, agencies):
    import datetime as dt

    from django.core.exceptions import ValidationError

    from projects import selectors
    from tests.projects.factories import AFTER
    from tests.projects.test_services import _to_publicity

    project = _to_publicity(owner_user, owner_org, agencies)
    today = dt.date(2026, 3, 16)
    winner = project.selected
    loser = next(r for r in project.registrations.all() if r.pk != winner.pk)
    assert "object" not in selectors.project_actions(project, is_owner=False, is_agency=True, my_reg=winner,
                                                     now=AFTER, today=today)
    assert "object" in selectors.project_actions(project, is_owner=False, is_agency=True, my_reg=loser,
                                                 now=AFTER, today=today)
    winner_user = next(a.user for a in agencies if a.pk == winner.agency_id)
    with pytest.raises(ValidationError, match="中选机构不能对自己的中选结果提出质疑"):
        services.file_objection(by=winner_user, project=project, registration=winner,
                                text="对自己的中选结果提出质疑，理由如下。", now=AFTER)
    assert not project.objections.exists()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_form_errors_and_preview_speak_one_language(client, owner_user, owner_org, language):
    from tests.ui.pages import content_corpus, leaks

    client.cookies["django_language"] = language
    client.force_login(owner_user)
    bad = post(client, owner_org, method="composite", floor="999999", price_weight="abc",
               **posting_rows(prac=[{"kind": "注册测绘师", "count": "0"}])).content.decode()
    resp = post(client, owner_org, method="draw",
                **posting_rows(qual=[{"qualification_type": "测绘资质", "min_level": "2"}],
                               prac=[{"kind": "注册测绘师", "count": "2"}],
                               avoid=[{"uscc": "91330400MA28000010", "name": "某公司", "reason": "业主下属单位"}]))
    preview = client.get(resp["Location"]).content.decode()
    form = client.get(reverse("projects:edit", args=[Project.objects.get().code])).content.decode()
    content = content_corpus()
    for html in (bad, preview, form):
        assert leaks(html, english=language == "en", content=content) == []
    if language == "en":
        assert "grade 2 or higher" in preview and "Confirm and publish" in preview
