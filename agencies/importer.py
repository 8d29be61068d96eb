"""Bulk import of an existing agency register (.xlsx or .csv), for regulators migrating their data.

The whole file is read and validated first (bad rows are reported as (row, column, reason) and
skipped); then valid rows are written in bulk inside one transaction: new agencies created, existing
ones (by USCC) updated, services and qualifications added, and with `admit=True` agencies admitted
directly. A hostile file (too big, a zip bomb, too many rows or columns) is refused with an
`ImportRefused` message before anything is written; formula cells are never evaluated (openpyxl
reads the formula text, and any cell starting with "=" is refused).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.identifiers import entity_type_from_uscc, validate_resident_id, validate_uscc
from agencies.models import Agency, AgencyService, Blacklist, Qualification
from agencies.states import leads_to
from marketplace import audit, inputs
from marketplace.models import Organisation, Region, ServiceType

COLUMNS = ["name", "uscc", "entity_type", "region_code", "address", "legal_rep_name", "legal_rep_id",
           "contact_name", "contact_phone", "services", "description"]
QUALIFICATION_COLUMNS = ["qualification_type", "qualification_level", "qualification_number",
                         "qualification_valid_to"]
REQUIRED = {"name", "uscc", "region_code"}
# Headers of registers exported from Chinese spreadsheets, mapped to the column names above.
ALIASES = {
    "名称": "name", "机构名称": "name", "单位名称": "name", "企业名称": "name",
    "统一社会信用代码": "uscc", "信用代码": "uscc", "社会信用代码": "uscc",
    "主体类型": "entity_type", "机构类型": "entity_type",
    "行政区划代码": "region_code", "区划代码": "region_code", "所在地区划代码": "region_code",
    "地址": "address", "注册地址": "address", "住所": "address",
    "法定代表人": "legal_rep_name", "法人代表": "legal_rep_name", "法定代表人姓名": "legal_rep_name",
    "法定代表人身份证号": "legal_rep_id", "法人身份证号": "legal_rep_id",
    "联系人": "contact_name", "联系电话": "contact_phone", "电话": "contact_phone",
    "服务事项": "services", "服务类型": "services", "服务事项编码": "services",
    "简介": "description", "机构简介": "description",
    "资质类型": "qualification_type", "资质名称": "qualification_type",
    "资质等级": "qualification_level", "等级": "qualification_level",
    "资质证书编号": "qualification_number", "证书编号": "qualification_number",
    "资质有效期": "qualification_valid_to", "有效期至": "qualification_valid_to",
}
# A cell starting with one of these would run as a formula in a spreadsheet (CSV injection)…
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# …unless it is a plain signed number (a phone "+86 573 8500 0000", "-1").
_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9][0-9 \-]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_LEN = {"name": 200, "address": 300, "legal_rep_name": 50, "contact_name": 50, "contact_phone": 30,
           "description": 5000, "qualification_type": 100, "qualification_number": 100}
MAX_CELL = 5000


def limit(name: str, default: int) -> int:
    return int(getattr(settings, f"AGENCY_IMPORT_{name}", default))


class ImportRefused(Exception):
    """The file as a whole is refused (nothing was written)."""


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    admitted: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    seconds: float = 0.0
    created_usccs: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len({e.row for e in self.errors})

    def summary(self) -> str:
        prefix = "（试运行，未写入）/ (dry run, nothing written) " if self.dry_run else ""
        return (f"{prefix}共 {self.total} 行：新增 {self.created}，更新 {self.updated}，入驻 {self.admitted}，"
                f"跳过 {self.skipped} / {self.total} rows: {self.created} created, {self.updated} updated, "
                f"{self.admitted} admitted, {self.skipped} skipped ({self.seconds:.1f}s)")

    def errors_csv(self) -> str:
        """The error list as CSV with translated headers and a BOM; no cell can start a formula."""
        from django.utils.translation import gettext as _

        from marketplace.exports import columns, csv_text
        return csv_text(columns(_("行"), _("列"), _("原因")), ([e.row, e.column, e.reason] for e in self.errors))


def csv_safe(value) -> str:
    """Neutralise CSV/formula injection: a cell starting with = + - @ (or tab/CR) is prefixed with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# ---- reading --------------------------------------------------------------------------------------


def _size(fh) -> int:
    pos = fh.tell()
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    fh.seek(pos)
    return size


def _check_zip(fh) -> None:
    """Refuse zip bombs before openpyxl inflates anything."""
    try:
        with zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise ImportRefused("不是有效的 xlsx 文件 / not a valid xlsx file") from None
    finally:
        fh.seek(0)
    if len(infos) > limit("MAX_ZIP_MEMBERS", 1000):
        raise ImportRefused("xlsx 文件结构异常（条目过多）/ xlsx refused: too many parts")
    total = sum(i.file_size for i in infos)
    if total > limit("MAX_UNCOMPRESSED_BYTES", 400 * 1024 * 1024):
        raise ImportRefused("xlsx 解压后过大，疑似压缩炸弹 / xlsx refused: uncompressed size too large (zip bomb?)")
    ratio_cap = limit("MAX_ZIP_RATIO", 200)
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > ratio_cap * max(i.compress_size, 1):
            raise ImportRefused("xlsx 压缩比异常，疑似压缩炸弹 / xlsx refused: suspicious compression ratio (zip bomb?)")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows_xlsx(fh):
    import openpyxl

    _check_zip(fh)
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for malformed files
        raise ImportRefused(f"无法读取 xlsx 文件 / cannot read the xlsx file: {type(exc).__name__}") from None
    try:
        ws = wb.worksheets[0]
        max_cols = limit("MAX_COLUMNS", 40)
        if (ws.max_column or 0) > max_cols:
            raise ImportRefused(f"列数过多（上限 {max_cols}）/ too many columns (limit {max_cols})")
        for row in ws.iter_rows(values_only=True):
            if len(row) > max_cols:
                raise ImportRefused(f"列数过多（上限 {max_cols}）/ too many columns (limit {max_cols})")
            yield [_cell(v) for v in row]
    finally:
        wb.close()


def _plausible_chinese(text: str) -> bool:
    """GB18030 decodes almost any bytes; text that really is simplified Chinese keeps (nearly) all of its
    non-ASCII characters inside GB2312 (common hanzi and full-width punctuation). Big5 or Shift-JIS bytes
    read as GB18030 scatter into rare and extension-area characters."""
    wide = [ch for ch in text if not ch.isascii()]
    if not wide:
        return True
    common = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common >= 0.97 * len(wide)


def decode_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 when it reads as plausible Chinese; else ImportRefused
    naming the problem (Big5 and Shift-JIS are not silently turned into garbage)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible_chinese(text):
        return text
    guesses = []
    for encoding, label in (("big5", "Big5"), ("shift_jis", "Shift-JIS")):
        try:
            raw.decode(encoding)
            guesses.append(label)
        except UnicodeDecodeError:
            pass
    guess = f"（可能是 {' / '.join(guesses)}）" if guesses else ""
    raise ImportRefused(
        f"文件编码不是 UTF-8，也不是可识别的 GB18030 中文{guess}；请另存为 UTF-8 CSV / the file is not UTF-8 "
        f"and does not read as GB18030 Chinese{' (' + ' or '.join(guesses) + '?)' if guesses else ''}; "
        f"save it as UTF-8 CSV")


def _rows_csv(fh):
    raw = fh.read()
    text = raw if isinstance(raw, str) else decode_text(raw)
    max_cols = limit("MAX_COLUMNS", 40)
    csv.field_size_limit(MAX_CELL * 4)
    try:
        for row in csv.reader(io.StringIO(text)):
            if len(row) > max_cols:
                raise ImportRefused(f"列数过多（上限 {max_cols}）/ too many columns (limit {max_cols})")
            yield [c.strip() for c in row]
    except csv.Error as exc:
        raise ImportRefused(f"CSV 格式错误 / malformed CSV: {exc}") from None


def read_rows(fh, filename: str):
    """Yield (row_number, {column: text}) for each data row, header mapped; raise ImportRefused when hostile."""
    size = _size(fh)
    max_bytes = limit("MAX_BYTES", 50 * 1024 * 1024)
    if size > max_bytes:
        raise ImportRefused(f"文件过大（上限 {max_bytes // (1024 * 1024)} MB）/ file too large (limit {max_bytes} bytes)")
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".xlsx":
        rows = _rows_xlsx(fh)
    elif suffix == ".csv":
        rows = _rows_csv(fh)
    else:
        raise ImportRefused("只支持 .xlsx 或 .csv 文件 / only .xlsx or .csv files")
    header = None
    max_rows = limit("MAX_ROWS", 100_000)
    for number, row in enumerate(rows, start=1):
        if header is None:
            header = [header_name(h) for h in row]
            missing = [c for c in COLUMNS if c in REQUIRED and c not in header]
            if missing:
                raise ImportRefused("缺少必填列 / missing columns: " + ", ".join(missing))
            continue
        if number - 1 > max_rows:
            raise ImportRefused(f"行数过多（上限 {max_rows}）/ too many rows (limit {max_rows})")
        if not any(row):
            continue
        yield number, {h: (row[i] if i < len(row) else "") for i, h in enumerate(header) if h}
    if header is None:
        raise ImportRefused("文件为空 / the file is empty")


def header_name(text: str) -> str:
    """A header cell as a column name: case-insensitive English names, or a Chinese alias."""
    name = (text or "").strip().lstrip("\ufeff").strip()
    return ALIASES.get(name, name.lower())


# ---- validation -----------------------------------------------------------------------------------


@dataclass
class CleanRow:
    row: int
    uscc: str
    fields: dict
    services: list[str]
    qualification: dict | None


_DATE_RE = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$")


def _parse_date(text: str) -> dt.date:
    """YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD or YYYY年MM月DD日, between 2000 and 2099."""
    match = _DATE_RE.match(text.strip())
    if not match:
        raise ValueError(text)
    try:
        return inputs.date(dt.date(*(int(g) for g in match.groups())))
    except ValidationError:
        raise ValueError(text) from None


def _qualification(raw: dict, err) -> dict | None:
    """The optional qualification columns of one row (None when the row names no qualification)."""
    if not (raw.get("qualification_type") or raw.get("qualification_number")):
        return None
    qualification = {"qualification_type": raw.get("qualification_type", ""),
                     "number": raw.get("qualification_number", ""), "level": 1, "valid_to": None}
    if not qualification["qualification_type"] or not qualification["number"]:
        err("qualification_number", "资质类型和证书编号须同时填写 / type and number go together")
    level = raw.get("qualification_level", "")
    if level:
        try:
            qualification["level"] = inputs.level(level)
        except ValidationError:
            err("qualification_level", f"等级应为 1–{inputs.LEVEL_MAX} 的整数（1为最高） / level is a whole number "
                                       f"from 1 to {inputs.LEVEL_MAX} (1 = highest)")
    if raw.get("qualification_valid_to"):
        try:
            qualification["valid_to"] = _parse_date(raw["qualification_valid_to"])
        except ValueError:
            err("qualification_valid_to", "日期格式应为 YYYY-MM-DD / dates are YYYY-MM-DD")
    return qualification


def validate_row(number: int, raw: dict, *, regions: set, service_codes: set, errors: list) -> CleanRow | None:
    """Pure validation of one row against the reference sets; appends RowErrors and returns None when bad."""
    start = len(errors)

    def err(column, reason):
        errors.append(RowError(number, column, reason))

    for column, value in raw.items():
        if _CONTROL.search(value):
            err(column, "含有控制字符（如 NUL） / contains a control character (such as NUL)")
        elif value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.match(value):
            err(column, "不允许公式（不能以 = + - @ 或制表符开头） / formulas are not allowed (no leading = + - @ or tab)")
        elif len(value) > MAX_LEN.get(column, MAX_CELL):
            err(column, f"内容过长（上限 {MAX_LEN.get(column, MAX_CELL)} 字）/ value too long")
    if len(errors) > start:
        return None
    for column in REQUIRED:
        if not raw.get(column):
            err(column, "必填 / required")
    uscc = ""
    if raw.get("uscc"):
        try:
            uscc = validate_uscc(raw["uscc"])
        except ValidationError as exc:
            err("uscc", f"{exc.code}: {exc.messages[0]}")
    entity_type = raw.get("entity_type", "")
    if entity_type and entity_type not in Agency.EntityType.values:
        err("entity_type", "主体类型应为 企业/事业单位/社会组织/个体工商户 / invalid entity type")
    region = raw.get("region_code", "")
    if region and region not in regions:
        err("region_code", f"行政区划代码不存在 / unknown region code {region}")
    legal_rep_id = raw.get("legal_rep_id", "")
    if legal_rep_id:
        try:
            legal_rep_id = validate_resident_id(legal_rep_id)
        except ValidationError as exc:
            err("legal_rep_id", f"{exc.code}: {exc.messages[0]}")
    codes = [c.strip().upper() for c in raw.get("services", "").replace("；", ";").split(";") if c.strip()]
    unknown = [c for c in codes if c not in service_codes]
    if unknown:
        err("services", "未知的服务类型 / unknown service types: " + ", ".join(unknown))
    qualification = _qualification(raw, err)
    if len(errors) > start:
        return None
    fields = {
        "name": raw["name"], "entity_type": entity_type or entity_type_from_uscc(uscc), "region_id": region,
        "address": raw.get("address", ""), "legal_rep_name": raw.get("legal_rep_name", ""),
        "legal_rep_id": legal_rep_id, "contact_name": raw.get("contact_name", ""),
        "contact_phone": raw.get("contact_phone", ""), "description": raw.get("description", ""),
    }
    # An optional column absent from the file leaves an existing agency's value alone.
    fields = {k: v for k, v in fields.items() if k in ("name", "entity_type", "region_id") or k in raw}
    return CleanRow(number, uscc, fields, codes, qualification)


# ---- writing --------------------------------------------------------------------------------------

IMPORT_LOCK_KEY = 0x7A6A6373_0001  # "zjcs" + 1: the advisory-lock id of the register import
BUSY = "另一个名录导入正在进行，请在其完成后再试 / another register import is running; try again when it has finished"


@contextmanager
def import_lock():
    """One register import at a time; a second one is refused (ImportRefused) instead of racing the first
    into an IntegrityError. PostgreSQL: a transaction-level advisory lock (call inside the write
    transaction); other databases: an exclusive lock on a file next to the database."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise ImportRefused(BUSY)
        yield
        return
    import fcntl

    path = Path(f"{connection.settings_dict['NAME']}.import-lock")
    with open(path, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportRefused(BUSY) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


UPDATE_FIELDS = ["name", "entity_type", "region_id", "address", "legal_rep_name", "legal_rep_id", "contact_name",
                 "contact_phone", "description"]


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def import_agencies(source, *, filename: str | None = None, by=None, dry_run: bool = False, admit: bool = False,
                    progress: bool = True, today: dt.date | None = None) -> ImportReport:
    """Import a register file (path or file object). Returns an ImportReport; raises ImportRefused for hostile files."""
    from tqdm import tqdm

    started = time.perf_counter()
    today = today or timezone.localdate()
    report = ImportReport(dry_run=dry_run)
    if isinstance(source, str | Path):
        filename = filename or str(source)
        fh = open(source, "rb")  # noqa: SIM115 (closed below)
    else:
        fh = source
        filename = filename or getattr(source, "name", "")
    regions = set(Region.objects.values_list("code", flat=True))
    service_types = dict(ServiceType.objects.filter(active=True).values_list("code", "typical_limit_wd"))
    blacklisted = set(Blacklist.objects.filter(ends_on__gte=today).values_list("uscc", flat=True))
    clean: dict[str, CleanRow] = {}
    try:
        for number, raw in tqdm(read_rows(fh, filename), desc="读取 / reading", unit="行", disable=not progress):
            report.total += 1
            row = validate_row(number, raw, regions=regions, service_codes=set(service_types), errors=report.errors)
            if row is None:
                continue
            if row.uscc in clean:
                report.errors.append(RowError(number, "uscc", f"duplicate: 与第 {clean[row.uscc].row} 行重复 / "
                                                               f"same USCC as row {clean[row.uscc].row}"))
                continue
            if row.uscc in blacklisted:
                report.errors.append(RowError(number, "uscc", "blacklisted: 该代码在黑名单期内 / USCC is blacklisted"))
                continue
            clean[row.uscc] = row
    finally:
        if isinstance(source, str | Path):
            fh.close()
    with transaction.atomic(), import_lock():
        _write(list(clean.values()), report=report, by=by, admit=admit, progress=progress, today=today,
               service_types=service_types)
        if dry_run:
            transaction.set_rollback(True)
        else:
            now = timezone.now()
            audit.record_many([{"action": "agencies.imported", "by": by, "data": {
                "file": Path(filename or "").name, "total": report.total, "created": report.created,
                "updated": report.updated, "admitted": report.admitted, "skipped": report.skipped,
                "created_usccs": report.created_usccs}}], now=now)
    if not dry_run and (report.created or report.updated):
        analyze_after_bulk_write()
    # Wall time of the whole import, after-commit work included (re-indexing with the immediate backend).
    report.seconds = time.perf_counter() - started
    report.errors.sort(key=lambda e: (e.row, e.column))
    return report


def analyze_after_bulk_write() -> None:
    """Refresh the planner's statistics after a bulk write (autovacuum may lag: 11 rows planned, 13,000 found)."""
    from django.db import connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for model in (Organisation, Agency, AgencyService, Qualification):
            cur.execute(f"ANALYZE {model._meta.db_table}")


def _write(rows: list[CleanRow], *, report: ImportReport, by, admit: bool, progress: bool, today: dt.date,
           service_types: dict) -> None:
    from tqdm import tqdm

    now = timezone.now()
    bar = tqdm(total=len(rows), desc="写入 / writing", unit="行", disable=not progress)
    for chunk in _chunks(rows, 2000):
        _write_chunk(chunk, report=report, by=by, admit=admit, now=now, service_types=service_types)
        bar.update(len(chunk))
    bar.close()


@dataclass
class _Matched:
    existing: dict
    by_uscc: dict = field(default_factory=dict)
    new_orgs: list = field(default_factory=list)
    new_agencies: list = field(default_factory=list)
    changed: list = field(default_factory=list)


def _match(chunk: list[CleanRow], *, report: ImportReport, admit: bool, now) -> _Matched:
    """Pair each row with its agency: existing rows are updated in memory, new ones built unsaved."""
    usccs = [r.uscc for r in chunk]
    found = _Matched(existing={a.uscc: a for a in Agency.objects.filter(uscc__in=usccs)})
    orgs = {o.uscc: o for o in Organisation.objects.filter(uscc__in=usccs)}
    for r in chunk:
        agency = found.existing.get(r.uscc)
        if agency is None:
            org = orgs.get(r.uscc)
            if org is not None and org.kind != Organisation.Kind.AGENCY:
                report.errors.append(RowError(r.row, "uscc", "duplicate: 该代码已属于非中介单位 / USCC belongs "
                                                              "to a non-agency organisation"))
                continue
            if org is None:
                org = Organisation(kind=Organisation.Kind.AGENCY, name=r.fields["name"], uscc=r.uscc,
                                   region_id=r.fields["region_id"])
                found.new_orgs.append(org)
            # Admitting on creation saves a second pass over new rows.
            agency = Agency(organisation=org, uscc=r.uscc,
                            status=Agency.Status.ADMITTED if admit else Agency.Status.DRAFT,
                            admitted_at=now if admit else None, **r.fields)
            found.new_agencies.append(agency)
        else:
            # Only rows whose data differ are written: a repeated import is nearly free.
            if any(getattr(agency, k) != v for k, v in r.fields.items()):
                for key, value in r.fields.items():
                    setattr(agency, key, value)
                found.changed.append(agency)
            report.updated += 1
        found.by_uscc[r.uscc] = agency
    return found


def _write_chunk(chunk: list[CleanRow], *, report: ImportReport, by, admit: bool, now, service_types: dict) -> None:
    m = _match(chunk, report=report, admit=admit, now=now)
    Organisation.objects.bulk_create(m.new_orgs, batch_size=1000)
    for agency in m.new_agencies:
        agency.organisation_id = agency.organisation.pk
    Agency.objects.bulk_create(m.new_agencies, batch_size=1000)
    Agency.objects.bulk_update(m.changed, UPDATE_FIELDS, batch_size=1000)
    report.created += len(m.new_agencies)
    written = [r for r in chunk if r.uscc in m.by_uscc]
    _write_services(written, m.by_uscc, service_types)
    _write_qualifications(written, m.by_uscc)
    admitted = list(m.new_agencies) if admit else []
    if admit:
        promote = [a for u, a in m.by_uscc.items() if u in m.existing
                   and a.status != Agency.Status.ADMITTED and leads_to(a, Agency.Status.ADMITTED)]
        Agency.objects.filter(pk__in=[a.pk for a in promote]).update(status=Agency.Status.ADMITTED,
                                                                      admitted_at=now)
        admitted += promote
    report.admitted += len(admitted)
    report.created_usccs.extend(a.uscc for a in m.new_agencies)
    # One `agencies.admitted` entry per agency: search, CMS and credit subscribe to it.
    audit.record_many([{"action": "agencies.admitted", "by": by, "obj": a, "organisation": a.organisation_id,
                        "data": {"uscc": a.uscc, "name": a.name, "region": a.region_id, "import": True}}
                       for a in admitted], now=now)


def _write_services(rows: list[CleanRow], by_uscc: dict, service_types: dict) -> None:
    ids = [a.pk for a in by_uscc.values()]
    have = set(AgencyService.objects.filter(agency_id__in=ids).values_list("agency_id", "service_type_id"))
    services = []
    for r in rows:
        agency_id = by_uscc[r.uscc].pk
        for code in dict.fromkeys(r.services):
            if (agency_id, code) not in have:
                services.append(AgencyService(agency_id=agency_id, service_type_id=code,
                                              fee_basis=AgencyService.FeeBasis.NEGOTIATED,
                                              time_limit_wd=service_types[code]))
    AgencyService.objects.bulk_create(services, batch_size=2000)


def _write_qualifications(rows: list[CleanRow], by_uscc: dict) -> None:
    with_q = [r for r in rows if r.qualification]
    if not with_q:
        return
    ids = [by_uscc[r.uscc].pk for r in with_q]
    existing = {(q.agency_id, q.number): q for q in Qualification.objects.filter(agency_id__in=ids)}
    create, update = [], []
    for r in with_q:
        agency_id, data = by_uscc[r.uscc].pk, r.qualification
        q = existing.get((agency_id, data["number"]))
        if q is None:
            create.append(Qualification(agency_id=agency_id, **data))
        else:
            q.qualification_type, q.level, q.valid_to = data["qualification_type"], data["level"], data["valid_to"]
            update.append(q)
    Qualification.objects.bulk_create(create, batch_size=1000)
    Qualification.objects.bulk_update(update, ["qualification_type", "level", "valid_to"], batch_size=500)
