"""Forms of the regulator's enforcement screens (fields and labels; the rules are in the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace import inputs
from marketplace.models import Department
from ratings.models import EnforcementDecision, Sanction

C = EnforcementDecision.Code
MEASURES = [C.PENALTY_GENERAL, C.VIOLATION, C.FRAUD, C.SERIOUS_DISHONESTY]
AWARDS = [C.AWARD_COUNTY, C.AWARD_CITY, C.AWARD_PROVINCE, C.AWARD_NATIONAL]


class DecisionForm(forms.Form):
    """A penalty, violation, fraud or serious-dishonesty record; with `award=True`, an award."""

    uscc = forms.CharField(label=_("机构统一社会信用代码"), max_length=18)
    code = forms.ChoiceField(label=_("事项"))
    document_number = forms.CharField(label=_("决定书文号"), max_length=100)
    decided_on = inputs.date_field(label=_("决定日期"), widget=forms.DateInput(attrs={"type": "date"}))
    deciding_body = forms.CharField(label=_("作出决定的机关"), max_length=200)
    legal_basis = forms.CharField(label=_("法律依据"), widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(label=_("违法违规事实与理由"), widget=forms.Textarea(attrs={"rows": 4}))
    safety_related = forms.BooleanField(label=_("涉及安全生产、消防或特种设备（修复最短公示期12个月）"), required=False)
    department = forms.ModelChoiceField(label=_("主管部门"), queryset=Department.objects.none(), required=False,
                                        empty_label=_("（按机构的服务事项）"))
    organisation = forms.ChoiceField(label=_("录入单位"))

    def __init__(self, *args, award: bool = False, departments=None, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.award = award
        self.fields["code"].choices = [(c.value, c.label) for c in (AWARDS if award else MEASURES)]
        self.fields["department"].queryset = departments if departments is not None else Department.objects.all()
        self.fields["organisation"].choices = [(o.pk, o.name) for o in bodies]
        if award:
            self.fields["document_number"].label = _("表彰文件文号")
            self.fields["decided_on"].label = _("表彰日期")
            self.fields["deciding_body"].label = _("表彰机关")
            self.fields["legal_basis"].label = _("表彰依据")
            self.fields["legal_basis"].required = False
            self.fields["summary"].label = _("表彰名称与事由")
            del self.fields["safety_related"]


class SanctionForm(forms.Form):
    BY_HAND = [Sanction.Kind.SUSPEND_MANUAL, Sanction.Kind.REMOVAL, Sanction.Kind.BLACKLIST]

    uscc = forms.CharField(label=_("机构统一社会信用代码"), max_length=18)
    kind = forms.ChoiceField(label=_("惩戒类型"), choices=[(k.value, k.label) for k in BY_HAND])
    ends_on = inputs.date_field(label=_("截止日（暂停必填；黑名单不填则按政策年限）"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("惩戒理由"), widget=forms.Textarea(attrs={"rows": 3}))
