"""Identifiers (docs/rules.md §2): 统一社会信用代码 (GB 32100-2015) and the resident ID number (GB 11643).

Pure functions, no database. Each validator normalises (strip, drop spaces and hyphens, full-width →
ASCII, upper-case) and returns the normalised value, or raises `ValidationError` whose `code` names
the first problem found, in this order: `length`, `charset`, `region`, `check` (`birthdate` too for
resident IDs). python-stdnum computes the check characters.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumError

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_RE = re.compile(rf"^[{USCC_CHARSET}]{{18}}$")
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
# First two digits of GB/T 2260 codes: provinces, plus 10 (central-level registrations, e.g. 100000).
PROVINCE_PREFIXES = frozenset(
    {"10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
     "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
     "71", "81", "82"}
)

# Entity type from the registration-authority code (first character) and category (second).
ENTERPRISE, INSTITUTION, SOCIAL, INDIVIDUAL = "企业", "事业单位", "社会组织", "个体工商户"

_MESSAGES = {
    "length": "统一社会信用代码应为18位 / a USCC has 18 characters",
    "charset": "统一社会信用代码含有无效字符（不使用 I、O、S、V、Z）/ invalid character in the USCC (I, O, S, V, Z are never used)",
    "region": "统一社会信用代码第3–8位应为有效的行政区划代码 / positions 3–8 of the USCC must be a region code",
    "check": "统一社会信用代码校验位错误 / the USCC check character is wrong",
    "duplicate": "该统一社会信用代码已登记 / this USCC is already registered",
    "id_length": "身份证号应为18位 / a resident ID number has 18 characters",
    "id_charset": "身份证号只能由数字和末位X组成 / a resident ID is 17 digits and a digit or X",
    "id_region": "身份证号前6位应为有效的行政区划代码 / the first 6 digits of a resident ID must be a region code",
    "id_birthdate": "身份证号中的出生日期无效 / the birth date in the resident ID is invalid",
    "id_check": "身份证号校验位错误 / the resident ID check digit is wrong",
}


def normalise(value) -> str:
    """Strip, drop spaces and hyphens, full-width → ASCII (NFKC), any script's decimal digits → ASCII
    digits, upper-case. Whatever is still not ASCII is left in place for the charset check to refuse."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = "".join(str(unicodedata.decimal(ch)) if not ch.isascii() and ch.isdecimal() else ch for ch in text)
    return re.sub(r"[\s\-‐‑‒–—－]", "", text).upper()


def _fail(key: str, code: str | None = None) -> ValidationError:
    return ValidationError(_MESSAGES[key], code=code or key)


def validate_uscc(value) -> str:
    """Return the normalised USCC or raise ValidationError (code length/charset/region/check)."""
    code = normalise(value)
    if len(code) != 18:
        raise _fail("length")
    if not _USCC_RE.match(code):
        raise _fail("charset")
    region = code[2:8]
    if not region.isdigit() or region[:2] not in PROVINCE_PREFIXES:
        raise _fail("region")
    # stdnum's validate() insists the first 8 characters are digits, but registration-authority codes
    # A, N and Y exist; so only its check-character computation is used.
    if stdnum_uscc.calc_check_digit(code[:17]) != code[17]:
        raise _fail("check")
    return code




def validate_resident_id(value) -> str:
    """Return the normalised 18-digit resident ID or raise ValidationError (length/charset/region/birthdate/check)."""
    code = normalise(value)
    if len(code) != 18:
        raise _fail("id_length", "length")
    if not _ID_RE.match(code):
        raise _fail("id_charset", "charset")
    if code[:2] not in PROVINCE_PREFIXES - {"10"}:
        raise _fail("id_region", "region")
    try:
        stdnum_ric.get_birth_date(code)
    except StdnumError:
        raise _fail("id_birthdate", "birthdate") from None
    # Only the check digit comes from stdnum: its validate() also looks the birthplace up in a
    # bundled table that lacks many current county codes (e.g. 330482), so it would refuse real IDs.
    if stdnum_ric.calc_check_digit(code) != code[-1]:
        raise _fail("id_check", "check")
    return code


def entity_type_from_uscc(code: str) -> str:
    """The entity type implied by the registration authority (GB 32100 table 1).

    1 机构编制 → 事业单位; 5 民政 → 社会组织; 9 工商 with category 2 → 个体工商户; anything else → 企业.
    """
    code = normalise(code)
    if code.startswith("1"):
        return INSTITUTION
    if code.startswith("5"):
        return SOCIAL
    if code.startswith("92"):
        return INDIVIDUAL
    return ENTERPRISE


def duplicate_error() -> ValidationError:
    return _fail("duplicate")


def ensure_uscc_unique(code: str, *, exclude_pk=None) -> str:
    """Validate and check no other agency holds the code (reason `duplicate`)."""
    from agencies.models import Agency

    code = validate_uscc(code)
    qs = Agency.objects.filter(uscc=code)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise duplicate_error()
    return code


def ascii_repair(value: str, validate, taken) -> tuple[str | None, str]:
    """For a stored identifier with non-ASCII characters: `(ascii_value, "")` when `validate` accepts its
    normalised form and `taken(ascii_value)` is False, else `(None, why)`. Used by the data migration
    that cleans identifiers stored before normalisation (issue 14, finding 3)."""
    try:
        fixed = validate(value)
    except ValidationError as exc:
        return None, f"invalid after normalisation ({exc.code})"
    if taken(fixed):
        return None, f"{fixed} is already held by another row"
    return fixed, ""
