"""Uploads are checked by content and size, stored privately, and served only to those allowed.

Also: another organisation's staff, an anonymous user and a project owner can neither edit an agency
nor see its documents.
"""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies import services
from agencies.models import AgencyDocument, Case
from tests.agencies.factories import JPEG, PDF, PNG, admitted_agency_with_member, pdf, scoped_regulator
from tests.factories import AgencyServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc(agency_and_member):
    agency, member = agency_and_member
    return services.upload_document(by=member, agency=agency, kind=AgencyDocument.Kind.LICENCE, file=pdf())


@pytest.mark.parametrize(("data", "content_type"), [(PDF, "application/pdf"), (JPEG, "image/jpeg"),
                                                     (PNG, "image/png")])
def test_accepted_types_by_content(agency_and_member, data, content_type):
    agency, member = agency_and_member
    # The name lies; the content decides.
    d = services.upload_document(by=member, agency=agency, kind="other",
                                 file=SimpleUploadedFile("x.exe", data))
    assert d.content_type == content_type
    assert d.file.name.endswith(content_type.split("/")[1].replace("jpeg", "jpg"))
    assert "x.exe" not in d.file.name


@pytest.mark.parametrize("data", [b"<html><script>alert(1)</script>", b"GIF89a....", b"MZ\x90\x00", b"PK\x03\x04"])
def test_other_content_refused_even_with_pdf_name(agency_and_member, data):
    agency, member = agency_and_member
    with pytest.raises(ValidationError) as exc:
        services.upload_document(by=member, agency=agency, kind="other", file=SimpleUploadedFile("licence.pdf", data))
    assert exc.value.code == "type"
    assert "PDF" in exc.value.messages[0]
    assert not AgencyDocument.objects.exists()


def test_size_limit(agency_and_member, settings):
    agency, member = agency_and_member
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        services.upload_document(by=member, agency=agency, kind="other", file=pdf(data=PDF + b"0" * 2000))
    assert exc.value.code == "size"
    assert not AgencyDocument.objects.exists()


def test_stored_outside_the_web_root(doc, client):
    path = str(doc.file.path)
    assert path.startswith(str(settings.STORAGES["private"]["OPTIONS"]["location"]))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    assert not path.startswith(str(settings.STATIC_ROOT))
    assert client.get(settings.MEDIA_URL + doc.file.name).status_code == 404


def test_member_regulator_operator_can_fetch(client, doc, agency_and_member, operator_user):
    agency, member = agency_and_member
    AgencyServiceFactory(agency=agency)  # ZR01 → 自然资源
    regulator = scoped_regulator(region_codes=["330400"], department_names=["自然资源"])
    for user in (member, regulator, operator_user):
        client.force_login(user)
        response = client.get(reverse("agencies:document", args=[doc.pk]))
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == PDF
        assert response["X-Content-Type-Options"] == "nosniff"


def test_anonymous_other_org_owner_and_out_of_scope_regulator_cannot_fetch(client, doc, owner_user):
    other_agency, other_member = admitted_agency_with_member()
    outsider_regulator = scoped_regulator(region_codes=["441800"])
    url = reverse("agencies:document", args=[doc.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in (other_member, owner_user, outsider_regulator):
        client.force_login(user)
        assert client.get(url).status_code == 404, user


def test_manage_page_refuses_anonymous_other_org_and_owner(client, agency_and_member, owner_user):
    agency, member = agency_and_member
    _, other_member = admitted_agency_with_member()
    url = reverse("agencies:manage", args=[agency.pk])
    post = {"op": "case", "title": "篡改的案例"}
    assert client.post(url, post).status_code == 302  # to login
    for user in (other_member, owner_user):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, post).status_code == 403
    assert not Case.objects.exists()
    client.force_login(member)
    assert client.get(url).status_code == 200
    client.post(url, post)
    assert Case.objects.filter(agency=agency, title="篡改的案例").exists()


def test_services_refuse_non_members_directly(agency_and_member, owner_user):
    from django.core.exceptions import PermissionDenied

    agency, _ = agency_and_member
    _, other_member = admitted_agency_with_member()
    for user in (owner_user, other_member):
        with pytest.raises(PermissionDenied):
            services.save_case(by=user, agency=agency, title="x")
        with pytest.raises(PermissionDenied):
            services.update_storefront(by=user, agency=agency, description="x")
        with pytest.raises(PermissionDenied):
            services.upload_document(by=user, agency=agency, kind="other", file=pdf())


def test_application_pages_refuse_strangers(client, applicant, plain_user, owner_user):
    from tests.agencies.factories import complete_application

    agency = complete_application(applicant)
    url = reverse("agencies:apply_step", args=[agency.pk, "documents"])
    for user in (plain_user, owner_user):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"op": "upload", "kind": "other", "file": pdf()}).status_code == 403
    client.force_login(applicant)
    assert client.get(url).status_code == 200
    # Regulators don't see a draft in the queue nor may they review it.
    assert agency.documents.count() == 4


def test_review_page_refuses_non_regulators(client, applicant, owner_user, plain_user):
    from agencies.services import submit_application
    from tests.agencies.factories import complete_application

    agency = submit_application(by=applicant, agency=complete_application(applicant), today=None)
    url = reverse("agencies:review_detail", args=[agency.pk])
    for user in (applicant, owner_user, plain_user, scoped_regulator(region_codes=["441800"])):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"decision": "approve"}).status_code == 403
    agency.refresh_from_db()
    assert agency.status == "submitted"
    # An out-of-scope regulator may open the queue page, but the application is not in it.
    assert agency.name not in client.get(reverse("agencies:review_queue")).content.decode()
    client.force_login(owner_user)
    assert client.get(reverse("agencies:review_queue")).status_code == 403
