"""Working-day calendar: the worked examples and rules of docs/rules.md §3."""

import datetime as dt

import pytest

from marketplace import workdays
from marketplace.workdays import Calendar, calendar_from_package

D = dt.date
CAL = calendar_from_package()


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2025, 9, 26), 10, D(2025, 10, 16)),  # National Day; Sun 09-28 and Sat 10-11 worked
        (D(2025, 1, 24), 5, D(2025, 2, 7)),  # Spring Festival; Sun 01-26 worked, Sat 02-08 after
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # the make-up Sunday is the first working day
        (D(2025, 9, 26), 0, D(2025, 9, 26)),
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
    ],
)
def test_add_working_days_examples(start, n, expected):
    result = CAL.add_working_days(start, n)
    assert result == expected
    assert result.confirmed


def test_working_days_between_example():
    assert CAL.working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1


def test_half_open_range_excludes_start_includes_end():
    # Mon..Fri: (Mon, Fri] holds Tue-Fri.
    assert CAL.working_days_between(D(2025, 11, 3), D(2025, 11, 7)) == 4
    assert CAL.working_days_between(D(2025, 11, 7), D(2025, 11, 3)) == 0
    assert CAL.working_days_between(D(2025, 11, 7), D(2025, 11, 7)) == 0


def test_make_up_day_is_working_and_holiday_weekday_is_not():
    assert CAL.is_working_day(D(2025, 9, 28))  # Sunday worked
    assert CAL.is_working_day(D(2025, 10, 11))  # Saturday worked
    assert not CAL.is_working_day(D(2025, 10, 1))
    assert not CAL.is_working_day(D(2025, 10, 8))  # Wednesday, still off
    assert not CAL.is_working_day(D(2025, 11, 8))  # ordinary Saturday


def test_year_without_data_falls_back_to_weekends_and_is_unconfirmed():
    start = D(2026, 12, 28)  # Monday; 2027 has no schedule yet
    result = CAL.add_working_days(start, 5)
    assert result == D(2027, 1, 4)  # weekends only: 29,30,31 Dec, Fri 1 Jan counts, Mon 4 Jan
    assert result.confirmed is False
    assert CAL.working_days_between(D(2026, 12, 1), D(2027, 1, 1)).confirmed is False
    assert CAL.working_days_between(D(2026, 12, 1), D(2026, 12, 31)).confirmed is True


def test_pure_calendar_with_custom_data():
    cal = Calendar(holidays=frozenset({D(2030, 1, 2)}), workdays=frozenset({D(2030, 1, 5)}), years=frozenset({2030}))
    assert cal.add_working_days(D(2030, 1, 1), 2) == D(2030, 1, 4)
    assert cal.add_working_days(D(2030, 1, 1), 3) == D(2030, 1, 5)


def test_negative_n_refused():
    with pytest.raises(ValueError):
        CAL.add_working_days(D(2025, 1, 1), -1)


@pytest.mark.django_db
def test_database_calendar_filled_on_migrate_matches_package():
    from marketplace.models import CalendarYear, Holiday

    assert CalendarYear.objects.filter(year=2025, confirmed=True).exists()
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert Holiday.objects.filter(date=D(2025, 10, 1), kind="holiday").exists()
    assert Holiday.objects.filter(date=D(2025, 9, 28), kind="workday").exists()
    workdays.invalidate()
    assert workdays.add_working_days(D(2025, 9, 26), 10) == D(2025, 10, 16)
    assert workdays.add_working_days(D(2025, 1, 24), 5) == D(2025, 2, 7)
    assert workdays.working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert workdays.unconfirmed_years(D(2026, 11, 23)) == [2027]


@pytest.mark.django_db
def test_operator_edit_takes_effect_immediately():
    from marketplace.models import CalendarYear, Holiday

    CalendarYear.objects.create(year=2027, source="国务院办公厅 2027 安排")
    Holiday.objects.create(date=D(2027, 1, 1), kind="holiday", name="元旦", source="manual")
    result = workdays.add_working_days(D(2026, 12, 31), 1)
    assert result == D(2027, 1, 4)
    assert result.confirmed
