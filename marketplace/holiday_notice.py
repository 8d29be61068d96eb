"""A year's holiday schedule from the State Council notice's text, or from the `chinesecalendar` package.

Pure functions over text and plain dates (no database). `parse_notice(text, year)` reads lines such as

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    春节 2027-02-06 至 2027-02-13 放假；2027-02-14 上班

A line may start with the holiday's name (before "：" or a date); each sentence (split at 。；， and line
ends) holding dates must say 放假/休 (days off) or 上班/调休上班 (make-up working days). Text in
brackets (weekday, lunar date) is ignored. Errors are ValidationErrors in "中文 / English".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

HOLIDAY, WORKDAY = "holiday", "workday"

_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_ENUM = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|\d+[.、)]\s*)")
_SENTENCES = re.compile(r"[。；;，,\n]")
_FULL = r"(?P<y{n}>\d{{4}})\s*[-/.年]\s*(?P<m{n}>\d{{1,2}})\s*[-/.月]\s*(?P<d{n}>\d{{1,2}})\s*日?"
_SHORT = r"(?:(?P<m{n}>\d{{1,2}})\s*月\s*)?(?P<d{n}>\d{{1,2}})\s*日"
_DATE = re.compile(r"(?:" + _FULL.format(n=1) + r"|" + _SHORT.format(n=2) + r")")
_RANGE_WORD = re.compile(r"^\s*(?:至|到|~|～|—|–|-)\s*$")


@dataclass(frozen=True)
class Day:
    date: dt.date
    kind: str  # HOLIDAY or WORKDAY
    name: str


def _error(zh: str, en: str) -> ValidationError:
    return ValidationError(f"{zh} / {en}")


def _dates_in(sentence: str, year: int, line_no: int) -> list[dt.date]:
    """Every date in a sentence; "A至B" expands to the days between (B may omit the month or be a full date)."""
    found, month = [], None
    matches = list(_DATE.finditer(sentence))
    for i, match in enumerate(matches):
        g = match.groupdict()
        y = int(g["y1"]) if g["y1"] else year
        m = int(g["m1"] or g["m2"] or 0) or month
        if m is None:
            raise _error(f"第{line_no}行“{match.group(0)}”缺少月份", f"line {line_no}: “{match.group(0)}” has no month")
        try:
            day = dt.date(y, m, int(g["d1"] or g["d2"]))
        except ValueError:
            raise _error(f"第{line_no}行“{match.group(0)}”不是有效日期",
                         f"line {line_no}: “{match.group(0)}” is not a valid date") from None
        month = m
        between = sentence[matches[i - 1].end():match.start()] if i else ""
        if i and _RANGE_WORD.match(between):
            start = found[-1]
            if day <= start:
                raise _error(f"第{line_no}行的日期范围结束早于开始", f"line {line_no}: a range ends before it starts")
            found.extend(start + dt.timedelta(days=n) for n in range(1, (day - start).days + 1))
        else:
            found.append(day)
    return found


def _kind(sentence: str) -> str | None:
    if "上班" in sentence:
        return WORKDAY
    if "放假" in sentence or "休" in sentence:
        return HOLIDAY
    return None


def _split_name(line: str) -> tuple[str, str]:
    line = _ENUM.sub("", line)
    if "：" in line or ":" in line:
        head, _sep, rest = line.replace(":", "：", 1).partition("：")
        if not _DATE.search(head):
            return head.strip(), rest
    match = re.match(r"^\s*([^\d\s]{2,10}?)\s+(?=\d)", line)
    if match and not _kind(match.group(1)):
        return match.group(1).strip(), line[match.end():]
    return "", line


def parse_notice(text: str, year: int) -> list[Day]:
    """The days off and make-up working days of `year` in the notice's text, in date order."""
    days: dict[dt.date, Day] = {}
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = _BRACKETS.sub("", raw).strip()
        if not line:
            continue
        name, body = _split_name(line)
        for sentence in _SENTENCES.split(body):
            dates = _dates_in(sentence, year, line_no)
            if not dates:
                continue
            kind = _kind(sentence)
            if kind is None:
                raise _error(f"第{line_no}行“{sentence.strip()}”未写明放假还是上班",
                             f"line {line_no}: “{sentence.strip()}” says neither 放假 (day off) nor 上班 (working day)")
            for day in dates:
                _add(days, Day(day, kind, name), year, line_no)
    if not days:
        raise _error("没有识别出任何日期", "no dates were found")
    return sorted(days.values(), key=lambda d: d.date)


def _add(days: dict, day: Day, year: int, line_no: int) -> None:
    if day.date.year != year:
        raise _error(f"第{line_no}行的{day.date.isoformat()}不在{year}年",
                     f"line {line_no}: {day.date.isoformat()} is not in {year}")
    if day.date in days and days[day.date].kind != day.kind:
        raise _error(f"{day.date.isoformat()}既是放假又是上班", f"{day.date.isoformat()} is both a day off and a working day")
    days[day.date] = day


def from_package(year: int) -> tuple[list[Day], str]:
    """The year's days as the installed `chinesecalendar` release knows them, with Chinese names, and its version."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday as Festival

    version = getattr(chinese_calendar, "__version__", "")
    chinese = {festival.value: festival.chinese for festival in Festival}
    days = [Day(d, HOLIDAY, chinese.get(name, name or "")) for d, name in chinese_calendar.holidays.items()
            if d.year == year]
    days += [Day(d, WORKDAY, chinese.get(name, name or "")) for d, name in chinese_calendar.workdays.items()
             if d.year == year]
    if not days:
        raise _error(f"chinesecalendar {version} 尚未收录{year}年的节假日安排，请粘贴国务院通知",
                     f"chinesecalendar {version} does not know {year} yet; paste the State Council notice")
    return sorted(days, key=lambda d: d.date), f"chinesecalendar {version}".strip()


def chinese_name(name: str) -> str:
    """A holiday name from the package (“Spring Festival”) in Chinese (“春节”); other names unchanged."""
    from chinese_calendar.constants import Holiday as Festival

    return {festival.value: festival.chinese for festival in Festival}.get(name, name)
