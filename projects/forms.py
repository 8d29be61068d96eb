"""Owner-side posting form: model fields plus one-per-line lists for the child requirements."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agencies.identifiers import normalise
from agencies.models import Agency
from marketplace import inputs
from projects.models import Project

FIELDS = ["title", "investment_code", "service_type", "region", "scope", "ceiling", "floor", "funding", "method",
          "urgent", "requested_limit_wd", "window_wd", "qual_mode", "beacon_source", "direct_reason",
          "invitation_then", "price_weight", "technical_weight", "credit_weight"]


def _lines(text: str, parts: int, label: str) -> list[list[str]]:
    rows = []
    for n, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.replace("｜", "|").split("|")]
        if len(cells) != parts:
            raise ValidationError(f"{label} 第{n}行格式不对 / line {n} of {label} is malformed")
        rows.append(cells)
    return rows


class ProjectForm(forms.ModelForm):
    qualifications = forms.CharField(label=_("资质要求（每行：资质类型|最低等级，1为最高）"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    practitioners = forms.CharField(label=_("人员要求（每行：执业资格|人数）"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    avoided = forms.CharField(label=_("回避机构（每行：统一社会信用代码|名称|回避原因）"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    invited = forms.CharField(label=_("邀请机构（邀请方式：每行一个统一社会信用代码）"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    requested_limit_wd = inputs.working_days_field(label=_("服务时限（工作日）"))

    class Meta:
        model = Project
        fields = FIELDS
        labels = {"service_type": _("服务类型"), "region": _("区域")}

    def clean_qualifications(self):
        rows = _lines(self.cleaned_data["qualifications"], 2, "资质要求")
        try:
            return [(t, inputs.level(level)) for t, level in rows]
        except ValueError:
            raise ValidationError("资质等级须为数字 / the level must be a number")

    def clean_practitioners(self):
        rows = _lines(self.cleaned_data["practitioners"], 2, "人员要求")
        try:
            return [(k, inputs.count(c)) for k, c in rows]
        except ValueError:
            raise ValidationError("人数须为数字 / the count must be a number")

    def clean_avoided(self):
        rows = _lines(self.cleaned_data["avoided"], 3, "回避机构")
        for _uscc, _name, reason in rows:
            if not reason:
                raise ValidationError("回避机构必须说明原因 / every avoided agency needs a reason")
        return [(normalise(uscc), name, reason) for uscc, name, reason in rows]

    def clean_invited(self):
        usccs = [normalise(u) for u in (self.cleaned_data["invited"] or "").split() if u.strip()]
        found = list(Agency.objects.filter(uscc__in=usccs))
        missing = set(usccs) - {a.uscc for a in found}
        if missing:
            raise ValidationError(f"未找到机构 / unknown agencies: {', '.join(sorted(missing))}")
        return found

    def clean(self):
        data = super().clean()
        ceiling, floor = data.get("ceiling"), data.get("floor")
        if ceiling is not None and ceiling <= 0:
            self.add_error("ceiling", "最高限价必须大于零 / the ceiling must be positive")
        if ceiling is not None and floor is not None and floor > ceiling:
            self.add_error("floor", "最低限价不能高于最高限价 / the floor cannot exceed the ceiling")
        return data

    @classmethod
    def initial_lists(cls, project: Project) -> dict:
        return {
            "qualifications": "\n".join(f"{q.qualification_type}|{q.min_level}"
                                        for q in project.required_qualifications.all()),
            "practitioners": "\n".join(f"{p.kind}|{p.count}" for p in project.required_practitioners.all()),
            "avoided": "\n".join(f"{a.uscc}|{a.name}|{a.reason}" for a in project.avoided.all()),
            "invited": "\n".join(project.invited_agencies.values_list("uscc", flat=True)),
        }


class ReviseForm(forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=200)
    scope = forms.CharField(label=_("服务范围"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    ceiling = forms.DecimalField(label=_("最高限价（元）"), max_digits=14, decimal_places=2)
    floor = forms.DecimalField(label=_("最低限价（元）"), max_digits=14, decimal_places=2, required=False)
    requested_limit_wd = inputs.working_days_field(label=_("服务时限（工作日）"))
    reason = forms.CharField(label=_("变更原因"), widget=forms.Textarea(attrs={"rows": 2}))


class ContractForm(forms.Form):
    signed_on = forms.DateField(label=_("合同签订日期"), widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("合同扫描件（PDF）"))
