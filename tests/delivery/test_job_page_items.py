"""Job page (issue 16 item 9): no clock after acceptance, no extension form after delivery, a link to the
rating form for the owner who rates."""

import pytest
from django.urls import reverse

from projects.delivery import services
from projects.delivery.selectors import job_actions
from tests.delivery.files import pdf

pytestmark = pytest.mark.django_db


def page(client, user, job) -> str:
    client.force_login(user)
    return client.get(reverse("delivery:job", args=[job.pk])).content.decode()


def test_extension_form_is_gone_once_delivered_and_back_when_returned(client, job, agency_user, owner_user):
    assert 'id="extension-form"' in page(client, agency_user, job)
    d = services.submit_deliverable(job=job, files=[pdf()], note="初稿", by=agency_user)
    job.refresh_from_db()
    assert "request_extension" not in job_actions(job, is_owner=False, is_agency=True)
    assert 'id="extension-form"' not in page(client, agency_user, job)
    services.return_deliverable(deliverable=d, reason="坐标系不符合要求，请改正", by=owner_user)
    job.refresh_from_db()
    assert 'id="extension-form"' in page(client, agency_user, job)


def test_accepted_job_shows_no_clock_and_links_the_rating_for_the_owner(client, job, agency_user, owner_user,
                                                                        other_owner_user,
                                                                        django_capture_on_commit_callbacks):
    assert 'id="clock"' in page(client, owner_user, job)
    assert 'id="rate-link"' not in page(client, owner_user, job)
    d = services.submit_deliverable(job=job, files=[pdf()], note="成果", by=agency_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_deliverable(deliverable=d, by=owner_user)
    job.refresh_from_db()
    rating = job.project.ratings.get()
    owner_html = page(client, owner_user, job)
    # The service clock is gone; what remains is the owner's own rating deadline among the owner's waits.
    assert 'id="clock"' not in owner_html and "服务计时" not in owner_html
    assert reverse("ratings:rate", args=[rating.pk]) in owner_html
    agency_html = page(client, agency_user, job)
    assert 'id="clock"' not in agency_html and reverse("ratings:rate", args=[rating.pk]) not in agency_html
    # Once rated, the link goes.
    type(rating).objects.filter(pk=rating.pk).update(result="满意", mean=5)
    assert 'id="rate-link"' not in page(client, owner_user, job)
