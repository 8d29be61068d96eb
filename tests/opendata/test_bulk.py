"""The daily bulk files (periodic job), their download, and the open-data page."""

import csv
import datetime as dt
import gzip
import io
import json

import pytest

from marketplace import periodic
from opendata import bulk
from opendata.validation import package_errors

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 2, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _lines(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_the_daily_job_writes_valid_files_once_a_day(scenarios, media):
    assert periodic.run(only=["opendata.bulk_files"], today=NOW.date(), now=NOW) == {"opendata.bulk_files": 1}
    assert periodic.run(only=["opendata.bulk_files"], today=NOW.date(), now=NOW) == {"opendata.bulk_files": 0}
    folder = media / "opendata"
    releases = _lines(folder / bulk.RELEASES)
    records = _lines(folder / bulk.RECORDS)
    assert len(records) == len(scenarios)
    assert len(releases) == sum(len(r["releases"]) for r in records)
    package = {"uri": "x", "version": "1.1", "publishedDate": NOW.isoformat(), "publisher": {"name": "t"}}
    assert package_errors({**package, "releases": releases}, "release") == []
    assert package_errors({**package, "records": records}, "record") == []
    rows = list(csv.DictReader(io.StringIO((folder / bulk.CSV_FILE).read_text(encoding="utf-8-sig"))))
    assert len(rows) == len(scenarios)
    delivered = next(r for r in rows if r["ocid"].endswith(scenarios["delivered"].code))
    assert delivered["contract_status"] == "terminated" and len(delivered["supplier_uscc"]) == 18
    manifest = json.loads((folder / bulk.MANIFEST).read_text())
    assert manifest["releases"] == len(releases) and manifest["files"][bulk.RECORDS]["bytes"] > 0
    tomorrow = NOW + dt.timedelta(days=1)
    assert periodic.run(only=["opendata.bulk_files"], today=tomorrow.date(), now=tomorrow) == {
        "opendata.bulk_files": 1}


def test_files_are_served_and_only_those(client, scenarios, media):
    assert client.get(f"/opendata/files/{bulk.RELEASES}").status_code == 404  # not generated yet
    bulk.generate(now=NOW)
    response = client.get(f"/opendata/files/{bulk.RELEASES}")
    assert response.status_code == 200 and response["Content-Type"] == "application/gzip"
    assert gzip.decompress(b"".join(response.streaming_content)).startswith(b"{")
    assert client.get("/opendata/files/manifest.json").status_code == 404
    assert client.get("/opendata/files/..%2Fsettings.py").status_code == 404


def test_open_data_page_lists_files_licence_and_is_linked_from_the_footer(client, scenarios, media):
    bulk.generate(now=NOW)
    page = client.get("/opendata/").content.decode()
    assert "creativecommons.org/licenses/by/4.0" in page
    assert f"/opendata/files/{bulk.CSV_FILE}" in page and "/api/ocds/releases" in page
    assert 'href="/opendata/"' in client.get("/search/").content.decode()


def test_extension_files_are_served(client):
    def body(url):
        return json.loads(b"".join(client.get(url).streaming_content))

    assert body("/opendata/extension/extension.json")["schemas"] == ["release-schema.json"]
    assert "definitions" in body("/opendata/extension/release-schema.json")
    assert client.get("/opendata/extension/README.md").status_code == 200
    assert client.get("/opendata/extension/..%2F..%2Fsettings.py").status_code == 404
