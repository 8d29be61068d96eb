"""Issue 14, finding 10: the register importer refuses bad cells row by row (valid rows kept), refuses a
concurrent import, names an encoding it cannot read, blocks every formula prefix, accepts a file with
only the required columns and Chinese headers."""

import csv
import io
import threading

import pytest
from django.db import connection, transaction

from agencies.importer import ImportRefused, decode_text, import_agencies, import_lock
from agencies.models import Agency, Qualification
from bench.import_agencies import HEADER, uscc

pytestmark = pytest.mark.django_db


def _csv(rows, header=HEADER, encoding="utf-8-sig") -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode(encoding))


def _row(i, **cells):
    row = dict(zip(HEADER, [f"机构{i}", uscc(i, "330482"), "", "330482", "地址", "法人", "", "联系人", "0573",
                            "ZR01", "简介", "", "", "", ""], strict=True))
    row.update(cells)
    return [row[h] for h in HEADER]


@pytest.mark.parametrize(("column", "value"), [
    ("qualification_level", "99999"), ("qualification_level", "²"), ("qualification_level", "0"),
    ("qualification_level", "1e3"), ("name", "机构\x00名"), ("address", "路\x00"), ("description", "\x07"),
    ("name", "=HYPERLINK(\"http://x\")"), ("name", "+cmd|' /C calc'!A0"), ("name", "-2+3"), ("name", "@SUM(A1)"),
    ("qualification_valid_to", "0001-01-01"), ("qualification_valid_to", "2026-13-45"),
])
def test_bad_cell_is_reported_and_skipped_and_valid_rows_kept(column, value):
    bad = _row(2, **{column: value}, **({"qualification_type": "测绘资质", "qualification_number": "Q-2"}
                                       if column.startswith("qualification") else {}))
    report = import_agencies(_csv([_row(1), bad, _row(3)]), filename="r.csv", progress=False)
    assert report.created == 2 and report.skipped == 1
    assert [(e.row, e.column) for e in report.errors] == [(3, column)]
    assert " / " in report.errors[0].reason  # bilingual
    assert set(Agency.objects.values_list("name", flat=True)) == {"机构1", "机构3"}
    assert not Qualification.objects.exists()


def test_a_phone_with_a_plus_is_not_a_formula():
    report = import_agencies(_csv([_row(1, contact_phone="+86 573 8500 0000")]), filename="r.csv", progress=False)
    assert report.created == 1 and report.errors == []


def test_only_required_columns_and_services():
    data = _csv([[f"机构{i}", uscc(i, "330482"), "330482", "ZR01"] for i in (1, 2)],
                header=["name", "uscc", "region_code", "services"])
    report = import_agencies(data, filename="r.csv", progress=False)
    assert report.created == 2 and report.errors == []


def test_absent_optional_column_keeps_existing_values():
    import_agencies(_csv([_row(1, address="平湖市当湖街道1号")]), filename="r.csv", progress=False)
    import_agencies(_csv([["机构1（更名）", uscc(1, "330482"), "330482"]], header=["name", "uscc", "region_code"]),
                    filename="r.csv", progress=False)
    agency = Agency.objects.get()
    assert agency.name == "机构1（更名）" and agency.address == "平湖市当湖街道1号"


def test_chinese_headers_are_aliases():
    header = ["名称", "统一社会信用代码", "行政区划代码", "服务事项", "法定代表人", "资质类型", "资质等级", "证书编号"]
    data = _csv([["平湖测绘", uscc(5, "330482"), "330482", "ZR01；HB01", "张三", "测绘资质", "2", "Q-5"]],
                header=header)
    report = import_agencies(data, filename="r.csv", progress=False)
    assert report.created == 1, report.errors
    agency = Agency.objects.get()
    assert agency.legal_rep_name == "张三" and agency.qualifications.get().level == 2
    assert agency.services.count() == 2


def test_missing_required_column_names_it():
    with pytest.raises(ImportRefused, match="region_code"):
        import_agencies(_csv([["a", uscc(1, "330482")]], header=["名称", "统一社会信用代码"]), filename="r.csv",
                        progress=False)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_utf8_with_or_without_bom_and_gb18030_chinese_are_accepted(encoding):
    report = import_agencies(_csv([_row(1, address="浙江省嘉兴市平湖市当湖街道胜利路１号")], encoding=encoding),
                             filename="r.csv", progress=False)
    assert report.created == 1 and Agency.objects.get().address.startswith("浙江省嘉兴市")


@pytest.mark.parametrize(("encoding", "text", "named"), [
    ("big5", "臺灣測繪股份有限公司，新北市板橋區縣民大道二段七號", "Big5"),
    ("shift_jis", "株式会社テスト測量、東京都千代田区丸の内一丁目", "Shift-JIS"),
])
def test_big5_and_shift_jis_are_refused_with_the_encoding_named(encoding, text, named):
    data = _csv([_row(1, name=text[:10], address=text, legal_rep_name=text[:3], contact_name=text[:3],
                      description=text)], encoding=encoding)
    with pytest.raises(ImportRefused, match=named) as exc:
        import_agencies(data, filename="r.csv", progress=False)
    assert "UTF-8" in str(exc.value)
    assert not Agency.objects.exists()


def test_decode_text_plain_ascii_and_chinese():
    assert decode_text(b"name,uscc\n") == "name,uscc\n"
    assert decode_text("平湖市".encode("gb18030")) == "平湖市"


def test_a_held_import_lock_refuses_a_second_import():
    held, release, done = threading.Event(), threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic(), import_lock():
                held.set()
                release.wait(10)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    try:
        with pytest.raises(ImportRefused, match="another register import is running"):
            import_agencies(_csv([_row(1)]), filename="r.csv", progress=False)
    finally:
        release.set()
        done.wait(10)
    assert not Agency.objects.exists()
    assert import_agencies(_csv([_row(1)]), filename="r.csv", progress=False).created == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once_on_postgres():
    """Both threads import the same 300 rows: each succeeds or is refused with the message; never an
    IntegrityError, and the agencies exist exactly once."""
    rows = [_row(i) for i in range(1, 301)]
    outcomes, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait(10)
            report = import_agencies(_csv(rows), filename="r.csv", progress=False)
            outcomes.append(("ok", report.created))
        except ImportRefused as exc:
            outcomes.append(("refused", str(exc)))
        except Exception as exc:  # noqa: BLE001 (the point: nothing else may escape)
            outcomes.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not [o for o in outcomes if o[0] == "error"], outcomes
    assert len(outcomes) == 2
    assert Agency.objects.count() == 300
    assert sum(o[1] for o in outcomes if o[0] == "ok") == 300
