"""Owner-side forms. The posting form (method groups and requirement rows) lives in projects.posting_form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace import inputs
from projects.posting_form import FIELDS, PostingForm, ProjectForm

__all__ = ["FIELDS", "ContractForm", "PostingForm", "ProjectForm", "ReviseForm"]


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
