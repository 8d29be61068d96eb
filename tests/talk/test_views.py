"""Clarification and attachment pages and API: each role that must be refused is, the asker is never shown,
bad input changes nothing (docs/rules.md §12)."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.models import AuditEntry
from projects import clarifications
from projects.models import Clarification, PostingAttachment
from tests.factories import AgencyFactory, member_of
from tests.projects.factories import eligible_agency, make_draft, register_all
from tests.talk.conftest import pdf

pytestmark = pytest.mark.django_db


def ask_url(project):
    return reverse("projects:clarification_ask", args=[project.code])


def answer_url(project, number=1):
    return reverse("projects:clarification_answer", args=[project.code, number])


def detail(client, project):
    return client.get(reverse("projects:detail", args=[project.code])).content.decode()


def test_an_eligible_agency_asks_from_the_posting_page(client, live, agencies):
    client.force_login(agencies[0].user)
    assert 'id="ask-form"' in detail(client, live)
    response = client.post(ask_url(live), {"question": "是否需要提交纸质成果？"})
    assert response.status_code == 302 and response["Location"].endswith("#clarifications")
    assert Clarification.objects.get().question == "是否需要提交纸质成果？"


def test_refused_askers(client, live, owner_user, plain_user, regulator_user):
    assert client.post(ask_url(live), {"question": "匿名？"}).status_code == 302  # to the login page
    for user in (plain_user, owner_user, regulator_user):  # no agency: refused
        client.force_login(user)
        assert client.post(ask_url(live), {"question": "可以问吗？"}).status_code == 403
    ineligible = AgencyFactory()  # offers no 测绘 service
    ineligible.user = member_of(ineligible.organisation)
    client.force_login(ineligible.user)
    page = client.post(ask_url(live), {"question": "可以问吗？"}, follow=True).content.decode()
    assert "只有符合条件的机构可以提问" in page and 'id="ask-form"' not in page
    assert not Clarification.objects.exists()


@pytest.mark.parametrize("language, shown, hidden", [("zh-hans", "只有符合条件的机构可以提问", "only eligible agencies"),
                                                  ("en", "only eligible agencies may ask", "只有符合条件的机构")])
def test_why_an_agency_cannot_ask_is_shown_in_one_language(client, live, language, shown, hidden):
    ineligible = AgencyFactory()  # offers no 测绘 service
    ineligible.user = member_of(ineligible.organisation)
    client.force_login(ineligible.user)
    client.cookies["django_language"] = language
    page = detail(client, live)
    note = page[page.index('id="ask-closed"'):]
    note = note[:note.index("</p>")]
    assert shown in note and hidden not in note and " / " not in note


def test_an_empty_question_gets_a_message_and_nothing_changes(client, live, agencies):
    client.force_login(agencies[0].user)
    page = client.post(ask_url(live), {"question": "  "}, follow=True).content.decode()
    assert "请填写问题" in page
    assert not Clarification.objects.exists()
    assert not AuditEntry.objects.filter(action="projects.clarification_asked").exists()


def test_questions_on_a_draft_do_not_exist(client, owner_user, owner_org, agencies):
    draft = make_draft(owner_user, owner_org, now=timezone.now())
    client.force_login(agencies[0].user)
    assert client.post(ask_url(draft), {"question": "草稿？"}).status_code == 404
    assert client.get(answer_url(draft)).status_code == 404


def test_neither_the_owner_nor_the_public_learns_who_asked(client, live, owner_user, agencies,
                                                           django_capture_on_commit_callbacks):
    asker = agencies[0]
    register_all(live, agencies, start=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        row = clarifications.ask(by=asker.user, project=live, agency=asker, question="控制点是否由业主提供？")
    clarifications.answer(by=owner_user, clarification=row, text="由业主提供。")
    secrets = (asker.name, asker.uscc, asker.user.email, asker.organisation.name)
    pages = {"anonymous": detail(client, live)}
    client.force_login(owner_user)
    pages["owner"] = detail(client, live)
    pages["owner answer page"] = client.get(answer_url(live)).content.decode()
    client.force_login(agencies[1].user)
    pages["another registrant"] = detail(client, live)
    client.logout()
    pages["api"] = json.dumps(client.get(f"/api/projects/{live.code}/clarifications").json(), ensure_ascii=False)
    api_detail = json.dumps(client.get(f"/api/projects/{live.code}").json(), ensure_ascii=False)
    from marketplace.models import Notification

    pages["owner notification"] = " ".join(Notification.objects.filter(recipient=owner_user)
                                           .values_list("title", "body").first())
    for where, text in pages.items():
        assert "控制点是否由业主提供" in text, where
        for secret in secrets:
            assert secret not in text, (where, secret)
    for secret in secrets:
        assert secret not in api_detail
    # The owner's page lists registrants once the window closes; the question itself still names nobody.
    assert "由业主提供。" in pages["anonymous"] and "由业主提供。" in pages["api"]


def test_the_api_lists_questions_and_answers_of_published_postings_only(client, live, owner_user, owner_org,
                                                                         agencies):
    row = clarifications.ask(by=agencies[0].user, project=live, agency=agencies[0], question="工期能否延长？")
    data = client.get(f"/api/projects/{live.code}/clarifications").json()
    assert data == [{"number": 1, "question": "工期能否延长？", "asked_at": data[0]["asked_at"],
                     "answer_due": data[0]["answer_due"], "answer": None, "answered_at": None, "revision": None}]
    assert set(data[0]) == {"number", "question", "asked_at", "answer_due", "answer", "answered_at", "revision"}
    clarifications.answer(by=owner_user, clarification=row, text="不能。")
    assert client.get(f"/api/projects/{live.code}/clarifications").json()[0]["answer"] == "不能。"
    draft = make_draft(owner_user, owner_org)
    assert client.get(f"/api/projects/{draft.code}/clarifications").status_code == 404


def test_only_the_owner_answers(client, live, agencies, owner_user, other_owner_user, plain_user, regulator_user):
    clarifications.ask(by=agencies[0].user, project=live, agency=agencies[0], question="是否含税？")
    assert client.get(answer_url(live)).status_code == 302  # anonymous → login
    for user in (plain_user, other_owner_user, agencies[0].user, regulator_user):
        client.force_login(user)
        assert client.get(answer_url(live)).status_code == 403
        assert client.post(answer_url(live), {"answer": "含税"}).status_code == 403
    client.force_login(owner_user)
    assert client.get(answer_url(live, 9)).status_code == 404
    page = client.post(answer_url(live), {"answer": ""}).content.decode()
    assert "请填写答复" in page and not Clarification.objects.get().is_answered
    response = client.post(answer_url(live), {"answer": "报价含税。"})
    assert response.status_code == 302 and Clarification.objects.get().answer == "报价含税。"


def test_an_answer_with_a_revision_from_the_form(client, live, agencies, owner_user):
    clarifications.ask(by=agencies[0].user, project=live, agency=agencies[0], question="范围是否包括河道？")
    client.force_login(owner_user)
    # Ticked but nothing changed: the revision service refuses and the answer is not published.
    page = client.post(answer_url(live), {"answer": "包括。", "revise": "on", "scope": live.scope}).content.decode()
    assert "没有任何变更" in page and not Clarification.objects.get().is_answered
    client.post(answer_url(live), {"answer": "包括河道。", "revise": "on", "scope": live.scope + "，含河道"})
    row = Clarification.objects.get()
    live.refresh_from_db()
    assert row.revision.number == 1 and live.scope.endswith("含河道")
    assert "见第1次变更" in detail(client, live)


def test_attachment_pages_refuse_everyone_but_the_owner(client, owner_user, owner_org, other_owner_user, agencies,
                                                        plain_user):
    draft = make_draft(owner_user, owner_org, now=timezone.now())
    add = reverse("projects:attachment_add", args=[draft.code])
    assert client.post(add, {"file": pdf()}).status_code == 302  # anonymous → login
    for user in (plain_user, agencies[0].user, other_owner_user):
        client.force_login(user)
        assert client.post(add, {"file": pdf()}).status_code == 404  # a draft does not exist for them
    client.force_login(owner_user)
    page = client.post(add, {"file": pdf("x.pdf", b"GIF89a")}, follow=True).content.decode()
    assert "只接受" in page and not PostingAttachment.objects.exists()
    page = client.post(add, {"title": "无文件"}, follow=True).content.decode()
    assert "请选择文件" in page and not PostingAttachment.objects.exists()
    client.post(add, {"file": pdf("范围.pdf"), "title": "范围"})
    row = PostingAttachment.objects.get()
    remove = reverse("projects:attachment_remove", args=[draft.code, row.pk])
    client.force_login(other_owner_user)
    assert client.post(remove).status_code == 404
    client.force_login(owner_user)
    assert "范围.pdf" in detail(client, draft)
    client.post(remove)
    assert not PostingAttachment.objects.exists()


def test_on_a_published_posting_another_owner_is_refused(client, live, other_owner_user, agencies):
    add = reverse("projects:attachment_add", args=[live.code])
    for user in (other_owner_user, agencies[0].user):
        client.force_login(user)
        assert client.post(add, {"file": pdf(), "reason": "补充"}).status_code == 403
    assert not PostingAttachment.objects.exists()


def test_the_page_stays_light(client, live, agencies, owner_user, django_assert_max_num_queries):
    for agency in agencies + [eligible_agency() for _ in range(3)]:
        clarifications.ask(by=agency.user, project=live, agency=agency, question=f"{agency.name}的问题？")
    with django_assert_max_num_queries(40):
        assert client.get(reverse("projects:detail", args=[live.code])).status_code == 200


def test_the_new_sections_have_an_english_interface(client, live, agencies, owner_user):
    row = clarifications.ask(by=agencies[0].user, project=live, agency=agencies[0], question="比例尺？")
    clarifications.answer(by=owner_user, clarification=row, text="1:500")
    client.cookies["django_language"] = "en"
    client.force_login(agencies[1].user)
    page = detail(client, live)
    assert "Clarifications" in page and "Q1" in page and "Ask the owner" in page
    assert "答疑" not in page


def test_the_owner_dashboard_lists_questions_to_answer(client, live, agencies, owner_user):
    clarifications.ask(by=agencies[0].user, project=live, agency=agencies[0], question="是否需要驻场？")
    client.force_login(owner_user)
    page = client.get("/dashboard/", follow=True).content.decode()
    assert 'id="pending-questions"' in page and answer_url(live) in page and agencies[0].name not in page
