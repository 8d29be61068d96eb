"""The public complaint channel (docs/rules.md §8).

Anyone, with or without an account, complains about an agency or about an owner's conduct in a
project; a regulator records complaints received by phone, letter or visit. Either way the complaint
is a `Complaint` routed to the competent regulator (`selectors.competent_regulator`) with a response
deadline and a tracking number (查询码) with which the complainant follows its status on a public page
that shows only the status and the regulator's answer. The anonymous form is throttled per network
address and per contact (`check_throttle` / `count_filing`, Django's cache).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from agencies.models import Agency
from marketplace import audit, uploads, workdays
from marketplace.notify import notify
from marketplace.permissions import require
from marketplace.policy import current_policy
from ratings import events
from ratings.models import TRACKING_ALPHABET, TRACKING_LENGTH, Complaint, ComplaintFile, Rating
from ratings.selectors import competent_regulator

C = Complaint
TEXT_MIN, TEXT_MAX = 10, 2000
NAME_MAX = C._meta.get_field("contact_name").max_length
PHONE_MAX = C._meta.get_field("contact_phone").max_length
EMAIL_MAX = C._meta.get_field("contact_email").max_length
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]*[0-9]$")
RECORDED_CHANNELS = (C.Channel.PHONE, C.Channel.LETTER, C.Channel.VISIT)
# Agencies that have been public (a storefront, a record): complaints about them are accepted.
COMPLAINABLE = (Agency.Status.ADMITTED, Agency.Status.SUSPENDED, Agency.Status.REMOVED, Agency.Status.BLACKLISTED)
HOUR, DAY = 3600, 86400


class Throttled(ValidationError):
    """Too many submissions from one network address or one contact."""


THROTTLED = "同一网络地址或联系方式提交过于频繁，请稍后再试 / too many submissions from this network address or contact; " \
            "please try again later"


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str


def refuse_nul(*values) -> None:
    if any("\x00" in (v or "") for v in values):
        raise ValidationError("输入含有无效字符 / the input contains an invalid character")


def clean_contact(*, name: str, phone: str, email: str, reachable: bool = True) -> Contact:
    """Name (required), phone and/or email (one required when `reachable`), within the fields' lengths."""
    refuse_nul(name, phone, email)
    name, phone, email = (name or "").strip(), (phone or "").strip(), (email or "").strip()
    if not name:
        raise ValidationError("请填写投诉人姓名 / your name is required")
    if len(name) > NAME_MAX or len(phone) > PHONE_MAX or len(email) > EMAIL_MAX:
        raise ValidationError(f"姓名、电话或邮箱过长（{NAME_MAX}/{PHONE_MAX}/{EMAIL_MAX}字以内） / name, phone or email "
                              "too long")
    if reachable and not (phone or email):
        raise ValidationError("请至少填写联系电话或电子邮箱之一 / give a phone number or an email address")
    if phone and (not PHONE_RE.match(phone) or sum(ch.isdigit() for ch in phone) < 7):
        raise ValidationError("联系电话格式不正确 / the phone number is not valid")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError("电子邮箱格式不正确 / the email address is not valid") from None
    return Contact(name=name, phone=phone, email=email.lower())


def clean_text(text: str) -> str:
    refuse_nul(text)
    text = (text or "").strip()
    if len(text) < TEXT_MIN:
        raise ValidationError(f"请具体说明投诉内容（至少{TEXT_MIN}个字） / describe the complaint (at least "
                              f"{TEXT_MIN} characters)")
    if len(text) > TEXT_MAX:
        raise ValidationError(f"投诉内容过长（{TEXT_MAX}字以内） / the complaint is too long (at most {TEXT_MAX} "
                              "characters)")
    return text


def check_files(files, *, policy) -> list[uploads.CheckedFile]:
    """At most `complaint_files_max` PDF, JPEG or PNG files, each checked by content and size."""
    files = [f for f in files or [] if f is not None]
    limit = int(policy.complaint_files_max)
    if len(files) > limit:
        raise ValidationError(f"附件最多{limit}个 / at most {limit} attachments")
    return [uploads.check_upload(f, uploads.PDF_OR_IMAGE, keep_data=True) for f in files]


def _check_target(target: str, agency, project) -> None:
    if target == C.Target.AGENCY:
        if agency is None or agency.status not in COMPLAINABLE:
            raise ValidationError("请指明被投诉的中介机构 / name the agency complained about")
        if project is not None and not project.registrations.filter(agency=agency).exists() and \
                not Rating.objects.filter(project=project, agency=agency).exists():
            raise ValidationError("该机构未参与此项目 / the agency took no part in this project")
    elif target == C.Target.OWNER:
        if project is None or project.status == project.Status.DRAFT:
            raise ValidationError("请指明业主行为所涉的项目编号 / name the project of the owner's conduct")
        if agency is not None:
            raise ValidationError("投诉业主时不能同时指定机构 / a complaint about an owner names no agency")
    else:
        raise ValidationError("请选择投诉对象 / choose what the complaint is about")


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _register(*, target, agency, project, text, contact: Contact, checked, channel, by, complainant, recorded_by,
              today, now, policy) -> Complaint:
    # The competent regulator covers the agency, or for an owner's conduct the project's region and department.
    regulator = competent_regulator(agency=agency or project, project=project)
    complaint = Complaint.objects.create(
        target=target, agency=agency, project=project, source=C.Source.PUBLIC, complainant=complainant,
        channel=channel, contact_name=contact.name, contact_phone=contact.phone, contact_email=contact.email,
        recorded_by=recorded_by, text=text, filed_on=today, filed_at=now, regulator=regulator,
        respond_by=workdays.add_working_days(today, int(policy.complaint_response_wd)))
    for f in checked:
        content, _sha = uploads.stored_file(f.data, f.ext)
        ComplaintFile.objects.create(complaint=complaint, file=content, name=f.name, content_type=f.content_type,
                                     size=f.size, sha256=f.sha256)
    audit.record(action=events.COMPLAINT_FILED.action, by=by, obj=complaint,
                 organisation=regulator.pk if recorded_by and regulator else None, now=now,
                 data={"agency": agency.pk if agency else None, "project": project.pk if project else None,
                       "source": complaint.source, "regulator": regulator.pk if regulator else None,
                       "respond_by": complaint.respond_by, "target": target, "channel": channel,
                       "recorded": recorded_by is not None, "files": len(checked)}, reason=text)
    if regulator is not None:
        notify(key=f"complaint:{complaint.pk}:filed", recipients=regulator, kind="complaint_filed",
               title=f"新投诉（{complaint.get_channel_display()}）：{complaint.target_name}",
               body=f"答复期限 {complaint.respond_by:%Y-%m-%d}", url=_url("ratings:complaints"))
    return complaint


@transaction.atomic
def file_public_complaint(*, target: str, text: str, name: str, phone: str = "", email: str = "", agency=None,
                          project=None, files=(), by=None, today: dt.date | None = None,
                          now: dt.datetime | None = None) -> Complaint:
    """Anyone, with or without an account (`by` None), complains online about an agency or an owner's conduct."""
    today = today or workdays.today()
    now = now or timezone.now()
    policy = current_policy()
    _check_target(target, agency, project)
    require(by, "ratings.complain_public", agency if target == C.Target.AGENCY else project)
    contact = clean_contact(name=name, phone=phone, email=email)
    text = clean_text(text)
    checked = check_files(files, policy=policy)
    user = by if getattr(by, "is_authenticated", False) else None
    return _register(target=target, agency=agency, project=project, text=text, contact=contact, checked=checked,
                     channel=C.Channel.WEB, by=user, complainant=user, recorded_by=None, today=today, now=now,
                     policy=policy)


@transaction.atomic
def record_complaint(*, by, channel: str, target: str, text: str, name: str, phone: str = "", email: str = "",
                     agency=None, project=None, files=(), today: dt.date | None = None,
                     now: dt.datetime | None = None) -> Complaint:
    """A regulator records a complaint received by phone, letter or visit (the channel is kept)."""
    today = today or workdays.today()
    now = now or timezone.now()
    policy = current_policy()
    _check_target(target, agency, project)
    require(by, "ratings.record_complaint", agency if target == C.Target.AGENCY else project)
    if channel not in RECORDED_CHANNELS:
        raise ValidationError("请选择收到投诉的渠道：电话、信函或来访 / choose phone, letter or visit")
    contact = clean_contact(name=name, phone=phone, email=email, reachable=False)
    text = clean_text(text)
    checked = check_files(files, policy=policy)
    return _register(target=target, agency=agency, project=project, text=text, contact=contact, checked=checked,
                     channel=channel, by=by, complainant=None, recorded_by=by, today=today, now=now, policy=policy)


# ---- tracking -------------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", code or "").upper()


def lookup(code: str) -> Complaint | None:
    """The complaint with this tracking number, or None (a malformed code never reaches the database)."""
    code = normalise_code(code)
    if len(code) != TRACKING_LENGTH or any(ch not in TRACKING_ALPHABET for ch in code):
        return None
    return Complaint.objects.select_related("regulator").filter(tracking_code=code).first()


# ---- throttle -------------------------------------------------------------------------------------


def _key(kind: str, value: str) -> str:
    return f"complaints:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _over(key: str, limit: int) -> bool:
    return limit > 0 and (cache.get(key) or 0) >= limit


def _count(key: str, seconds: int) -> None:
    if not cache.add(key, 1, seconds):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, seconds)


def contact_keys(*, phone: str = "", email: str = "") -> list[str]:
    keys = []
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if digits:
        keys.append(_key("phone", digits))
    if (email or "").strip():
        keys.append(_key("email", email.strip().lower()))
    return keys


def check_throttle(*, ip: str, phone: str = "", email: str = "", policy) -> None:
    """Refuse (`Throttled`) when the address or a contact has reached its limit; a limit of 0 means none."""
    if _over(_key("ip", ip), int(policy.public_complaint_ip_per_hour)):
        raise Throttled(THROTTLED, code="throttled")
    per_contact = int(policy.public_complaint_contact_per_day)
    if any(_over(key, per_contact) for key in contact_keys(phone=phone, email=email)):
        raise Throttled(THROTTLED, code="throttled")


def count_attempt(*, ip: str) -> None:
    """Every submission from an address counts, accepted or not (bots fail validation too)."""
    _count(_key("ip", ip), HOUR)


def count_filing(*, phone: str = "", email: str = "") -> None:
    """A registered complaint counts against its contacts for a day."""
    for key in contact_keys(phone=phone, email=email):
        _count(key, DAY)


def check_lookup(*, ip: str, policy) -> None:
    key = _key("lookup", ip)
    if _over(key, int(policy.complaint_lookup_ip_per_hour)):
        raise Throttled("查询过于频繁，请稍后再试 / too many look-ups; please try again later", code="throttled")
    _count(key, HOUR)
