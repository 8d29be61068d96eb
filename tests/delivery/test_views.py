"""Job pages: who may see, who may act, and what bad input does."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.models import AuditEntry, Department, Organisation, Region
from projects.delivery import services
from projects.delivery.models import ClockPause, Deliverable, Extension, ServiceJob
from tests.delivery.conftest import D, at
from tests.delivery.files import PDF, pdf
from tests.factories import OrganisationFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def department_regulator_user(db):
    org = OrganisationFactory(kind=Organisation.Kind.REGULATOR, name="生态环境局")
    org.scope_departments.add(Department.objects.get(name="生态环境"))
    return member_of(org)


@pytest.fixture
def scoped_regulator_user(db):
    org = OrganisationFactory(kind=Organisation.Kind.REGULATOR, name="嘉兴市自然资源局")
    org.scope_regions.add(Region.objects.get(code="330400"))
    org.scope_departments.add(Department.objects.get(name="自然资源"))
    return member_of(org)


@pytest.fixture
def users(agency_user, owner_user, other_agency_user, other_owner_user, regulator_user, operator_user, plain_user,
          out_of_scope_regulator_user, department_regulator_user, scoped_regulator_user):
    return {
        "agency": agency_user, "owner": owner_user, "other_agency": other_agency_user,
        "other_owner": other_owner_user, "regulator": regulator_user, "operator": operator_user,
        "plain": plain_user, "regulator_other_region": out_of_scope_regulator_user,
        "regulator_other_department": department_regulator_user, "regulator_scoped": scoped_regulator_user,
    }


def get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def post(client, user, url, data=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.post(url, data or {})


# ---- viewing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "code"), [
    ("agency", 200), ("owner", 200), ("regulator", 200), ("regulator_scoped", 200), ("operator", 200),
    ("other_agency", 403), ("other_owner", 403), ("plain", 403), ("regulator_other_region", 403),
    ("regulator_other_department", 403),
])
def test_job_detail_access(client, job, users, role, code):
    response = get(client, users[role], reverse("delivery:job", args=[job.pk]))
    assert response.status_code == code
    if code == 200:
        assert job.project.code in response.content.decode()


def test_job_detail_anonymous_goes_to_login(client, job):
    response = client.get(reverse("delivery:job", args=[job.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_job_detail_shows_the_clock_and_only_the_right_forms(client, job, users):
    html = get(client, users["agency"], reverse("delivery:job", args=[job.pk])).content.decode()
    assert 'data-clock="red"' in html  # started 2025-09-26 with 10 working days: long overdue today
    assert 'id="pause-form"' in html and 'id="deliver-form"' in html and 'id="supply-form"' not in html
    html = get(client, users["owner"], reverse("delivery:job", args=[job.pk])).content.decode()
    assert 'id="pause-form"' not in html and 'id="deliver-form"' not in html
    html = get(client, users["regulator"], reverse("delivery:job", args=[job.pk])).content.decode()
    assert "<form method=\"post\" action=\"/jobs/" not in html


def test_unknown_job_404(client, users):
    assert get(client, users["operator"], "/jobs/999999/").status_code == 404


# ---- acting: every endpoint refuses anonymous users, strangers, regulators and the wrong side ----------


@pytest.fixture
def busy_job(job, agency_user, owner_user):
    """A job with a pending deliverable and a pending extension, so every endpoint has its object."""
    ext = services.request_extension(job=job, requested_wd=2, reason="天气原因无法外业", by=agency_user)
    d = services.submit_deliverable(job=job, files=[pdf()], note="初稿", by=agency_user, now=at(D(2025, 10, 13)))
    return job, d, ext


def endpoints(job, d, ext):
    f = d.files.first()
    return {
        "materials_complete": (reverse("delivery:materials_complete", args=[job.pk]), {"on": "2025-09-26"}),
        "pause": (reverse("delivery:pause", args=[job.pk]), {"request": "请提供资料清单"}),
        "supply": (reverse("delivery:supply", args=[job.pk]), {"note": "已提供"}),
        "extension_request": (reverse("delivery:extension_request", args=[job.pk]),
                              {"requested_wd": "2", "reason": "天气原因无法外业"}),
        "extension_decide": (reverse("delivery:extension_decide", args=[job.pk, ext.pk]), {"decision": "grant"}),
        "deliver": (reverse("delivery:deliver", args=[job.pk]), {}),
        "accept": (reverse("delivery:accept", args=[job.pk, d.pk]), {}),
        "return": (reverse("delivery:return", args=[job.pk, d.pk]), {"reason": "缺少成果表"}),
        "download": (reverse("delivery:download", args=[job.pk, f.pk]), None),
    }


AGENCY_ONLY = {"pause", "extension_request", "deliver"}
OWNER_ONLY = {"supply", "extension_decide", "accept", "return"}
EITHER = {"materials_complete"}


@pytest.mark.parametrize("name", sorted(AGENCY_ONLY | OWNER_ONLY | EITHER | {"download"}))
@pytest.mark.parametrize("role", ["anon", "other_agency", "other_owner", "plain", "regulator",
                                  "regulator_other_region", "operator", "agency", "owner"])
def test_refused_roles_change_nothing(client, busy_job, users, name, role):
    url, data = endpoints(*busy_job)[name]
    user = None if role == "anon" else users[role]
    allowed_to_view = role in {"agency", "owner", "regulator", "operator"}
    if name == "download":
        response = get(client, user, url)
        if role == "anon":
            assert response.status_code == 302
        else:
            assert response.status_code == (200 if allowed_to_view else 403)
        return
    side_ok = (name in AGENCY_ONLY and role == "agency") or (name in OWNER_ONLY and role == "owner") or (
        name in EITHER and role in {"agency", "owner"})
    if side_ok:
        return  # the allowed path is tested below
    before = AuditEntry.objects.count()
    response = post(client, user, url, data)
    if role == "anon":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("name", ["pause", "supply", "deliver", "accept", "return", "extension_request"])
def test_actions_are_post_only(client, busy_job, users, name):
    url, _ = endpoints(*busy_job)[name]
    assert get(client, users["agency"], url).status_code == 405


# ---- the allowed paths and bad input ------------------------------------------------------------


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_pause_and_supply_through_the_pages(client, job, users):
    url = reverse("delivery:pause", args=[job.pk])
    response = post(client, users["agency"], url, {"request": ""})
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert any("请书面列明需要补正的资料" in m and "list in writing" not in m for m in messages_of(follow))
    assert not ClockPause.objects.exists()
    post(client, users["agency"], url, {"request": "请提供1:500地形图"})
    job.refresh_from_db()
    assert job.status == "paused"
    html = get(client, users["owner"], reverse("delivery:job", args=[job.pk])).content.decode()
    assert 'id="supply-form"' in html and "1:500地形图" in html
    post(client, users["owner"], reverse("delivery:supply", args=[job.pk]), {"note": "已邮寄"})
    job.refresh_from_db()
    assert job.status == "running"
    assert ClockPause.objects.get().last_day is not None


def test_deliver_accept_through_the_pages(client, job, users, agency):
    url = reverse("delivery:deliver", args=[job.pk])
    bad = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf")
    response = post(client, users["agency"], url, {"files": [bad], "note": "x"})
    follow = client.get(response["Location"])
    assert any("PDF" in m and "only PDF" in m for m in messages_of(follow))
    assert not Deliverable.objects.exists()
    post(client, users["agency"], url, {"files": [SimpleUploadedFile("报告.pdf", PDF)], "note": "成果"})
    d = Deliverable.objects.get()
    f = d.files.get()
    download = get(client, users["regulator"], reverse("delivery:download", args=[job.pk, f.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    post(client, users["owner"], reverse("delivery:accept", args=[job.pk, d.pk]))
    job.refresh_from_db()
    assert job.status == "accepted" and job.completion_event == "overdue_major"
    html = get(client, users["agency"], reverse("delivery:job", args=[job.pk])).content.decode()
    assert 'data-code="overdue_major"' in html


def test_return_without_reason_is_refused_with_a_message(client, busy_job, users):
    job, d, _ = busy_job
    response = post(client, users["owner"], reverse("delivery:return", args=[job.pk, d.pk]), {"reason": ""})
    follow = client.get(response["Location"])
    assert any("退回须写明理由" in m for m in messages_of(follow))
    d.refresh_from_db()
    assert d.decision == "pending"


def test_extension_through_the_pages(client, job, users):
    post(client, users["agency"], reverse("delivery:extension_request", args=[job.pk]),
         {"requested_wd": "abc", "reason": "台风"})
    assert not Extension.objects.exists()
    post(client, users["agency"], reverse("delivery:extension_request", args=[job.pk]),
         {"requested_wd": "3", "reason": "台风影响外业"})
    ext = Extension.objects.get()
    post(client, users["owner"], reverse("delivery:extension_decide", args=[job.pk, ext.pk]),
         {"decision": "refuse", "reason": ""})
    ext.refresh_from_db()
    assert ext.decision == "pending"
    post(client, users["owner"], reverse("delivery:extension_decide", args=[job.pk, ext.pk]),
         {"decision": "grant", "granted_wd": "2"})
    ext.refresh_from_db()
    assert (ext.decision, ext.granted_wd) == ("granted", 2)
    html = get(client, users["regulator"], reverse("delivery:job", args=[job.pk])).content.decode()
    assert "台风影响外业" in html  # extensions are visible to the regulator


def test_file_of_another_job_is_not_served_through_this_job(client, busy_job, users, project, owner_user):
    from tests.delivery.conftest import start
    from tests.factories import AgencyFactory, ProjectFactory

    job, d, _ = busy_job
    other_agency = AgencyFactory()
    other_job = start(ProjectFactory(owner=project.owner, status="contracting"), other_agency, owner_user)
    f = d.files.first()
    assert get(client, users["owner"], reverse("delivery:download", args=[other_job.pk, f.pk])).status_code == 404


def test_materials_complete_through_the_page(client, project, agency, users):
    from tests.delivery.conftest import start

    job = start(project, agency, users["owner"], materials=False)
    post(client, users["owner"], reverse("delivery:materials_complete", args=[job.pk]), {"on": "bad"})
    job.refresh_from_db()
    assert job.status == ServiceJob.Status.WAITING_MATERIALS
    post(client, users["owner"], reverse("delivery:materials_complete", args=[job.pk]), {"on": "2025-09-30"})
    job.refresh_from_db()
    assert (job.status, job.started_on) == ("running", D(2025, 9, 30))


def test_admin_lists_jobs_read_only(client, job, db):
    from tests.factories import UserFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    assert client.get("/django-admin/projects/servicejob/").status_code == 200
    page = client.get(f"/django-admin/projects/servicejob/{job.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


def test_a_clock_running_into_an_unloaded_year_is_marked_unconfirmed(client, project, agency, users):
    from marketplace.workdays import get_calendar, today

    # Enough working days to run past the last year the holiday table holds.
    limit = 260 * (max(get_calendar().years) - today().year + 1)
    services.start_service(project=project, agency=agency, contract_signed_on=today(), materials_complete_on=today(),
                           limit_wd=limit, by=users["owner"])
    job = ServiceJob.objects.get(project=project)
    html = get(client, users["agency"], reverse("delivery:job", args=[job.pk])).content.decode()
    assert "未确认" in html
    short = ServiceJob.objects.filter(pk=job.pk)
    short.update(limit_wd=1)
    html = get(client, users["agency"], reverse("delivery:job", args=[job.pk])).content.decode()
    assert ("未确认" in html) is (today().year not in get_calendar().years)


def test_job_actions_are_the_open_transitions_of_the_visitors_side(job):
    from projects.delivery.selectors import job_actions

    assert job_actions(job, is_owner=False, is_agency=True) == {"request_pause", "submit_deliverable",
                                                                "request_extension"}
    assert job_actions(job, is_owner=True, is_agency=False) == {"decide_extension"}
    assert job_actions(job, is_owner=False, is_agency=False) == set()
