"""Test scenarios for the open data: postings driven through the real services, every public step covered
(publication, revision, registration, draw, award, withdrawal, contract, service clock, acceptance, failed
rounds and re-publication, cancellation)."""

import datetime as dt

import pytest

from marketplace.demo.history import Days, offer_directly
from projects import services
from projects.delivery import services as delivery
from projects.delivery.models import ServiceJob
from tests.projects.factories import AFTER, PUBLISH_AT, eligible_agency, make_published, register_all


@pytest.fixture
def agencies(db):
    return [eligible_agency() for _ in range(3)]


def _user_of(agencies, agency_id):
    return next(a.user for a in agencies if a.pk == agency_id)


def drawn_and_contracted(owner_user, owner_org, agencies, regulator_user):
    """A draw posting: revised, three registrations, the first result withdrawn on an upheld objection, the
    second drawn agency confirmed, publicity ended, the contract uploaded, a 补正 pause and an extension."""
    project = make_published(owner_user, owner_org, investment_code="2019-330482-48-01-012345")
    services.revise(by=owner_user, project=project, changes={"scope": "1:500 地形图测绘约 3 平方公里"},
                    reason="补充测绘范围", now=PUBLISH_AT + dt.timedelta(minutes=30))
    register_all(project, agencies)
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    project = services.confirm_selection(by=_user_of(agencies, project.selected.agency_id),
                                         registration=project.selected, now=AFTER)
    loser = next(r for r in project.registrations.all() if r.pk != project.selected_id)
    objection = services.file_objection(by=_user_of(agencies, loser.agency_id), project=project, registration=loser,
                                        text="中选机构与业主存在利害关系。", now=AFTER)
    services.answer_objection(by=regulator_user, objection=objection, upheld=True, answer="质疑成立，撤销结果。",
                              now=AFTER)
    project.refresh_from_db()
    return project


def delivered(owner_org, agencies, today=dt.date(2026, 6, 1)):
    """A direct posting from draft to acceptance, with a 补正 pause, an extension and a returned deliverable."""
    from marketplace.demo.history import admin_of, pdf

    days = Days(today)
    agency = agencies[0]
    owner_user, agency_user = admin_of(owner_org), admin_of(agency.organisation)
    project, registration = offer_directly(days, agency=agency, owner=owner_org, service="ZR01",
                                           title="平湖市某地块测绘", start=dt.date(2026, 4, 1))
    project = services.confirm_selection(by=agency_user, registration=registration, now=days.at(dt.date(2026, 4, 1), 15))
    signed = days.after(project.publicity_ends_on, 1)
    project = services.end_publicity(project=project, now=days.at(signed, 8, 30))
    services.upload_contract(by=owner_user, project=project, signed_on=signed, upload=pdf("服务合同.pdf"),
                             now=days.at(signed, 10))
    job = ServiceJob.objects.get(project=project)
    job = delivery.record_materials_complete(job=job, on=signed, by=owner_user, now=days.at(signed, 11))
    paused = days.after(signed, 2)
    delivery.request_pause(job=job, request="请补充宗地界址资料", by=agency_user, now=days.at(paused, 10))
    delivery.supply_materials(job=job, by=owner_user, note="已补充", now=days.at(days.after(paused, 1), 10))
    ext = delivery.request_extension(job=job, requested_wd=3, reason="外业受降雨影响", by=agency_user,
                                     now=days.at(days.after(paused, 2), 10))
    delivery.decide_extension(extension=ext, grant=True, granted_wd=2, by=owner_user,
                              now=days.at(days.after(paused, 3), 10))
    first = delivery.submit_deliverable(job=job, files=[pdf("成果.pdf")], by=agency_user, note="初稿",
                                        now=days.at(days.after(paused, 4), 16))
    delivery.return_deliverable(deliverable=first, reason="图幅接边有误，请修改。", by=owner_user,
                                now=days.at(days.after(paused, 5), 10))
    final = delivery.submit_deliverable(job=job, files=[pdf("成果.pdf")], by=agency_user, note="修改稿",
                                        now=days.at(days.after(paused, 6), 16))
    delivery.accept_deliverable(deliverable=final, by=owner_user, now=days.at(days.after(paused, 7), 10))
    project.refresh_from_db()
    return project


def failed_and_republished(owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org)
    register_all(project, agencies[:2])
    project = services.select_provider(by=owner_user, project=project, now=AFTER)
    second = services.republish(by=owner_user, project=project)
    return project, services.publish(by=owner_user, project=second, now=AFTER + dt.timedelta(days=1))


def cancelled(owner_user, owner_org):
    project = make_published(owner_user, owner_org, title="已取消的测绘项目")
    return services.cancel(by=owner_user, project=project, reason="项目计划调整，取消采购。",
                           now=PUBLISH_AT + dt.timedelta(hours=2))


@pytest.fixture
def scenarios(owner_user, owner_org, agencies, regulator_user):
    """Every scenario above in one database; returns the postings by name."""
    drawn = drawn_and_contracted(owner_user, owner_org, agencies, regulator_user)
    done = delivered(owner_org, agencies)
    failed, second = failed_and_republished(owner_user, owner_org, agencies)
    gone = cancelled(owner_user, owner_org)
    return {"drawn": drawn, "delivered": done, "failed": failed, "second": second, "cancelled": gone}
