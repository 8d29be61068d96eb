"""The operator's policy editor: labels, units, ranges and help from one metadata table; range errors beside
the field with the values kept; a diff to review before a new version is adopted (issue 16, item 8)."""

import pytest
from django.urls import reverse

from marketplace.accounts.services import add_member
from marketplace.models import AuditEntry, Organisation, PolicyVersion
from marketplace.policy import DEFAULTS, validate
from marketplace.policy_form import PolicyForm
from marketplace.policy_meta import META
from tests.factories import OrganisationFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db
URL = "marketplace_policy"


def test_every_policy_key_has_metadata():
    assert set(META) == set(DEFAULTS)
    for key, meta in META.items():
        assert str(meta.label) and str(meta.help) and str(meta.unit), key
        if isinstance(DEFAULTS[key], dict):
            assert set(meta.parts) == set(DEFAULTS[key]), key
        if meta.lo is not None:
            values = DEFAULTS[key].values() if isinstance(DEFAULTS[key], dict) else [DEFAULTS[key]]
            assert all(meta.lo <= type(meta.lo)(str(v)) <= meta.hi for v in values), key


def test_validate_refuses_values_outside_the_range():
    with pytest.raises(Exception) as exc:
        validate({"publicity_wd": 99})
    assert "结果公示期须在1到30之间" in str(exc.value)
    with pytest.raises(Exception):
        validate({"registration_close_time": "25:00"})


def _form_data(**changes):
    form = PolicyForm(current=dict(DEFAULTS))
    data = {}
    for name, _field in form.fields.items():
        value = form.initial.get(name)
        if name == "credit_forcing_codes":
            data[name] = list(value or [])
        elif value is not None:
            data[name] = str(value)
    data.update(changes)
    return data


@pytest.fixture
def operator(operator_org, client):
    user = UserFactory()
    add_member(by=None, organisation=operator_org, user=user, role="admin", check=False)
    client.force_login(user)
    return user


def test_editor_shows_labels_units_and_help_without_codes(client, operator):
    html = client.get(reverse(URL)).content.decode()
    assert "结果公示期" in html and "允许范围：1–30" in html and "工作日" in html
    assert "w-field__input" in html  # Wagtail's field styling (bordered inputs)
    for key in ("publicity_wd", "credit_deductions", "eval_unsat"):
        assert f">{key}<" not in html and f"{key}：" not in html
    assert "&quot;price&quot;" not in html and '"eval_basic":' not in html  # no raw JSON


def test_editor_in_english_has_english_labels(client, operator):
    from tests.factories import prefer_english

    prefer_english(operator)
    html = client.get(reverse(URL)).content.decode()
    assert "Result publicity period" in html and "allowed range: 1–30" in html and "结果公示期" not in html
    resp = client.post(reverse(URL), _form_data(publicity_wd="45", note="x", step="review"))
    assert resp.context["form"].errors["publicity_wd"] == ["Result publicity period must be between 1 and 30"]


def test_review_shows_diff_then_confirm_adopts_with_audit(client, operator):
    resp = client.post(reverse(URL), _form_data(publicity_wd="5", note="本地规定", step="review"))
    assert resp.status_code == 200
    assert resp.context["reviewing"]
    assert [(r["label"], r["old"], r["new"]) for r in resp.context["changes"]] == [("结果公示期", "3 工作日", "5 工作日")]
    assert PolicyVersion.objects.count() == 1  # nothing saved yet
    resp = client.post(reverse(URL), _form_data(publicity_wd="5", note="本地规定", step="confirm"))
    assert resp.status_code == 302
    latest = PolicyVersion.objects.latest("version")
    assert latest.version == 2 and latest.data["publicity_wd"] == 5 and latest.note == "本地规定"
    entry = AuditEntry.objects.get(action="marketplace.policy_adopted")
    assert entry.reason == "本地规定" and entry.data["version"] == 2


def test_dict_parts_and_forcing_codes_are_edited_as_fields(client, operator):
    data = _form_data(credit_deductions__eval_unsat="7", note="调整扣分", step="confirm")
    data["credit_forcing_codes"] = ["fraud"]
    resp = client.post(reverse(URL), data)
    assert resp.status_code == 302
    latest = PolicyVersion.objects.latest("version").data
    assert latest["credit_deductions"]["eval_unsat"] == 7 and latest["credit_forcing_codes"] == ["fraud"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("publicity_wd", "45", "结果公示期须在1到30之间"),
    ("publicity_wd", "three", "结果公示期须为整数"),
    ("clock_yellow_ratio", "1.5", "计时黄灯比例须在0.1到1之间"),
    ("credit_deductions__eval_unsat", "500", "扣分标准须在0到100之间"),
    ("composite_weights__price", "40", "综合评审权重之和须为100"),
    ("note", "", "请说明修改原因"),
])
def test_bad_value_is_shown_beside_the_field_and_kept(client, operator, field, value, message):
    resp = client.post(reverse(URL), _form_data(**{"note": "调整", "step": "confirm", field: value}))
    assert resp.status_code == 200
    errors = resp.context["form"].errors[field]
    assert any(message in e for e in errors) and not any(" / " in e for e in errors)
    assert not resp.context["reviewing"]
    html = resp.content.decode()
    if value:
        assert f'value="{value}"' in html
    assert PolicyVersion.objects.count() == 1


def test_no_change_is_refused(client, operator):
    resp = client.post(reverse(URL), _form_data(note="无", step="review"))
    assert "没有修改任何参数" in resp.content.decode()
    assert PolicyVersion.objects.count() == 1


@pytest.mark.parametrize("who", ["anon", "agency", "owner", "regulator"])
def test_policy_editor_refused(client, who, owner_user, regulator_user):
    user = {"anon": None, "owner": owner_user, "regulator": regulator_user,
            "agency": member_of(OrganisationFactory(kind=Organisation.Kind.AGENCY))}[who]
    if user:
        client.force_login(user)
    assert client.get(reverse(URL)).status_code in (302, 403)
    resp = client.post(reverse(URL), _form_data(publicity_wd="9", note="x", step="confirm"))
    assert resp.status_code in (302, 403)
    assert PolicyVersion.objects.count() == 1


def test_english_policy_page_has_no_chinese(client, operator):
    import re

    from tests.factories import prefer_english

    prefer_english(operator)
    html = client.get(reverse(URL)).content.decode()
    text = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S)
    leaked = sorted(set(re.findall(r"[\u4e00-\u9fff][^<>\n]{0,20}", text)))
    assert not leaked, leaked
