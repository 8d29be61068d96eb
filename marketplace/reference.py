"""Reference data the marketplace ships as its own: service catalogue, regions, holidays, policy v1.

Loaded by an idempotent post_migrate handler, so a plain `migrate` (including the test database's)
leaves them present; rows the operator has edited are never overwritten.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from marketplace import audit

OPERATORS_GROUP = "Operators"
DATA_DIR = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_regions() -> int:
    from marketplace.models import Region

    rows = _rows("regions.csv")
    existing = set(Region.objects.values_list("code", flat=True))
    created = 0
    pending = [r for r in rows if r["code"] not in existing]
    # Parents first: the CSV is ordered, but make it independent of that.
    while pending:
        progressed = []
        known = existing | {r["code"] for r in progressed}
        for r in pending:
            if not r["parent"] or r["parent"] in known:
                Region.objects.create(code=r["code"], name=r["name"], parent_id=r["parent"] or None)
                existing.add(r["code"])
                known.add(r["code"])
                progressed.append(r)
                created += 1
        if not progressed:
            raise ValueError("regions.csv has a parent that does not exist")
        pending = [r for r in pending if r not in progressed]
    region_ancestors.cache_clear()
    return created


def load_service_types() -> int:
    from marketplace.models import Department, ServiceType

    created = 0
    existing = set(ServiceType.objects.values_list("code", flat=True))
    for r in _rows("service_types.csv"):
        if r["code"] in existing:
            continue
        dept, _ = Department.objects.get_or_create(name=r["department"])
        ServiceType.objects.create(code=r["code"], name=r["name"], name_en=r["name_en"], department=dept,
                                   qualification=r["qualification"],
                                   typical_limit_wd=int(r["typical_limit_wd"] or 20))
        created += 1
    return created


def load_holidays() -> int:
    """Holidays and make-up days for every year `chinesecalendar` knows; a year already present is left alone."""
    import chinese_calendar

    from marketplace import workdays
    from marketplace.holiday_notice import chinese_name
    from marketplace.models import CalendarYear, Holiday

    source = f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()
    years = sorted({d.year for d in chinese_calendar.holidays})
    have = set(CalendarYear.objects.values_list("year", flat=True))
    taken = set(Holiday.objects.values_list("date", flat=True))
    rows = []
    for year in range(years[0], years[-1] + 1):
        if year in have:
            continue
        for d, name in chinese_calendar.holidays.items():
            if d.year == year and d not in taken:
                rows.append(Holiday(date=d, kind=Holiday.Kind.HOLIDAY, name=chinese_name(str(name or "")),
                                    source=source))
        for d, name in chinese_calendar.workdays.items():
            if d.year == year and d not in taken:
                rows.append(Holiday(date=d, kind=Holiday.Kind.WORKDAY, name=chinese_name(str(name or "")),
                                    source=source))
        CalendarYear.objects.create(year=year, confirmed=True, source=source)
    Holiday.objects.bulk_create(rows, batch_size=500)
    workdays.invalidate()
    return len(rows)


def ensure_policy() -> None:
    from marketplace.models import PolicyVersion
    from marketplace.policy import DEFAULTS

    if not PolicyVersion.objects.exists():
        PolicyVersion.objects.create(version=1, name="RP-1", data=dict(DEFAULTS), note="RP-1 默认政策 / default policy")


def ensure_wagtail_basics() -> None:
    """Wagtail's root page, root collection and Editors/Moderators groups with admin access.

    Wagtail creates these in data migrations; a database flush (transactional tests) removes them
    while post_migrate runs again, so they are re-ensured here, idempotently.
    """
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    ContentType.objects.clear_cache()  # ids change when a flush recreates content types
    if not Locale.objects.exists():
        Locale.objects.create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)))
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    admin_ct, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(content_type=admin_ct, codename="access_admin",
                                                 defaults={"name": "Can access Wagtail admin"})
    for name in ("Editors", "Moderators", OPERATORS_GROUP):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access)
    # Operators edit the reference data through the Wagtail admin's model viewsets. Our post_migrate
    # handler can run before auth's, so make sure this app's permissions exist first.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    create_permissions(apps.get_app_config("marketplace"), verbosity=0)
    reference = Permission.objects.filter(
        content_type__app_label="marketplace",
        content_type__model__in=["holiday", "calendaryear", "servicetype", "region"],
    )
    Group.objects.get(name=OPERATORS_GROUP).permissions.add(*reference)


def load_all() -> None:
    load_regions()
    load_service_types()
    load_holidays()
    ensure_policy()
    audit.ensure_head()
    ensure_wagtail_basics()


@lru_cache(maxsize=4096)
def region_ancestors(code: str) -> list[str]:
    """[code, parent, grandparent, ...] for a region code."""
    from marketplace.models import Region

    parents = dict(Region.objects.values_list("code", "parent_id"))
    chain = []
    current = code
    while current and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain
