"""The one input-normalising layer for numbers, dates and emails (issue 14, finding 9).

Every form field, API parameter and service that takes a date, an amount, a count or a level from a user
goes through these bounds, so an absurd value (`as_of=0001-01-01`, a quote of `1E+26`, a time limit of
`99999999999` working days, a qualification level of `99999`, a 300-character email) is refused with a
bilingual message before anything is computed or written, instead of overflowing a date, a Decimal
context or a PostgreSQL smallint. NUL characters are refused earlier by `InputGuardMiddleware`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from pydantic import Field

DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)
MONEY_MAX = Decimal("999999999999.99")   # 14 digits, 2 after the point: the DecimalField(max_digits=14) bound
TWO = Decimal("0.01")
LEVEL_MAX = 9                            # qualification grades: 1 (甲) is the highest; no register uses more than 9
WORKING_DAYS_MAX = 3650                  # ten years of working days: above any real service time limit
COUNT_MAX = 9999                         # people, rows, pages asked for
YEAR_MIN, YEAR_MAX = 1949, 2099
EMAIL_MAX = 254                          # RFC 5321 path limit; the User and Invitation columns hold 254

# For django-ninja / pydantic: an out-of-range value is a validation error (4xx), never a 500.
ApiDate = Annotated[dt.date, Field(ge=DATE_MIN, le=DATE_MAX)]
ApiPage = Annotated[int, Field(ge=1, le=1_000_000)]


def _bad(message: str) -> ValidationError:
    return ValidationError(message, code="invalid")


def date(value, *, label: str = "日期") -> dt.date | None:
    """A date between 2000-01-01 and 2099-12-31, None when empty."""
    if value in (None, ""):
        return None
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise _bad(f"{label}格式应为 YYYY-MM-DD / {label}: use YYYY-MM-DD") from None
    if not DATE_MIN <= value <= DATE_MAX:
        raise _bad(f"{label}须在 {DATE_MIN} 至 {DATE_MAX} 之间 / {label} must lie between {DATE_MIN} and {DATE_MAX}")
    return value


def money(value, label: str = "金额") -> Decimal | None:
    """An amount in 元 to the fen (0 ≤ amount ≤ 999,999,999,999.99), None when empty."""
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise _bad(f"{label}不是有效金额 / {label} is not a valid amount") from None
    if not amount.is_finite() or not -MONEY_MAX <= amount <= MONEY_MAX:
        raise _bad(f"{label}不是有效金额（最多12位整数）/ {label} is not a valid amount (at most 12 digits before the point)")
    return amount.quantize(TWO)


def integer(value, *, low: int, high: int, label: str) -> int:
    """An integer in [low, high]. Decimal digits of any script count (full-width １, Arabic-Indic ١);
    superscripts ('²'), fractions and exponents do not."""
    import unicodedata

    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in str(value).strip())
    if not (text.lstrip("-").isascii() and text.lstrip("-").isdigit()):
        raise _bad(f"{label}须为整数 / {label} must be a whole number")
    number = int(text)
    if not low <= number <= high:
        raise _bad(f"{label}须在 {low} 至 {high} 之间 / {label} must be between {low} and {high}")
    return number


def level(value) -> int:
    return integer(value, low=1, high=LEVEL_MAX, label="资质等级")


def working_days(value, label: str = "时限（工作日）") -> int:
    return integer(value, low=1, high=WORKING_DAYS_MAX, label=label)


def count(value, label: str = "人数") -> int:
    return integer(value, low=1, high=COUNT_MAX, label=label)


def email(value) -> str:
    """A lower-cased email address of at most 254 characters."""
    text = (value or "").strip().lower()
    if len(text) > EMAIL_MAX:
        raise _bad(f"电子邮箱过长（最多{EMAIL_MAX}个字符）/ the email address is too long (at most {EMAIL_MAX} characters)")
    try:
        validate_email(text)
    except ValidationError:
        raise _bad("请输入有效的电子邮箱 / enter a valid email address") from None
    return text


# ---- form fields with the same bounds -----------------------------------------------------------

def level_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(min_value=1, max_value=LEVEL_MAX, **kwargs)


def working_days_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(min_value=1, max_value=WORKING_DAYS_MAX, **kwargs)


def year_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX, **kwargs)


def money_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, **kwargs)


def date_field(**kwargs) -> forms.DateField:
    from django.core.validators import MaxValueValidator, MinValueValidator

    kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
    return forms.DateField(validators=[MinValueValidator(DATE_MIN), MaxValueValidator(DATE_MAX)], **kwargs)
