"""Delivery services: guards, transitions, audit entries, credit events, notifications."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.models import CreditEvent
from marketplace import audit
from marketplace.models import AuditEntry, Notification
from marketplace.policy import current_policy
from marketplace.workdays import get_calendar
from projects.delivery import services
from projects.delivery.models import ClockPause, Deliverable, DeliverableFile, Extension, ServiceJob
from projects.delivery.status import job_clock, owner_waits
from tests.delivery.conftest import D, at, start
from tests.delivery.files import pdf, png

pytestmark = pytest.mark.django_db


def clock(job, today):
    job = ServiceJob.objects.get(pk=job.pk)
    return job_clock(job, today=today, calendar=get_calendar(), policy=current_policy())


def actions(job):
    return list(audit.history(job).values_list("action", flat=True))


# ---- start ------------------------------------------------------------------------------------


def test_start_service_runs_the_clock_and_is_audited(job, project, agency_user):
    assert job.status == ServiceJob.Status.RUNNING
    assert job.started_on == D(2025, 9, 26)
    assert job.policy_version == current_policy().version
    project.refresh_from_db()
    assert project.status == "in_service"
    entry = audit.history(job).get(action="projects.service_started")
    assert entry.data["limit_wd"] == 10 and entry.data["started_on"] == "2025-09-26"
    assert Notification.objects.filter(recipient=agency_user, kind="service_started").count() == 1


def test_start_service_twice_refused(job, project, agency, owner_user):
    with pytest.raises(ValidationError, match="已开始"):
        start(project, agency, owner_user)
    assert ServiceJob.objects.filter(project=project).count() == 1


@pytest.mark.parametrize("limit", [0, -3])
def test_start_service_bad_limit_refused(project, agency, owner_user, limit):
    with pytest.raises(ValidationError, match="working days"):
        start(project, agency, owner_user, limit=limit)
    assert not ServiceJob.objects.exists()


def test_start_service_by_another_owner_refused(project, agency, other_owner_user, agency_user):
    with pytest.raises(PermissionDenied):
        start(project, agency, other_owner_user)
    with pytest.raises(PermissionDenied):
        start(project, agency, agency_user)


def test_start_service_contract_in_future_refused(project, agency, owner_user):
    with pytest.raises(ValidationError, match="future"):
        services.start_service(project=project, agency=agency, contract_signed_on=D(2025, 10, 2), limit_wd=5,
                               by=owner_user, now=at(D(2025, 10, 1)))


def test_start_service_needs_a_project_awaiting_its_contract(owner_org, agency, owner_user):
    from tests.factories import ProjectFactory

    draft = ProjectFactory(owner=owner_org)
    with pytest.raises(ValidationError, match="不允许"):
        start(draft, agency, owner_user)
    draft.refresh_from_db()
    assert draft.status == "draft" and not ServiceJob.objects.exists()


def test_clock_starts_at_the_later_of_contract_and_materials(project, agency, owner_user, agency_user,
                                                             other_owner_user):
    job = start(project, agency, owner_user, materials=False)
    assert job.status == ServiceJob.Status.WAITING_MATERIALS and job.started_on is None
    assert clock(job, D(2025, 10, 20)) is None
    waits = owner_waits(job, today=D(2025, 10, 9), calendar=get_calendar(), policy=current_policy())
    assert [w.kind for w in waits] == ["materials"]
    assert waits[0].due == D(2025, 10, 10)  # 5 working days after 09-26 (09-28 is a make-up Sunday)
    with pytest.raises(PermissionDenied):
        services.record_materials_complete(job=job, on=D(2025, 10, 9), by=other_owner_user)
    services.record_materials_complete(job=job, on=D(2025, 10, 9), by=agency_user, now=at(D(2025, 10, 9)))
    job.refresh_from_db()
    assert job.started_on == D(2025, 10, 9) and job.status == ServiceJob.Status.RUNNING
    assert clock(job, D(2025, 10, 10)).used == 1


def test_materials_before_the_contract_start_at_the_contract(project, agency, owner_user):
    job = start(project, agency, owner_user, materials=False)
    services.record_materials_complete(job=job, on=D(2025, 9, 1), by=owner_user, now=at(D(2025, 9, 27)))
    job.refresh_from_db()
    assert job.started_on == D(2025, 9, 26)


# ---- pauses -----------------------------------------------------------------------------------


def test_pause_requires_the_agency_and_a_written_request(job, owner_user, agency_user, other_agency_user):
    for user in (owner_user, other_agency_user):
        with pytest.raises(PermissionDenied):
            services.request_pause(job=job, request="请提供地形图原件", by=user, now=at(D(2025, 9, 30)))
    with pytest.raises(ValidationError, match="list in writing"):
        services.request_pause(job=job, request="   ", by=agency_user, now=at(D(2025, 9, 30)))
    job.refresh_from_db()
    assert job.status == ServiceJob.Status.RUNNING and not ClockPause.objects.exists()


def test_pause_and_supply_over_the_holiday(job, owner_user, agency_user):
    pause = services.request_pause(job=job, request="请补充1:500地形图和红线图", by=agency_user, now=at(D(2025, 9, 30)))
    job.refresh_from_db()
    assert job.status == ServiceJob.Status.PAUSED and pause.first_day == D(2025, 9, 30)
    assert Notification.objects.filter(recipient=owner_user, kind="pause").count() == 1
    with pytest.raises(ValidationError):  # already paused
        services.request_pause(job=job, request="再次申请补正资料", by=agency_user, now=at(D(2025, 10, 9)))
    with pytest.raises(PermissionDenied):
        services.supply_materials(job=job, by=agency_user, now=at(D(2025, 10, 9)))
    services.supply_materials(job=job, by=owner_user, note="已提供", now=at(D(2025, 10, 9)))
    pause.refresh_from_db()
    job.refresh_from_db()
    assert (pause.last_day, pause.supplied_on, job.status) == (D(2025, 10, 9), D(2025, 10, 9), "running")
    assert Notification.objects.filter(recipient=agency_user, kind="resume").count() == 1
    c = clock(job, D(2025, 10, 17))
    assert (c.used, c.paused_wd, c.deadline) == (9, 2, D(2025, 10, 20))
    assert actions(job)[-2:] == ["projects.clock_paused", "projects.clock_resumed"]


def test_supply_without_open_pause_refused(job, owner_user):
    with pytest.raises(ValidationError):
        services.supply_materials(job=job, by=owner_user, now=at(D(2025, 10, 9)))


def test_open_pause_is_an_owner_wait(job, agency_user):
    services.request_pause(job=job, request="请提供规划许可证复印件", by=agency_user, now=at(D(2025, 10, 9)))
    job = ServiceJob.objects.get(pk=job.pk)
    waits = owner_waits(job, today=D(2025, 10, 17), calendar=get_calendar(), policy=current_policy())
    assert [(w.kind, w.since, w.due, w.overdue) for w in waits] == [("supply", D(2025, 10, 9), D(2025, 10, 15), True)]
    c = clock(job, D(2025, 10, 17))
    assert c.paused_now and c.used == 3


# ---- deliverables and acceptance (docs/rules.md §7) ----------------------------------------------


def deliver(job, user, day):
    return services.submit_deliverable(job=job, files=[pdf()], note="成果报告", by=user, now=at(day))


@pytest.mark.parametrize(
    ("submitted", "overdue", "event"),
    [(D(2025, 10, 16), 0, None), (D(2025, 10, 17), 1, "overdue_minor"), (D(2025, 10, 24), 6, "overdue_major")],
)
def test_accept_records_the_overdue_event(job, agency, agency_user, owner_user, submitted, overdue, event,
                                         django_capture_on_commit_callbacks):
    d = deliver(job, agency_user, submitted)
    # The owner takes a few days to decide: that is the owner's time, not the agency's. After commit, ratings
    # opens the rating and its declared notification tells the owner (once).
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_deliverable(deliverable=d, by=owner_user, now=at(D(2025, 10, 28)))
    job.refresh_from_db()
    assert (job.status, job.accepted_on, job.overdue_wd) == ("accepted", D(2025, 10, 28), overdue)
    assert job.completion_event == (event or "")
    events = CreditEvent.objects.filter(agency=agency)
    if event:
        (e,) = events
        assert (e.code, e.date, e.cause_type, e.cause_id) == (event, D(2025, 10, 28), "projects.servicejob", str(job.pk))
    else:
        assert not events.exists()
    entry = audit.history(job).get(action="projects.deliverable_accepted")
    assert entry.data["project"] == job.project_id
    assert entry.data["agency"] == job.agency_id
    assert entry.data["accepted_on"] == "2025-10-28"
    assert entry.data["overdue_wd"] == overdue
    assert (job.project.status, job.project.status_since) == ("completed", at(D(2025, 10, 28)))
    assert Notification.objects.filter(recipient=owner_user, kind="rating_due").count() == 1
    assert Notification.objects.filter(recipient=agency_user, kind="deliverable_accepted").count() == 1


def test_accept_is_owner_only_and_once(job, agency_user, owner_user, other_owner_user, regulator_user):
    d = deliver(job, agency_user, D(2025, 10, 17))
    for user in (agency_user, other_owner_user, regulator_user):
        with pytest.raises(PermissionDenied):
            services.accept_deliverable(deliverable=d, by=user, now=at(D(2025, 10, 20)))
    services.accept_deliverable(deliverable=d, by=owner_user, now=at(D(2025, 10, 20)))
    with pytest.raises(ValidationError):
        services.accept_deliverable(deliverable=d, by=owner_user, now=at(D(2025, 10, 21)))
    assert CreditEvent.objects.count() == 1


def test_return_needs_a_reason_and_review_time_is_not_the_agencys(job, agency_user, owner_user):
    d1 = deliver(job, agency_user, D(2025, 10, 13))
    with pytest.raises(ValidationError, match="reason"):
        services.return_deliverable(deliverable=d1, reason=" ", by=owner_user, now=at(D(2025, 10, 15)))
    d1.refresh_from_db()
    assert d1.decision == "pending"
    with pytest.raises(PermissionDenied):
        services.return_deliverable(deliverable=d1, reason="缺少控制点成果表", by=agency_user, now=at(D(2025, 10, 15)))
    services.return_deliverable(deliverable=d1, reason="缺少控制点成果表", by=owner_user, now=at(D(2025, 10, 15)))
    job.refresh_from_db()
    assert job.status == "returned"
    assert Notification.objects.filter(recipient=agency_user, kind="deliverable_returned").count() == 1
    # 10-14 and 10-15 sat with the owner: at 10-17 the agency has used 9, not 11.
    assert clock(job, D(2025, 10, 17)).used == 9
    d2 = deliver(job, agency_user, D(2025, 10, 20))
    services.accept_deliverable(deliverable=d2, by=owner_user, now=at(D(2025, 10, 21)))
    job.refresh_from_db()
    assert (job.overdue_wd, job.completion_event) == (0, "")
    assert not CreditEvent.objects.exists()


def test_clock_stops_while_the_deliverable_is_with_the_owner(job, agency_user):
    deliver(job, agency_user, D(2025, 10, 13))
    assert clock(job, D(2025, 11, 30)).used == 7
    job = ServiceJob.objects.get(pk=job.pk)
    waits = owner_waits(job, today=D(2025, 10, 28), calendar=get_calendar(), policy=current_policy())
    assert [(w.kind, w.due, w.overdue) for w in waits] == [("decision", D(2025, 10, 27), True)]


def test_submit_checks_files_by_content(job, agency_user, owner_user):
    bad = [
        [],
        [pdf(name="报告.pdf", content=b"just text pretending")],
        [pdf(name="报告.exe")],
        [pdf(name="报告.png")],
        [pdf(content=b"")],
    ]
    for files in bad:
        with pytest.raises(ValidationError):
            services.submit_deliverable(job=job, files=files, note="", by=agency_user, now=at(D(2025, 10, 13)))
    with pytest.raises(PermissionDenied):
        services.submit_deliverable(job=job, files=[pdf()], note="", by=owner_user, now=at(D(2025, 10, 13)))
    assert not Deliverable.objects.exists() and not DeliverableFile.objects.exists()
    job.refresh_from_db()
    assert job.status == "running"
    d = services.submit_deliverable(job=job, files=[pdf(), png()], note="", by=agency_user, now=at(D(2025, 10, 13)))
    assert sorted(f.content_type for f in d.files.all()) == ["application/pdf", "image/png"]
    f = d.files.get(content_type="application/pdf")
    assert len(f.sha256) == 64 and f.file.read().startswith(b"%PDF-")


def test_cannot_submit_while_paused_or_twice(job, agency_user):
    deliver(job, agency_user, D(2025, 10, 13))
    with pytest.raises(ValidationError):
        deliver(job, agency_user, D(2025, 10, 14))
    assert Deliverable.objects.count() == 1


# ---- extensions -------------------------------------------------------------------------------


def test_extension_granted_moves_the_limit(job, agency_user, owner_user, other_agency_user):
    with pytest.raises(PermissionDenied):
        services.request_extension(job=job, requested_wd=3, reason="现场踏勘受台风影响", by=owner_user)
    with pytest.raises(PermissionDenied):
        services.request_extension(job=job, requested_wd=3, reason="现场踏勘受台风影响", by=other_agency_user)
    with pytest.raises(ValidationError):
        services.request_extension(job=job, requested_wd=0, reason="现场踏勘受台风影响", by=agency_user)
    with pytest.raises(ValidationError):
        services.request_extension(job=job, requested_wd=3, reason="", by=agency_user)
    ext = services.request_extension(job=job, requested_wd=3, reason="现场踏勘受台风影响", by=agency_user,
                                     now=at(D(2025, 10, 14)))
    with pytest.raises(ValidationError, match="pending"):
        services.request_extension(job=job, requested_wd=2, reason="另一个理由说明", by=agency_user)
    with pytest.raises(PermissionDenied):
        services.decide_extension(extension=ext, grant=True, by=agency_user)
    with pytest.raises(ValidationError):
        services.decide_extension(extension=ext, grant=True, granted_wd=4, by=owner_user)
    services.decide_extension(extension=ext, grant=True, granted_wd=2, by=owner_user, now=at(D(2025, 10, 15)))
    ext.refresh_from_db()
    assert (ext.decision, ext.granted_wd, ext.decided_by) == ("granted", 2, owner_user)
    c = clock(job, D(2025, 10, 20))
    assert (c.limit, c.used, c.state, c.deadline) == (12, 12, "yellow", D(2025, 10, 20))
    with pytest.raises(ValidationError):
        services.decide_extension(extension=ext, grant=False, reason="已经决定过了", by=owner_user)
    assert "projects.extension_decided" in actions(job)


def test_extension_refusal_needs_a_reason(job, agency_user, owner_user):
    ext = services.request_extension(job=job, requested_wd=5, reason="资料延迟提供", by=agency_user)
    with pytest.raises(ValidationError, match="reason"):
        services.decide_extension(extension=ext, grant=False, reason="", by=owner_user)
    services.decide_extension(extension=ext, grant=False, reason="资料已按时提供", by=owner_user)
    assert Extension.objects.get().decision == "refused"
    assert clock(job, D(2025, 10, 20)).limit == 10


# ---- notifications after commit ---------------------------------------------------------------


def test_mail_only_after_commit(job, agency_user, owner_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.request_pause(job=job, request="请提供红线图电子版", by=agency_user, now=at(D(2025, 10, 9)))
        assert Notification.objects.filter(recipient=owner_user, kind="pause").exists()
    assert mail.outbox == []
    for cb in callbacks:
        cb()
    assert [m.to for m in mail.outbox] == [[owner_user.email]]
    assert Notification.objects.get(recipient=owner_user, kind="pause").emailed_at is not None


def test_rating_recorded_event_closes_the_rating_deadline(job, agency_user, owner_user,
                                                          django_capture_on_commit_callbacks):
    d = deliver(job, agency_user, D(2025, 10, 16))
    services.accept_deliverable(deliverable=d, by=owner_user, now=at(D(2025, 10, 17)))
    job = ServiceJob.objects.get(pk=job.pk)
    assert [w.kind for w in owner_waits(job, today=D(2025, 11, 30), calendar=get_calendar(),
                                        policy=current_policy())] == ["rating"]
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(action="ratings.rating_recorded", by=owner_user,
                     data={"project": job.project_id, "agency": job.agency_id, "result": "满意", "automatic": False})
    job = ServiceJob.objects.get(pk=job.pk)
    assert job.rated_on is not None
    assert owner_waits(job, today=D(2025, 11, 30), calendar=get_calendar(), policy=current_policy()) == []


def test_audit_chain_intact_after_a_full_job(job, agency_user, owner_user):
    services.request_pause(job=job, request="请提供宗地图", by=agency_user, now=at(D(2025, 9, 30)))
    services.supply_materials(job=job, by=owner_user, now=at(D(2025, 10, 9)))
    d = deliver(job, agency_user, D(2025, 10, 24))
    services.accept_deliverable(deliverable=d, by=owner_user, now=at(D(2025, 10, 27)))
    assert audit.verify_chain() is None
    assert AuditEntry.objects.filter(action="agencies.credit_event_recorded").count() == 1


def test_a_job_keeps_the_policy_it_started_under(job, project, agency, agency_user, owner_user, operator_user):
    from marketplace.policy import adopt_policy
    from projects.delivery.selectors import jobs_with_history, rows
    from tests.factories import ProjectFactory

    old_version = job.policy_version
    adopt_policy(by=operator_user, data={"clock_yellow_ratio": "0.5", "overdue_minor_max_wd": 0},
                 note="试行更严格的预警 / stricter warnings")
    newer = start(ProjectFactory(owner=project.owner, status="contracting"), agency, owner_user)
    assert newer.policy_version == old_version + 1
    by_id = {r.job.pk: r for r in rows(jobs_with_history(), today=D(2025, 10, 10), calendar=get_calendar())}
    assert by_id[job.pk].clock.state == "green"  # 5 of 10 under 0.8
    assert by_id[newer.pk].clock.state == "yellow"  # 5 of 10 under 0.5
    # Completion under the job's own policy: 1 day late is minor for the old job, major for the new one.
    for j, expected in ((job, "overdue_minor"), (newer, "overdue_major")):
        d = services.submit_deliverable(job=j, files=[pdf()], by=agency_user, now=at(D(2025, 10, 17)))
        services.accept_deliverable(deliverable=d, by=owner_user, now=at(D(2025, 10, 20)))
        j.refresh_from_db()
        assert j.completion_event == expected


def test_pending_extension_is_an_owner_wait_until_acceptance(job, agency_user, owner_user):
    services.request_extension(job=job, requested_wd=3, reason="需补测两处控制点", by=agency_user,
                               now=at(D(2025, 10, 14)))
    d = services.submit_deliverable(job=job, files=[pdf()], by=agency_user, now=at(D(2025, 10, 15)))
    job = ServiceJob.objects.get(pk=job.pk)
    kinds = [w.kind for w in owner_waits(job, today=D(2025, 10, 16), calendar=get_calendar(), policy=current_policy())]
    assert sorted(kinds) == ["decision", "extension"]
    services.accept_deliverable(deliverable=d, by=owner_user, now=at(D(2025, 10, 16)))
    job = ServiceJob.objects.get(pk=job.pk)
    kinds = [w.kind for w in owner_waits(job, today=D(2025, 10, 17), calendar=get_calendar(), policy=current_policy())]
    assert kinds == ["rating"]
    with pytest.raises(ValidationError):
        services.decide_extension(extension=job.extensions.get(), grant=True, by=owner_user)
