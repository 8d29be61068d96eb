"""The operator's policy form: one labelled field per parameter (a dict parameter becomes one field per
part), checked against `policy_meta` and `policy.validate`, and the diff against the version in force."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace import display
from marketplace.policy import _DECIMALS, DEFAULTS, validate
from marketplace.policy_meta import GROUPS, META, both, range_error

SEP = "__"
FORCING = "credit_forcing_codes"


def part_label(key: str, part: str) -> str:
    label = META[key].parts.get(part, part)
    if label == part:  # credit codes: labelled by the codes the agencies app registers
        return display.code_label(part, "credit")
    return str(label)


def _help(meta) -> str:
    text = str(meta.help)
    if meta.lo is not None:
        text += " " + gettext("单位：%(unit)s；允许范围：%(range)s。") % {"unit": meta.unit, "range": meta.range_text()}
    return text


def _number_field(key: str, label: str, meta, help_text: str) -> forms.Field:
    zh, en = both(meta.label)
    messages = {"invalid": f"{zh}须为数字 / {en} must be a number",
                "required": f"请填写{zh} / {en} is required"}
    if key in _DECIMALS:
        return forms.DecimalField(label=label, help_text=help_text, error_messages=messages)
    messages["invalid"] = f"{zh}须为整数 / {en} must be a whole number"
    return forms.IntegerField(label=label, help_text=help_text, error_messages=messages)


def _forcing_choices(current) -> list[tuple[str, str]]:
    codes = display.registered_codes("credit") or list(current)
    return [(code, display.code_label(code, "credit")) for code in codes]


class PolicyForm(forms.Form):
    note = forms.CharField(label=_("修改原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500,
                           help_text=_("写入审计日志，例如所依据的文件。"),
                           error_messages={"required": "请说明修改原因 / a reason for the change is required"})

    def __init__(self, *args, current: dict, **kwargs):
        kwargs.setdefault("initial", initial_values(current))
        super().__init__(*args, **kwargs)
        self.current = current
        self.groups: dict[str, list[str]] = {}
        for key, meta in META.items():
            names = self._add(key, meta)
            self.groups.setdefault(meta.group, []).extend(names)
        self.fields["note"] = self.fields.pop("note")

    def _add(self, key: str, meta) -> list[str]:
        help_text = _help(meta)
        if key == FORCING:
            self.fields[key] = forms.MultipleChoiceField(
                label=meta.label, help_text=help_text, required=False, widget=forms.CheckboxSelectMultiple,
                choices=_forcing_choices(self.current.get(key, [])))
            return [key]
        if key == "registration_close_time":
            self.fields[key] = forms.CharField(label=meta.label, help_text=help_text, max_length=5)
            return [key]
        if meta.parts:
            names = []
            for part in DEFAULTS[key]:
                name = f"{key}{SEP}{part}"
                self.fields[name] = _number_field(key, f"{meta.label} · {part_label(key, part)}", meta, help_text)
                names.append(name)
            return names
        self.fields[key] = _number_field(key, str(meta.label), meta, help_text)
        return [key]

    def grouped(self):
        """[(group label, [bound fields])] in the order of the metadata table."""
        return [(GROUPS[group], [self[name] for name in names]) for group, names in self.groups.items()]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        for name, value in list(cleaned.items()):
            message = range_error(name.split(SEP)[0], value) if name in self.fields and name != "note" else None
            if message:
                self.add_error(name, display.one_language(message))
        if self.errors:
            return cleaned
        data = policy_data(cleaned)
        try:
            self.policy = validate(data)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for key, messages in errors.items():
                target = key if key in self.fields else next(
                    (n for n in self.fields if key and n.startswith(key + SEP)), None)
                for message in messages:
                    self.add_error(target, display.one_language(message))
        return cleaned

    def _clean_fields(self):
        super()._clean_fields()
        for name, errors in list(self.errors.items()):  # one language beside the field
            self._errors[name] = self.error_class([display.one_language(e) for e in errors])


def initial_values(current: dict) -> dict:
    values = {}
    for key, value in current.items():
        if key == FORCING:
            values[key] = list(value)
        elif isinstance(value, dict):
            values.update({f"{key}{SEP}{part}": v for part, v in value.items()})
        else:
            values[key] = value
    return values


def policy_data(cleaned: dict) -> dict:
    """The policy values from a form's cleaned data (decimals as strings, as DEFAULTS keeps them)."""
    data = {}
    for key, default in DEFAULTS.items():
        if key == FORCING:
            data[key] = list(cleaned.get(key) or [])
        elif isinstance(default, dict):
            data[key] = {part: cleaned.get(f"{key}{SEP}{part}") for part in default}
        else:
            value = cleaned.get(key)
            data[key] = str(value) if isinstance(value, Decimal) else value
    return data


def _shown(key: str, value) -> str:
    if key == FORCING:
        return "、".join(display.code_label(code, "credit") for code in value) or "—"
    meta = META[key]
    unit = "" if meta.lo is None or str(meta.unit).startswith(("比例", "ratio")) else f" {meta.unit}"
    return f"{value}{unit}"


def diff(old: dict, new: dict) -> list[dict]:
    """Rows (label, old, new) for every parameter, or part of one, whose value changes."""
    rows = []
    for key, meta in META.items():
        before, after = old.get(key, DEFAULTS[key]), new[key]
        if isinstance(after, dict):
            for part, value in after.items():
                if Decimal(str(before.get(part, 0))) != Decimal(str(value)):
                    rows.append({"label": f"{meta.label} · {part_label(key, part)}",
                                 "old": _shown(key, before.get(part, "—")), "new": _shown(key, value)})
        elif key == FORCING:
            if sorted(before) != sorted(after):
                rows.append({"label": str(meta.label), "old": _shown(key, before), "new": _shown(key, after)})
        elif str(before) != str(after) and not _same_number(before, after):
            rows.append({"label": str(meta.label), "old": _shown(key, before), "new": _shown(key, after)})
    return rows


def _same_number(a, b) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except ArithmeticError:
        return False
