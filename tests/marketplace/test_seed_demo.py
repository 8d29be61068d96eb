import pytest
from django.core.management import call_command

from agencies.models import Agency
from marketplace.models import User
from projects.models import Project

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_every_role_and_postings_in_each_state_idempotently(client, capsys):
    call_command("seed_demo", agencies=24)
    out = capsys.readouterr().out
    assert "owner1@demo.zjcs.cn" in out and "Demo-pass-2026" in out
    statuses = set(Project.objects.values_list("status", flat=True))
    assert {"draft", "published", "confirming", "publicity", "contracting", "in_service", "failed",
            "cancelled"} <= statuses
    counts = (User.objects.count(), Agency.objects.count(), Project.objects.count())
    call_command("seed_demo", agencies=24)
    assert (User.objects.count(), Agency.objects.count(), Project.objects.count()) == counts
    assert client.login(email="owner1@demo.zjcs.cn", password="Demo-pass-2026")
    from marketplace.search import search_agencies

    surveyors = Agency.objects.filter(status="admitted", services__service_type_id="ZR01").distinct().count()
    assert search_agencies("测绘").total == surveyors
    for agency in Agency.objects.all():
        from agencies.identifiers import validate_uscc

        assert validate_uscc(agency.uscc) == agency.uscc
