"""The owner's posting form: the project's own fields grouped by selection method, and three row formsets
(qualification requirements from the catalogue, practitioner requirements, avoided agencies).

The method decides which groups count: `ProjectForm.clean` resets the fields of the other methods, so what
is saved never depends on what the browser hid (projects/static/projects/posting.js only shows and hides).
`PostingForm.service_kwargs()` hands the service the same structures the pipe-line textareas used to give.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.identifiers import normalise
from agencies.models import Agency, Practitioner, Qualification
from marketplace import inputs
from marketplace.models import ServiceType
from projects import selection
from projects.models import Project

M = Project.Method
FIELDS = ["title", "investment_code", "service_type", "region", "scope", "ceiling", "floor", "funding", "method",
          "urgent", "requested_limit_wd", "window_wd", "qual_mode", "beacon_source", "direct_reason",
          "invitation_then", "price_weight", "technical_weight", "credit_weight"]

# Which methods each field group belongs to (the template's fieldsets and the server's reset share this).
GROUPS = {
    "competitive": (M.DRAW, M.LOWEST, M.COMPOSITE, M.INVITATION),
    "draw": (M.DRAW, M.INVITATION),
    "direct": (M.DIRECT,),
    "composite": (M.COMPOSITE,),
    "invitation": (M.INVITATION,),
}
GROUP_FIELDS = {
    "competitive": {"window_wd": None},
    "draw": {"urgent": False, "beacon_source": ""},
    "direct": {"direct_reason": ""},
    "composite": {"price_weight": None, "technical_weight": None, "credit_weight": None},
    "invitation": {"invitation_then": "", "invited": []},
}
LEVELS = [(1, _("一级（最高）")), (2, _("二级")), (3, _("三级")), (4, _("四级")), (5, _("五级"))]


def qualification_catalogue(*keep: str) -> list[tuple[str, str]]:
    """The qualification types the service catalogue names and agencies hold, plus any value being edited."""
    names = set(ServiceType.objects.exclude(qualification="").values_list("qualification", flat=True))
    names |= set(Qualification.objects.values_list("qualification_type", flat=True).distinct())
    names |= {k for k in keep if k}
    return [(n, n) for n in sorted(names)]


def practitioner_kinds() -> list[str]:
    return sorted(set(Practitioner.objects.exclude(qualification_kind="")
                      .values_list("qualification_kind", flat=True).distinct()))


def find_agencies(query: str, limit: int = 10) -> list[Agency]:
    """Agencies whose name contains `query` or whose credit code starts with it (the picker's search)."""
    query = (query or "").strip()
    if not query:
        return []
    code = normalise(query)
    return list(Agency.objects.filter(Q(name__icontains=query) | Q(uscc__startswith=code))
                .order_by("name")[:limit])


def _agencies_from_codes(text: str) -> list[Agency]:
    codes = list(dict.fromkeys(normalise(c) for c in (text or "").replace(",", " ").replace("，", " ").split()))
    found = {a.uscc: a for a in Agency.objects.filter(uscc__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError(f"未找到机构：{'，'.join(missing)} / unknown agencies: {', '.join(missing)}")
    return [found[c] for c in codes]


class ProjectForm(forms.ModelForm):
    invited = forms.CharField(
        label=_("邀请机构"), required=False,
        help_text=_("输入机构的统一社会信用代码，多个用空格分隔；开启脚本时可按名称搜索添加。"),
        widget=forms.TextInput(attrs={"data-agency-codes": "invited", "autocomplete": "off"}))
    requested_limit_wd = inputs.working_days_field(label=_("服务时限（工作日）"))

    class Meta:
        model = Project
        fields = FIELDS
        labels = {"service_type": _("服务类型"), "region": _("区域")}
        widgets = {"scope": forms.Textarea(attrs={"rows": 3}), "direct_reason": forms.Textarea(attrs={"rows": 2})}

    def clean_invited(self):
        return _agencies_from_codes(self.cleaned_data["invited"])

    def clean(self):
        data = super().clean()
        ceiling, floor = data.get("ceiling"), data.get("floor")
        if ceiling is not None and ceiling <= 0:
            self.add_error("ceiling", "最高限价必须大于零 / the ceiling must be positive")
        if ceiling is not None and floor is not None and floor > ceiling:
            self.add_error("floor", "最低限价不能高于最高限价 / the floor cannot exceed the ceiling")
        method = data.get("method")
        for group, methods in GROUPS.items():
            if method in methods:
                continue
            for name, empty in GROUP_FIELDS[group].items():
                data[name] = empty
                self.errors.pop(name, None)
        # The method's own rules (projects.selection), shown beside their field while drafting.
        if "invitation_then" not in self.errors:
            self._check("invitation_then", selection.check_invitation_then, method, data.get("invitation_then"))
        if method == M.INVITATION and data.get("invitation_then") == M.LOWEST:
            data.update(urgent=False, beacon_source="")
        if method == M.DIRECT and "direct_reason" not in self.errors:
            self._check("direct_reason", selection.check_direct_reason, data.get("direct_reason"))
        return data

    def _check(self, field: str, rule, *args) -> None:
        try:
            rule(*args)
        except ValidationError as exc:
            self.add_error(field, exc)

    def groups(self) -> dict[str, dict]:
        """Per group: the methods as the template's data-methods value, and their labels for the heading."""
        return {g: {"methods": " ".join(str(m) for m in methods), "labels": [m.label for m in methods]}
                for g, methods in GROUPS.items()}


class QualificationRow(forms.Form):
    qualification_type = forms.ChoiceField(label=_("资质类型"), required=False)
    min_level = forms.TypedChoiceField(label=_("最低等级"), choices=LEVELS, coerce=int, initial=3,
                                       error_messages={"invalid_choice": "请选择资质等级 / choose a level"})

    def __init__(self, *args, catalogue=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification_type"].choices = [("", _("（不要求）")), *catalogue]
        self.fields["qualification_type"].error_messages["invalid_choice"] = (
            "请从资质目录中选择 / choose a type from the catalogue")


class PractitionerRow(forms.Form):
    kind = forms.CharField(label=_("执业资格"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"list": "practitioner-kinds"}))
    count = forms.IntegerField(label=_("人数"), min_value=1, max_value=inputs.COUNT_MAX, initial=1,
                               error_messages={"invalid": "人数须为整数 / the count must be a whole number",
                                               "min_value": "人数至少为1 / at least one person",
                                               "max_value": "人数过多 / too many people"})


class AvoidedRow(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False,
                           widget=forms.TextInput(attrs={"data-agency-code": "avoided", "autocomplete": "off"}))
    name = forms.CharField(label=_("机构名称"), max_length=200, required=False)
    reason = forms.CharField(label=_("回避原因"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        uscc = normalise(data.get("uscc"))
        data["uscc"] = uscc
        if uscc and not (data.get("reason") or "").strip():
            self.add_error("reason", "回避机构必须说明原因 / every avoided agency needs a reason")
        if uscc and not data.get("name"):
            data["name"] = Agency.objects.filter(uscc=uscc).values_list("name", flat=True).first() or ""
        return data


# Without JavaScript the blank rows are the way to add requirements (save the draft for more);
# posting.js adds rows from the formset's empty form.
QualificationRows = forms.formset_factory(QualificationRow, extra=2, max_num=20, validate_max=True)
PractitionerRows = forms.formset_factory(PractitionerRow, extra=2, max_num=20, validate_max=True)
AvoidedRows = forms.formset_factory(AvoidedRow, extra=1, max_num=50, validate_max=True)
ROWS = {"qual": QualificationRows, "prac": PractitionerRows, "avoid": AvoidedRows}


def _with_management(data, prefix: str):
    """A POST without a formset's management fields (an older client or a script) means zero rows of it."""
    if data is None or f"{prefix}-TOTAL_FORMS" in data:
        return data
    data = data.copy()
    data[f"{prefix}-TOTAL_FORMS"] = "0"
    data[f"{prefix}-INITIAL_FORMS"] = "0"
    return data


class PostingForm:
    """The project form and its three row formsets, validated and handed to the service together."""

    def __init__(self, data=None, *, instance: Project | None = None, initial: dict | None = None):
        for prefix in ROWS:
            data = _with_management(data, prefix)
        saved = _initial_rows(instance) if instance is not None else {}
        rows = saved if data is None else {}
        self.form = ProjectForm(data, instance=instance, initial=initial or _initial_invited(instance))
        # A type already saved on this draft stays choosable even if the catalogue no longer lists it.
        kept = [r["qualification_type"] for r in saved.get("qual", [])]
        self.rows = {
            "qual": QualificationRows(data, prefix="qual", initial=rows.get("qual"),
                                      form_kwargs={"catalogue": qualification_catalogue(*kept)}),
            "prac": PractitionerRows(data, prefix="prac", initial=rows.get("prac")),
            "avoid": AvoidedRows(data, prefix="avoid", initial=rows.get("avoid")),
        }

    def is_valid(self) -> bool:
        ok = self.form.is_valid()
        if self.form.cleaned_data.get("method") == M.DIRECT:
            # A direct pick names its agency later; avoided agencies do not apply and are not checked.
            self.rows["avoid"] = AvoidedRows(_without(self.rows["avoid"].data, "avoid"), prefix="avoid")
        return all([ok, *(rows.is_valid() for rows in self.rows.values())])

    def service_kwargs(self) -> dict:
        d = self.form.cleaned_data
        filled = {p: [r for r in rows.cleaned_data if r] for p, rows in self.rows.items()}
        return {
            "fields": {k: d[k] for k in FIELDS},
            "qualifications": [(r["qualification_type"], r["min_level"]) for r in filled["qual"]
                               if r.get("qualification_type")],
            "practitioners": [(r["kind"].strip(), r["count"]) for r in filled["prac"]
                              if (r.get("kind") or "").strip()],
            "avoided": [(r["uscc"], r["name"], r["reason"].strip()) for r in filled["avoid"] if r.get("uscc")],
            "invited": d["invited"],
        }


def _without(data, prefix: str):
    data = data.copy()
    data[f"{prefix}-TOTAL_FORMS"] = "0"
    data[f"{prefix}-INITIAL_FORMS"] = "0"
    return data


def _initial_invited(project: Project | None) -> dict | None:
    if project is None or project.pk is None:
        return None
    return {"invited": " ".join(project.invited_agencies.values_list("uscc", flat=True))}


def _initial_rows(project: Project) -> dict:
    return {
        "qual": [{"qualification_type": q.qualification_type, "min_level": q.min_level}
                 for q in project.required_qualifications.all()],
        "prac": [{"kind": p.kind, "count": p.count} for p in project.required_practitioners.all()],
        "avoid": [{"uscc": a.uscc, "name": a.name, "reason": a.reason} for a in project.avoided.all()],
    }
