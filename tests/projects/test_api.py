"""Public API: filters, never drafts, sealed quotes, the draw record verifies."""

import pytest

from projects import services
from tests.projects.factories import AFTER, make_draft, make_published, register_all
from tests.projects.verifier import verify_draw

pytestmark = pytest.mark.django_db


def test_list_never_shows_drafts_and_filters(client, owner_user, owner_org):
    draft = make_draft(owner_user, owner_org)
    live = make_published(owner_user, owner_org)
    lowest = make_published(owner_user, owner_org, method="lowest")
    data = client.get("/api/projects").json()
    codes = {r["code"] for r in data["results"]}
    assert draft.code not in codes and {live.code, lowest.code} <= codes
    assert [r["code"] for r in client.get("/api/projects?method=lowest").json()["results"]] == [lowest.code]
    assert client.get("/api/projects?status=draft").json()["count"] == 0
    assert client.get("/api/projects?region=330400").json()["count"] == 2  # the city covers its counties
    assert client.get("/api/projects?service_type=HB01").json()["count"] == 0
    assert client.get(f"/api/projects/{draft.code}").status_code == 404
    assert client.get("/api/projects?page=99").json()["page"] == 1


def test_list_query_count_is_fixed(client, owner_user, owner_org, django_assert_max_num_queries):
    for _ in range(5):
        make_published(owner_user, owner_org)
    with django_assert_max_num_queries(4):
        assert client.get("/api/projects").json()["count"] == 5
    for _ in range(10):
        make_published(owner_user, owner_org)
    with django_assert_max_num_queries(4):
        assert client.get("/api/projects").json()["count"] == 15


def test_quotes_sealed_before_close(client, owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org, method="lowest")
    register_all(project, agencies, quotes=["91234.56", "87654.32", "85555.55"])
    for url in ["/api/projects", f"/api/projects/{project.code}"]:
        body = client.get(url).content.decode()
        for amount in ["91234", "87654", "85555"]:
            assert amount not in body
    assert "quotes" not in client.get(f"/api/projects/{project.code}").json()
    services.select_provider(by=owner_user, project=project, now=AFTER)
    project.refresh_from_db()
    user = next(a.user for a in agencies if a.pk == project.selected.agency_id)
    services.confirm_selection(by=user, registration=project.selected, now=AFTER)
    detail = client.get(f"/api/projects/{project.code}").json()
    assert {q["quote"] for q in detail["quotes"]} == {"91234.56", "87654.32", "85555.55"}


def test_draw_endpoint_publishes_a_verifiable_record(client, owner_user, owner_org, agencies):
    project = make_published(owner_user, owner_org)
    detail = client.get(f"/api/projects/{project.code}").json()
    assert detail["commitment"] == project.draw_commitment
    assert project.draw_secret not in client.get(f"/api/projects/{project.code}").content.decode()
    assert client.get(f"/api/projects/{project.code}/draw").status_code == 404
    register_all(project, agencies)
    services.select_provider(by=owner_user, project=project, now=AFTER)
    record = client.get(f"/api/projects/{project.code}/draw").json()
    assert verify_draw.check(record) is None
    assert record["closed_at"] == "2026-03-13T17:00:00+08:00"
    assert record["commitment"] == detail["commitment"]


@pytest.mark.parametrize("n_agencies", [4, 5, 7])
def test_every_published_record_verifies_with_the_script(client, owner_user, owner_org, tmp_path, n_agencies):
    """Records the app publishes (initial draw, with exclusions, after each fallback) pass the standalone script."""
    import json
    import subprocess
    import sys

    from tests.projects.factories import eligible_agency
    from tests.projects.verifier import ROOT

    agencies = [eligible_agency() for _ in range(n_agencies)]
    project = make_published(owner_user, owner_org)
    register_all(project, agencies)
    agencies[-1].credit_grade = "C"  # excluded at selection (grade C is barred from draws)
    agencies[-1].save()
    services.select_provider(by=owner_user, project=project, now=AFTER)
    records = []
    for _ in range(n_agencies - 1):
        records.append(client.get(f"/api/projects/{project.code}/draw").json())
        project.refresh_from_db()
        if project.status != "confirming":
            break
        user = next(a.user for a in agencies if a.pk == project.selected.agency_id)
        services.refuse_selection(by=user, registration=project.selected, reason="人员冲突", now=AFTER)
    assert records[0]["excluded"][0]["uscc"] == agencies[-1].uscc
    for i, record in enumerate(records):
        path = tmp_path / f"r{i}.json"
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        proc = subprocess.run([sys.executable, "-I", str(ROOT / "tools" / "verify_draw.py"), str(path)],
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout
        assert proc.stdout.strip() == f"VALID {record['selected']}"
        assert record["abandoned"] == record["order"][:i]
