"""Every release package and record package the test scenarios produce validates against OCDS 1.1.5 with our
extension (draft 4, references resolved locally) and the codelists; and the validator does catch errors."""

import copy

import pytest

from marketplace.models import AuditEntry
from opendata import packages, releases, standard
from opendata.validation import package_errors

pytestmark = pytest.mark.django_db


def _all_packages(scenarios):
    """The feed as one package, one package per release, and one record package per posting."""
    feed = releases.build_releases(releases.public_entries())
    out = [("release", packages.release_package(feed, uri="http://testserver/api/ocds/releases"))]
    out += [("release", packages.release_package([r], uri="http://testserver/x")) for r in feed]
    for project in scenarios.values():
        out.append(("record", packages.record_package(releases.records_for([project]), uri="http://testserver/y")))
    return feed, out


def test_every_scenario_package_is_valid(scenarios):
    feed, all_packages = _all_packages(scenarios)
    errors = [e for kind, package in all_packages for e in package_errors(package, kind)]
    assert errors == []
    assert len(all_packages) == 1 + len(feed) + len(scenarios)
    assert len(feed) >= 25  # every public step of the five postings
    print(f"validated {len(all_packages)} packages ({len(feed)} releases), {len(errors)} errors")


def test_each_public_step_has_its_release_and_tag(scenarios):
    feed = releases.build_releases(releases.public_entries())
    tags = {tag for r in feed for tag in r["tag"]}
    assert {"planning", "tender", "tenderAmendment", "tenderCancellation", "tenderUpdate", "award",
            "awardCancellation", "awardUpdate", "contract", "contractUpdate", "implementation",
            "contractTermination"} <= tags
    drafts = AuditEntry.objects.filter(action="projects.draft_created").count()
    assert drafts == len(scenarios)
    assert not any("draft" in r["tag"] for r in feed)


def test_release_ids_are_stable_and_unique(scenarios):
    first = releases.build_releases(releases.public_entries())
    releases.merger.cache_clear()
    second = releases.build_releases(releases.public_entries())
    assert [r["id"] for r in first] == [r["id"] for r in second]
    assert first == second
    assert len({r["id"] for r in first}) == len(first)


def test_compiled_record_merges_the_lifecycle(scenarios):
    [record] = releases.records_for([scenarios["delivered"]])
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["tender"]["procurementMethod"] == "direct" and compiled["tender"]["selectionMethod"] == "direct"
    [award] = compiled["awards"]
    assert award["status"] == "active" and award["suppliers"][0]["id"].startswith("CN-USCC-")
    assert award["creditGradeAtAward"] in {"A", "B", "C", "D"}
    [contract] = compiled["contracts"]
    assert contract["status"] == "terminated" and contract["awardID"] == award["id"]
    milestones = {m["id"]: m for m in contract["implementation"]["milestones"]}
    assert milestones["pause-" + str(min(int(k.split("-")[1]) for k in milestones if k.startswith("pause-")))][
        "status"] == "met"
    assert milestones["acceptance"]["status"] == "met"
    assert {m["status"] for k, m in milestones.items() if k.startswith("deliverable-")} == {"met", "notMet"}
    supplier = next(p for p in compiled["parties"] if "supplier" in p["roles"])
    assert supplier["identifier"]["scheme"] == "CN-USCC"


def test_draw_award_is_cancelled_by_an_upheld_objection_and_carries_the_draw(scenarios):
    [record] = releases.records_for([scenarios["drawn"]])
    compiled = record["compiledRelease"]
    assert compiled["planning"]["budget"]["projectID"] == "2019-330482-48-01-012345"
    [award] = compiled["awards"]
    assert award["status"] == "cancelled"
    assert award["drawRecord"]["commitment"] == compiled["tender"]["drawCommitment"]
    assert compiled["tender"]["procurementMethod"] == "open" and "awardCriteria" not in compiled["tender"]
    assert [a["id"] for a in compiled["tender"]["amendments"]] == ["revision-1"]


def test_failed_round_links_to_its_next_round(scenarios):
    [failed] = releases.records_for([scenarios["failed"]])
    assert failed["compiledRelease"]["tender"]["status"] == "unsuccessful"
    [second] = releases.records_for([scenarios["second"]])
    [link] = second["compiledRelease"]["relatedProcesses"]
    assert link["relationship"] == ["unsuccessfulProcess"] and link["identifier"] == failed["ocid"]
    [gone] = releases.records_for([scenarios["cancelled"]])
    assert gone["compiledRelease"]["tender"]["status"] == "cancelled"


def test_the_validator_catches_schema_codelist_and_extension_errors(scenarios):
    feed = releases.build_releases(releases.public_entries())
    good = packages.release_package(feed[:1], uri="http://testserver/x")
    assert package_errors(good, "release") == []
    missing = copy.deepcopy(good)
    del missing["releases"][0]["ocid"]
    assert any("'ocid' is a required property" in e for e in package_errors(missing, "release"))
    bad_code = copy.deepcopy(good)
    bad_code["releases"][0]["tender"]["procurementMethod"] = "draw"
    assert any("method.csv" in e for e in package_errors(bad_code, "release"))
    bad_extension = copy.deepcopy(good)
    bad_extension["releases"][0]["tender"]["selectionMethod"] = "lottery"
    assert package_errors(bad_extension, "release")


def test_merge_patch_follows_rfc_7386():
    assert standard.merge_patch({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"c": None, "e": 4}, "f": [1]}) == {
        "a": 1, "b": {"d": 3, "e": 4}, "f": [1]}
    schema = standard.release_schema()
    assert "selectionMethod" in schema["definitions"]["Tender"]["properties"]
    assert "title" in schema["definitions"]["Tender"]["properties"]  # the standard's fields are kept


def test_the_ocds_validate_command_reports_counts(scenarios, capsys):
    from django.core.management import call_command

    call_command("ocds_validate")
    out = capsys.readouterr().out
    assert out.strip().endswith(": 0 errors") and f"{len(scenarios)} records" in out
