"""What every stage's services share: the row lock, the permission check and the service clock."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from marketplace import permissions, workdays
from marketplace.policy import Policy
from projects import selection as rules

clock = timezone.now  # the moment a service acts at when the caller passes no `now`


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or clock()


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def locked(target, pk=None, **lookup):
    """Re-read a row under a row lock so racing writers serialise; callers re-check its state afterwards.

    `locked(project)` re-reads an instance, `locked(Project, pk)` a row by primary key and
    `locked(Model, field=value)` a row by another unique key.
    """
    if isinstance(target, models.Model):
        model, lookup = type(target), {"pk": target.pk}
    else:
        model = target
        if pk is not None:
            lookup = {"pk": pk}
    return model._default_manager.select_for_update().get(**lookup)


def require(user, action: str, obj) -> None:
    """The permission check of a user-driven write; sweeps (user None) act for the platform."""
    if user is not None:
        permissions.require(user, action, obj)


def deadline_after(moment: dt.datetime, wd: int, policy: Policy) -> dt.datetime:
    """`wd` working days after `moment`'s date, at the registration close time."""
    return rules.close_time_on(workdays.add_working_days(local_date(moment), wd), policy)
