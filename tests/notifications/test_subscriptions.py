"""Subscriptions: matching postings, revisions and results reach the subscriber (inbox, mail, feed);
a region takes in the regions below it; an agency's default is its own services in its own region."""

import datetime as dt

import pytest
from django.core import mail

from marketplace import subscriptions
from marketplace.models import Notification
from projects import services
from tests.factories import UserFactory
from tests.projects.factories import AFTER, PUBLISH_AT, make_draft, register_all

pytestmark = pytest.mark.django_db


def test_matching_takes_in_lower_regions_and_empty_axes_mean_any(db):
    city = subscriptions.subscribe(by=UserFactory(), name="嘉兴测绘", service_types=["ZR01"], regions=["330400"])
    county = subscriptions.subscribe(by=UserFactory(), name="海宁测绘", service_types=["ZR01"], regions=["330481"])
    anything = subscriptions.subscribe(by=UserFactory(), name="全部", service_types=[], regions=[])
    other_type = subscriptions.subscribe(by=UserFactory(), name="环评", service_types=["HB01"], regions=[])
    found = subscriptions.matching(service_type="ZR01", region="330482")
    assert set(found) == {city, anything}
    assert county not in found and other_type not in found
    subscriptions.unsubscribe(by=anything.user, subscription=anything)
    assert set(subscriptions.matching(service_type="ZR01", region="330482")) == {city}


def test_subscribe_refuses_unknown_codes_and_anonymous(db):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="不存在"):
        subscriptions.subscribe(by=UserFactory(), name="x", service_types=["NOPE"], regions=[])
    with pytest.raises(ValidationError, match="登录"):
        subscriptions.subscribe(by=AnonymousUser(), name="x", service_types=[], regions=[])


def test_unsubscribing_someone_elses_subscription_is_refused(db):
    from django.core.exceptions import ValidationError

    sub = subscriptions.subscribe(by=UserFactory(), name="x", service_types=[], regions=[])
    with pytest.raises(ValidationError):
        subscriptions.unsubscribe(by=UserFactory(), subscription=sub)
    sub.refresh_from_db()
    assert sub.active


def test_an_agencys_default_is_its_services_in_its_region(agencies):
    agency = agencies[0]
    types, regions = subscriptions.default_for(agency.user)
    assert types == ["ZR01"] and regions == [agency.region_id]
    assert subscriptions.default_for(UserFactory()) == ([], [])


def test_postings_revisions_and_results_reach_the_subscriber(owner_user, owner_org, agencies,
                                                            django_capture_on_commit_callbacks):
    agency = agencies[0]
    types, regions = subscriptions.default_for(agency.user)
    sub = subscriptions.subscribe(by=agency.user, name="本机构服务", service_types=types, regions=["330400"])
    stranger = subscriptions.subscribe(by=UserFactory(), name="环评", service_types=["HB01"], regions=[])
    with django_capture_on_commit_callbacks(execute=True):
        project = services.publish(by=owner_user, project=make_draft(owner_user, owner_org), now=PUBLISH_AT)
    new = Notification.objects.get(recipient=agency.user, kind="posting_new")
    assert new.subscription == sub and project.code in new.body and new.url == f"/projects/{project.code}/"
    assert any(project.code in m.body and m.to == [agency.user.email] for m in mail.outbox)
    assert not Notification.objects.filter(recipient=stranger.user).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.revise(by=owner_user, project=project, changes={"scope": "补充说明"}, reason="文字更正",
                        now=PUBLISH_AT + dt.timedelta(hours=1))
    assert Notification.objects.filter(recipient=agency.user, kind="posting_revised", subscription=sub).exists()
    register_all(project, agencies)
    with django_capture_on_commit_callbacks(execute=True):
        project = services.select_provider(by=owner_user, project=project, now=AFTER)
    offered = project.selected
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_selection(by=offered.agency.user if hasattr(offered.agency, "user") else
                                   offered.agency.organisation.memberships.get().user,
                                   registration=offered, now=AFTER + dt.timedelta(hours=1))
    project.refresh_from_db()
    result = Notification.objects.get(recipient=agency.user, kind="result", subscription=sub)
    assert result.deadline is not None and project.publicity_ends_on.isoformat() in result.body
    # The subscription's own feed lists what it matched.
    assert set(sub.notifications.values_list("kind", flat=True)) == {"posting_new", "posting_revised", "result"}


def test_a_registrant_who_also_subscribes_hears_of_the_result_once(owner_user, owner_org, agencies,
                                                                   django_capture_on_commit_callbacks):
    subscriber = agencies[0]
    subscriptions.subscribe(by=subscriber.user, name="测绘", service_types=["ZR01"], regions=[])
    project = services.publish(by=owner_user, project=make_draft(owner_user, owner_org), now=PUBLISH_AT)
    register_all(project, agencies)
    with django_capture_on_commit_callbacks(execute=True):
        project = services.select_provider(by=owner_user, project=project, now=AFTER)
        offered = project.selected
        services.confirm_selection(by=offered.agency.organisation.memberships.get().user, registration=offered,
                                   now=AFTER + dt.timedelta(hours=1))
    assert Notification.objects.filter(recipient=subscriber.user, kind="result").count() == 1
    assert Notification.objects.filter(kind="result").count() == len(agencies)
