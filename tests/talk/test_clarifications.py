"""Clarification services (docs/rules.md §12.1): who may ask and when, anonymity, answers, revisions, audit."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.models import Agency
from marketplace.models import AuditEntry, Notification
from projects import clarifications
from projects.models import Clarification
from tests.projects.factories import DEADLINE, PUBLISH_AT, eligible_agency, make_published, register_all

pytestmark = pytest.mark.django_db
CUTOFF = dt.datetime(2026, 3, 11, 17, 0, tzinfo=DEADLINE.tzinfo)  # Wed, 2 working days before Fri 17:00


@pytest.fixture
def project(owner_user, owner_org):
    return make_published(owner_user, owner_org)


def ask(project, agency, text="测区是否包含水域？", now=PUBLISH_AT + dt.timedelta(hours=2)):
    return clarifications.ask(by=agency.user, project=project, agency=agency, question=text, now=now)


def test_an_eligible_agency_asks_and_the_owner_is_told_without_the_asker(project, agencies, owner_user,
                                                                         django_capture_on_commit_callbacks):
    asker = agencies[0]
    with django_capture_on_commit_callbacks(execute=True):
        row = ask(project, asker)
    assert (row.number, row.answer_due) == (1, dt.datetime(2026, 3, 11, 17, 0, tzinfo=DEADLINE.tzinfo))
    note = Notification.objects.get(recipient=owner_user, kind="clarification_asked")
    assert project.code in note.title and "2026-03-11 17:00" in note.body and "测区是否包含水域？" in note.body
    assert note.deadline == row.answer_due and note.url.endswith("#clarifications")
    for text in (note.title, note.body):
        assert asker.name not in text and asker.uscc not in text
        assert " / " not in text  # one language (the owner's), not "中文 / English"
    entry = AuditEntry.objects.get(action="projects.clarification_asked")
    assert entry.data["number"] == 1 and "agency" not in entry.data and "uscc" not in entry.data
    assert entry.reason == "测区是否包含水域？"
    public = clarifications.public_clarifications(project)
    assert public == [{"number": 1, "question": "测区是否包含水域？", "asked_at": row.asked_at,
                       "answer_due": row.answer_due, "answer": "", "answered_at": None, "revision": None}]


def test_numbers_follow_each_other(project, agencies):
    assert [ask(project, a).number for a in agencies] == [1, 2, 3]


def test_an_ineligible_agency_cannot_ask(project):
    other_service = eligible_agency()
    other_service.services.all().delete()  # offers no 测绘 service: not eligible
    with pytest.raises(ValidationError) as exc:
        ask(project, other_service)
    assert "只有符合条件的机构可以提问" in str(exc.value) and "未提供该服务事项" in str(exc.value)
    suspended = eligible_agency(status=Agency.Status.SUSPENDED)
    with pytest.raises(ValidationError):
        ask(project, suspended)
    assert not Clarification.objects.exists()
    assert not AuditEntry.objects.filter(action="projects.clarification_asked").exists()


def test_questions_close_at_the_cutoff(project, agencies):
    ask(project, agencies[0], now=CUTOFF - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError) as exc:
        ask(project, agencies[1], now=CUTOFF)
    assert "提问截止时间为 2026-03-11 17:00" in str(exc.value)
    assert Clarification.objects.count() == 1


def test_no_questions_on_drafts_or_closed_windows(owner_user, owner_org, agencies):
    from tests.projects.factories import make_draft

    draft = make_draft(owner_user, owner_org)
    with pytest.raises(ValidationError):
        ask(draft, agencies[0])
    project = make_published(owner_user, owner_org)
    with pytest.raises(ValidationError):
        ask(project, agencies[0], now=DEADLINE + dt.timedelta(minutes=1))


def test_empty_or_overlong_question_is_refused_and_nothing_changes(project, agencies):
    for text in ("", "   ", "问" * (clarifications.QUESTION_MAX_CHARS + 1)):
        with pytest.raises(ValidationError):
            ask(project, agencies[0], text=text)
    assert not Clarification.objects.exists() and not Notification.objects.exists()


def test_only_the_agencys_members_ask_for_it(project, agencies):
    with pytest.raises(PermissionDenied):
        clarifications.ask(by=agencies[1].user, project=project, agency=agencies[0], question="?",
                           now=PUBLISH_AT + dt.timedelta(hours=1))


def test_the_answer_is_public_and_reaches_registrants_and_the_asker(project, agencies, owner_user,
                                                                     django_capture_on_commit_callbacks):
    register_all(project, agencies[:2])
    outsider = eligible_agency()  # asks but never registers
    row = ask(project, outsider)
    with django_capture_on_commit_callbacks(execute=True):
        clarifications.answer(by=owner_user, clarification=row, text="不包含水域。",
                              now=PUBLISH_AT + dt.timedelta(hours=5))
    row.refresh_from_db()
    assert row.answer == "不包含水域。" and row.answered_by == owner_user
    told = set(Notification.objects.filter(kind="clarification_answered").values_list("recipient", flat=True))
    assert told == {agencies[0].user.pk, agencies[1].user.pk, outsider.user.pk}
    note = Notification.objects.get(kind="clarification_answered", recipient=agencies[0].user)
    assert project.code in note.title and "不包含水域。" in note.body and outsider.name not in note.body
    entry = AuditEntry.objects.get(action="projects.clarification_answered")
    assert entry.data["late"] is False and entry.data["revision"] is None and entry.reason == "不包含水域。"
    with pytest.raises(ValidationError):
        clarifications.answer(by=owner_user, clarification=row, text="改口", now=PUBLISH_AT + dt.timedelta(hours=6))
    row.refresh_from_db()
    assert row.answer == "不包含水域。"


def test_a_late_answer_is_recorded_as_late(project, agencies, owner_user):
    row = ask(project, agencies[0])
    clarifications.answer(by=owner_user, clarification=row, text="好的。", now=row.answer_due + dt.timedelta(hours=1))
    assert AuditEntry.objects.get(action="projects.clarification_answered").data["late"] is True


def test_only_the_owner_answers_and_an_empty_answer_changes_nothing(project, agencies, owner_user,
                                                                    other_owner_user):
    row = ask(project, agencies[0])
    for user in (agencies[0].user, other_owner_user):
        with pytest.raises(PermissionDenied):
            clarifications.answer(by=user, clarification=row, text="答复", now=PUBLISH_AT + dt.timedelta(hours=3))
    with pytest.raises(ValidationError):
        clarifications.answer(by=owner_user, clarification=row, text="  ", now=PUBLISH_AT + dt.timedelta(hours=3))
    row.refresh_from_db()
    assert not row.is_answered


def test_an_answer_that_changes_the_band_is_a_revision_that_extends_the_window(project, agencies, owner_user):
    row = ask(project, agencies[0])
    now = dt.datetime(2026, 3, 12, 10, 0, tzinfo=DEADLINE.tzinfo)  # Thu
    clarifications.answer(by=owner_user, clarification=row, text="最高限价调整为12万元。",
                          changes={"ceiling": "120000"}, now=now)
    row.refresh_from_db()
    project.refresh_from_db()
    assert row.revision.number == 1 and row.revision.material
    assert project.ceiling == 120000
    assert project.registration_deadline == dt.datetime(2026, 3, 17, 17, 0, tzinfo=DEADLINE.tzinfo)  # Thu + 3 wd
    assert AuditEntry.objects.get(action="projects.clarification_answered").data["revision"] == 1
    assert AuditEntry.objects.filter(action="projects.revised").count() == 1


def test_a_failed_revision_leaves_the_question_unanswered(project, agencies, owner_user):
    row = ask(project, agencies[0])
    with pytest.raises(ValidationError):
        clarifications.answer(by=owner_user, clarification=row, text="不变", changes={"ceiling": "100000"},
                              now=PUBLISH_AT + dt.timedelta(hours=3))  # the same ceiling: nothing changed
    row.refresh_from_db()
    assert not row.is_answered
    assert not AuditEntry.objects.filter(action="projects.clarification_answered").exists()
