"""Forms of the risk workspace (fields and labels; the rules are in `oversight.services`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ratings.enforcement_forms import MEASURES


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("排除理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("核查说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CaseForm(forms.Form):
    agency = forms.ChoiceField(label=_("涉及机构"))
    code = forms.ChoiceField(label=_("事项"), choices=[(c.value, c.label) for c in MEASURES])
    document_number = forms.CharField(label=_("决定书文号"), max_length=100)
    decided_on = forms.DateField(label=_("决定日期"), widget=forms.DateInput(attrs={"type": "date"}))
    deciding_body = forms.CharField(label=_("作出决定的机关"), max_length=200)
    legal_basis = forms.CharField(label=_("法律依据"), widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(label=_("违法违规事实与理由"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, f"{a.name}（{a.uscc}）") for a in agencies]
