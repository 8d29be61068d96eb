"""The operator's year-at-a-time holiday screen in the Wagtail admin: paste the notice or load the package,
preview, then replace the year in one audited write."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace import display
from marketplace.admin_views import require_operator
from marketplace.holiday_notice import HOLIDAY, from_package, parse_notice
from marketplace.holidays import replace_year
from marketplace.models import CalendarYear, Holiday

WEEKDAYS = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]


class HolidayYearForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100,
                              error_messages={"required": "请填写年份 / enter the year",
                                              "invalid": "年份须为整数 / the year must be a number",
                                              "min_value": "年份须在2000到2100之间 / the year must be 2000–2100",
                                              "max_value": "年份须在2000到2100之间 / the year must be 2000–2100"})
    mode = forms.ChoiceField(label=_("数据来源"), widget=forms.RadioSelect, initial="notice",
                             choices=[("notice", _("粘贴国务院办公厅通知")), ("package", _("从 chinesecalendar 软件包载入"))])
    text = forms.CharField(label=_("通知中的日期"), required=False, widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=_("每个节日一行，例如：元旦：1月1日至3日放假调休，共3天。1月4日（周日）上班。"
                                       "也可写作：2027-01-01 至 2027-01-03 放假；2027-01-04 上班。"))
    source = forms.CharField(label=_("依据文件"), required=False, max_length=100,
                             help_text=_("例如：国办发明电〔2026〕7号。载入软件包时自动填写。"))
    reason = forms.CharField(label=_("修改原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请说明修改原因 / a reason for the change is required"})

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        if year is None:
            return cleaned
        try:
            if cleaned.get("mode") == "package":
                self.days, source = from_package(year)
                cleaned["source"] = cleaned.get("source") or source
            else:
                if not cleaned.get("text", "").strip():
                    raise ValidationError("请粘贴通知中的日期 / paste the dates from the notice")
                self.days = parse_notice(cleaned["text"], year)
                cleaned["source"] = cleaned.get("source") or gettext("国务院办公厅通知")
        except ValidationError as exc:
            field = "year" if cleaned.get("mode") == "package" else "text"
            for message in exc.messages:
                self.add_error(field, display.one_language(message))
        return cleaned

    def _clean_fields(self):
        super()._clean_fields()
        for name, errors in list(self.errors.items()):
            self._errors[name] = self.error_class([display.one_language(e) for e in errors])


def _rows(days) -> list[dict]:
    return [{"date": day.date, "weekday": WEEKDAYS[day.date.weekday()], "name": day.name,
             "kind": Holiday.Kind(day.kind).label, "holiday": day.kind == HOLIDAY} for day in days]


def holiday_year(request):
    """Preview a year's schedule from the notice or the package; confirming replaces the year (audited)."""
    require_operator(request)
    initial = {"year": timezone.localdate().year + 1}
    form = HolidayYearForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        if request.POST.get("step") == "confirm":
            try:
                replace_year(by=request.user, year=year, days=form.days, source=form.cleaned_data["source"],
                             reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, display.one_language(" ".join(exc.messages)))
            else:
                messages.success(request, gettext("已保存%(year)s年节假日安排。") % {"year": year})
                return redirect("marketplace_holiday_year")
        preview = {"rows": _rows(form.days), "year": year, "source": form.cleaned_data["source"],
                   "holidays": sum(1 for d in form.days if d.kind == HOLIDAY),
                   "workdays": sum(1 for d in form.days if d.kind != HOLIDAY),
                   "replaced": Holiday.objects.filter(date__year=year).count()}
    return TemplateResponse(request, "marketplace/admin/holiday_year.html", {
        "form": form, "preview": preview if request.POST.get("step") != "edit" else None,
        "years": CalendarYear.objects.order_by("-year")[:10],
    })
