"""The 项目代码 of the investment project a posting belongs to, as assigned by 全国投资项目在线审批监管平台.

Format (GB/T 40058-2021 《全国固定资产投资项目代码编码规范》, written with hyphens as the platform shows it,
e.g. `2019-330482-48-01-012345`): 4-digit year the code was assigned, 6-digit administrative region code
(GB/T 2260), 2-digit code of the central department giving sector guidance, 2-digit project type, and 6 digits
(a serial number in codes assigned before the standard; 5 random digits and a check digit after it). The
check digit's algorithm is not published in the sources available to us, so it is not verified. Pure: no
query, no clock."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

PATTERN = re.compile(r"^(?P<year>\d{4})-(?P<region>\d{6})-(?P<dept>\d{2})-(?P<type>\d{2})-(?P<serial>\d{6})$")
FIRST_YEAR = 2014   # the online platform started assigning codes in 2015; one year of slack
LAST_YEAR = 2099
# GB/T 2260 province-level prefixes (the first two digits of a region code).
PROVINCES = frozenset({"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
                       "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
                       "65", "71", "81", "82"})
FORMAT_HINT = "格式：年份-行政区划代码-行业代码-类型代码-6位序号，如 2019-330482-48-01-012345"
FORMAT_HINT_EN = "format: year-region(6)-sector(2)-type(2)-serial(6), e.g. 2019-330482-48-01-012345"


def parse(code: str) -> dict | None:
    """The code's parts, or None when it does not have the published shape."""
    match = PATTERN.match((code or "").strip())
    return match.groupdict() if match else None


def problem(code: str) -> str | None:
    """Why `code` is not a valid investment project code ("中文 / English"), or None when it is (blank is allowed:
    not every posting belongs to an investment project)."""
    code = (code or "").strip()
    if not code:
        return None
    parts = parse(code)
    if parts is None:
        return f"投资项目代码格式不正确（{FORMAT_HINT}） / invalid investment project code ({FORMAT_HINT_EN})"
    if not FIRST_YEAR <= int(parts["year"]) <= LAST_YEAR:
        return f"投资项目代码的年份 {parts['year']} 不正确 / the code's year {parts['year']} is not valid"
    region = parts["region"]
    if region[:2] not in PROVINCES or region[2:] != "0000" and region[2:4] == "00":
        return f"投资项目代码的行政区划代码 {region} 不正确 / the code's region {region} is not a region code"
    if parts["type"] == "00" or parts["dept"] == "00":
        return "投资项目代码的行业或类型代码不能为 00 / the sector and type codes cannot be 00"
    return None


def validate(code: str) -> None:
    """Model / form validator: raise the problem as a ValidationError."""
    message = problem(code)
    if message:
        raise ValidationError(message)
