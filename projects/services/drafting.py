"""Drafting: the posting is written, published, revised, cancelled, and re-published after 流标."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agencies.identifiers import normalise
from marketplace import audit, inputs, workdays
from marketplace.policy import Policy, current_policy
from projects import draw as draw_rules
from projects import selection as rules
from projects.eligibility import refusal_reasons
from projects.models import (
    AvoidedAgency,
    Project,
    ProjectCodeSequence,
    ProjectRevision,
    RequiredPractitioner,
    RequiredQualification,
)
from projects.selectors import agency_facts, requirements_of
from projects.states import PROJECT

from ._base import local_date, locked, now_or, require

M = Project.Method
S = Project.Status
EDITABLE_FIELDS = ("title", "investment_code", "service_type", "region", "scope", "ceiling", "floor", "funding",
                   "method", "urgent", "requested_limit_wd", "window_wd", "qual_mode", "beacon_source",
                   "direct_reason", "invitation_then", "price_weight", "technical_weight", "credit_weight")
REVISABLE_FIELDS = ("title", "scope", "ceiling", "floor", "requested_limit_wd", "investment_code")
MATERIAL_FIELDS = frozenset({"ceiling", "floor", "requested_limit_wd"})
MONEY_LABELS = {"ceiling": "最高限价", "floor": "最低限价"}


def next_project_code(*, region, year: int) -> str:
    """`PH-2026-0042`: prefix, year and a per-prefix yearly sequence, issued under a row lock."""
    prefix = rules.code_prefix(region.name)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProjectCodeSequence.objects.get_or_create(prefix=prefix, year=year)
        except IntegrityError:
            pass
        seq = locked(ProjectCodeSequence, prefix=prefix, year=year)
        while True:
            seq.last += 1
            code = f"{prefix}-{year}-{seq.last:04d}"
            if not Project.objects.filter(code=code).exists():
                break
        seq.save(update_fields=["last"])
    return code


def _set_children(project: Project, *, qualifications=None, practitioners=None, avoided=None, invited=None) -> None:
    if qualifications is not None:
        project.required_qualifications.all().delete()
        for qtype, level in qualifications:
            if (qtype or "").strip():
                RequiredQualification.objects.create(project=project, qualification_type=qtype.strip(),
                                                     min_level=inputs.level(level or 3))
    if practitioners is not None:
        project.required_practitioners.all().delete()
        for kind, count in practitioners:
            if (kind or "").strip():
                RequiredPractitioner.objects.create(project=project, kind=kind.strip(), count=inputs.count(count))
    if avoided is not None:
        project.avoided.all().delete()
        for uscc, name, reason in avoided:
            uscc = normalise(uscc)
            if not uscc:
                continue
            if not (reason or "").strip():
                raise ValidationError("回避机构必须说明原因 / every avoided agency needs a reason")
            AvoidedAgency.objects.create(project=project, uscc=uscc, name=name or "", reason=reason.strip())
    if invited is not None:
        project.invited_agencies.set(invited)


@transaction.atomic
def create_draft(*, by, owner, fields: dict, qualifications=(), practitioners=(), avoided=(), invited=(),
                 now: dt.datetime | None = None) -> Project:
    """A new draft posting for `owner` (an owner organisation); nothing is public yet."""
    require(by, "projects.create", owner)
    now = now_or(now)
    data = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    for key, label in MONEY_LABELS.items():
        if key in data:
            data[key] = rules.clean_money(data[key], label)
    project = Project(owner=owner, created_by=by, status=S.DRAFT, status_since=now, **data)
    rules.check_posting(project)
    project.code = next_project_code(region=project.region, year=local_date(now).year)
    project.save()
    _set_children(project, qualifications=qualifications, practitioners=practitioners, avoided=avoided,
                  invited=invited)
    audit.record(action="projects.draft_created", by=by, obj=project, organisation=owner,
                 data={"code": project.code}, now=now)
    return project


@transaction.atomic
def update_draft(*, by, project: Project, fields: dict, qualifications=None, practitioners=None, avoided=None,
                 invited=None, now: dt.datetime | None = None) -> Project:
    require(by, "projects.edit", project)
    project = locked(project)
    if not PROJECT.can(project, "publish"):
        raise ValidationError("只有草稿可以直接修改，已发布的项目请发布变更公告 / only drafts can be edited; "
                              "publish a revision instead")
    changed = []
    for key, value in fields.items():
        if key not in EDITABLE_FIELDS:
            continue
        if key in MONEY_LABELS:
            value = rules.clean_money(value, key)
        setattr(project, key, value)
        changed.append(key)
    rules.check_posting(project)
    project.save(update_fields=[*changed, "updated_at"])
    _set_children(project, qualifications=qualifications, practitioners=practitioners, avoided=avoided,
                  invited=invited)
    audit.record(action="projects.draft_updated", by=by, obj=project, organisation=project.owner_id,
                 data={"fields": changed}, now=now_or(now))
    return project


def _check_method(project: Project, policy: Policy, today: dt.date) -> None:
    """The method's own conditions at publication: direct limits, composite weights, enough invitees."""
    if project.method == M.DIRECT:
        rules.check_direct(funding=project.funding, ceiling=project.ceiling, reason=project.direct_reason,
                           policy=policy)
    if project.method == M.COMPOSITE:
        defaults = policy.composite_weights
        for name in ("price", "technical", "credit"):
            if getattr(project, f"{name}_weight") is None:
                setattr(project, f"{name}_weight", defaults[name])
        rules.check_weights(project.price_weight, project.technical_weight, project.credit_weight, policy)
    if project.method == M.INVITATION:
        req = requirements_of(project)
        eligible = [a for a in project.invited_agencies.all()
                    if not refusal_reasons(agency_facts(a, on=today), req, on=today)]
        if len(eligible) < policy.invitation_min_agencies:
            raise ValidationError(f"邀请须指定至少 {policy.invitation_min_agencies} 家符合条件的机构 / an invitation "
                                  f"must name at least {policy.invitation_min_agencies} eligible agencies")


@transaction.atomic
def publish(*, by, project: Project, now: dt.datetime | None = None) -> Project:
    """Publish a draft: compute the deadline in working days, commit to the draw secret, make it public."""
    require(by, "projects.edit", project)
    now = now_or(now)
    policy = current_policy()
    project = locked(project)
    rules.check_posting(project)
    minimum = rules.window_min_wd(project, policy)
    window = project.window_wd or minimum
    if window < minimum:
        raise ValidationError(f"报名期不得少于 {minimum} 个工作日 / the registration window must be at least "
                              f"{minimum} working days")
    _check_method(project, policy, local_date(now))
    fields = PROJECT.advance(project, "publish", now=now)
    project.window_wd = window
    project.published_at = now
    project.registration_deadline = rules.registration_deadline(now, window, policy, workdays.get_calendar())
    project.draw_secret = draw_rules.new_secret()
    project.draw_commitment = draw_rules.commitment(project.draw_secret)
    project.policy_version = policy.version
    project.save(update_fields=[*fields, "window_wd", "published_at", "registration_deadline", "draw_secret",
                                "draw_commitment", "policy_version", "price_weight", "technical_weight",
                                "credit_weight"])
    audit.record(action="projects.published", by=by, obj=project, organisation=project.owner_id, now=now,
                 data={"code": project.code, "deadline": project.registration_deadline,
                       "commitment": project.draw_commitment, "method": project.method,
                       "policy_version": policy.version})
    return project


def _apply_changes(project: Project, changes: dict) -> dict:
    """Set the revisable fields that change; returns {field: [old, new]}."""
    diff = {}
    for key, value in changes.items():
        if key not in REVISABLE_FIELDS:
            raise ValidationError(f"字段 {key} 不能变更 / field {key} cannot be revised")
        if key in MONEY_LABELS:
            value = rules.clean_money(value, key)
        elif key == "requested_limit_wd":
            value = int(value)
        old = getattr(project, key)
        if old != value:
            diff[key] = [old, value]
            setattr(project, key, value)
    if not diff:
        raise ValidationError("没有任何变更 / nothing changed")
    return diff


@transaction.atomic
def revise(*, by, project: Project, changes: dict, reason: str, now: dt.datetime | None = None) -> ProjectRevision:
    """A public, dated change to a published posting; a material change re-opens a full window."""
    require(by, "projects.edit", project)
    now = now_or(now)
    if not (reason or "").strip():
        raise ValidationError("请说明变更原因 / a reason for the revision is required")
    project = locked(project)
    if project.registration_deadline and now >= project.registration_deadline:
        raise ValidationError("报名已截止，不能变更 / registration has closed; no more revisions")
    diff = _apply_changes(project, changes)
    rules.check_posting(project)
    fields = PROJECT.advance(project, "revise", now=now)
    policy = current_policy()
    material = bool(MATERIAL_FIELDS & set(diff))
    old_deadline = project.registration_deadline
    if material:
        # Bidders need a full minimum window to react to changed material terms.
        extended = rules.registration_deadline(now, rules.window_min_wd(project, policy), policy,
                                               workdays.get_calendar())
        project.registration_deadline = max(extended, project.registration_deadline)
    project.save(update_fields=[*fields, *diff.keys(), "registration_deadline"])
    number = project.revisions.count() + 1
    revision = ProjectRevision.objects.create(
        project=project, number=number, created_at=now, created_by=by, reason=reason.strip(),
        diff=audit.normalise(diff), material=material, old_deadline=old_deadline,
        new_deadline=project.registration_deadline)
    audit.record(action="projects.revised", by=by, obj=project, organisation=project.owner_id, now=now,
                 reason=reason, data={"revision": number, "diff": diff, "material": material,
                                      "deadline": project.registration_deadline})
    return revision


@transaction.atomic
def cancel(*, by, project: Project, reason: str, now: dt.datetime | None = None) -> Project:
    require(by, "projects.edit", project)
    if not (reason or "").strip():
        raise ValidationError("取消项目必须说明原因 / a reason is required to cancel")
    project = locked(project)
    project.cancel_reason = reason.strip()
    PROJECT.transition(project, "cancel", by=by, action="projects.cancelled", now=now_or(now),
                       organisation=project.owner_id, reason=reason, data={"code": project.code},
                       extra_fields=["cancel_reason"])
    return project


@transaction.atomic
def republish(*, by, project: Project, method: str | None = None, now: dt.datetime | None = None) -> Project:
    """A failed round may be re-published as a new draft; a method switch only after a second failure."""
    require(by, "projects.edit", project)
    now = now_or(now)
    policy = current_policy()
    project = locked(project)
    if not PROJECT.can(project, "republish"):
        raise ValidationError("只有流标的项目可以重新发布 / only a failed round can be re-published")
    if Project.objects.filter(previous_round=project).exists():
        raise ValidationError("已重新发布 / already re-published")
    method = method or project.method
    if method != project.method and not rules.may_switch_method(failed_rounds=project.round_no, policy=policy):
        raise ValidationError("第一次流标后须按原方式重新发布，再次流标后方可变更选取方式 / after a first failure "
                              "re-publish with the same method; a switch is allowed after a second failure")
    fields = {k: getattr(project, k) for k in EDITABLE_FIELDS}
    fields["method"] = method
    new = create_draft(
        by=by, owner=project.owner, fields=fields, now=now,
        qualifications=list(project.required_qualifications.values_list("qualification_type", "min_level")),
        practitioners=list(project.required_practitioners.values_list("kind", "count")),
        avoided=list(project.avoided.values_list("uscc", "name", "reason")),
        invited=list(project.invited_agencies.all()))
    new.round_no = project.round_no + 1
    new.previous_round = project
    new.save(update_fields=["round_no", "previous_round"])
    audit.record(action="projects.republished", by=by, obj=new, organisation=project.owner_id, now=now,
                 data={"previous_round": project.pk, "previous_code": project.code, "round": new.round_no,
                       "method": method})
    return new
