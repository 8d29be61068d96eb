from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.models import Region, ServiceType
from projects.models import Project


class NoticeFilterForm(forms.Form):
    """Public list filters; every field optional, invalid values are reported and ignored."""

    kind = forms.ChoiceField(label=_("类别"), required=False)
    region = forms.ModelChoiceField(label=_("区域"), required=False, queryset=Region.objects.all(),
                                    empty_label=_("全部"))
    service_type = forms.ModelChoiceField(label=_("服务类型"), required=False,
                                          queryset=ServiceType.objects.filter(active=True), empty_label=_("全部"))
    method = forms.ChoiceField(label=_("选取方式"), required=False,
                               choices=[("", _("全部")), *Project.Method.choices])
    date_from = forms.DateField(label=_("发布日期自"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": _("日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD")})
    date_to = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": _("日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD")})

    def __init__(self, *args, fixed_kind: str = "", **kwargs):
        from cms.models import NoticeKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部")), *NoticeKind.choices]
        self.fields["region"].error_messages["invalid_choice"] = _("区域不存在 / unknown region")
        self.fields["service_type"].error_messages["invalid_choice"] = _("服务类型不存在 / unknown service type")
        self.fields["method"].error_messages["invalid_choice"] = _("选取方式不存在 / unknown selection method")
        self.fields["kind"].error_messages["invalid_choice"] = _("公告类别不存在 / unknown notice kind")
        if fixed_kind:
            del self.fields["kind"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期早于开始日期 / end date is before start date"))
        return cleaned

    def filters(self) -> dict:
        """Only the values that validated (a bad field is dropped, the rest still apply)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {key: value for key, value in data.items() if value not in (None, "")}
