"""Forms only parse input; every rule lives in agencies.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyDocument, AgencyService, ChangeRequest
from marketplace import inputs
from marketplace.models import Region, ServiceType


def region_choices():
    return [("", "—")] + [(r.code, f"{r.code} {r.name}") for r in Region.objects.order_by("code")]


def service_choices():
    return [("", "—")] + [(s.code, f"{s.code} {s.name}") for s in ServiceType.objects.filter(active=True)]


class BasicForm(forms.Form):
    name = forms.CharField(label=_("机构名称"), max_length=200)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=40)
    entity_type = forms.ChoiceField(label=_("主体类型（留空则按代码推断）"), required=False,
                                    choices=[("", "—"), *Agency.EntityType.choices])
    region = forms.ChoiceField(label=_("行政区划"))
    address = forms.CharField(label=_("注册地址"), max_length=300, required=False)
    established_on = inputs.date_field(label=_("成立日期"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    legal_rep_name = forms.CharField(label=_("法定代表人"), max_length=50, required=False)
    legal_rep_id = forms.CharField(label=_("法定代表人身份证号"), max_length=40, required=False)

    def __init__(self, *args, lock_uscc=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices()
        if lock_uscc:
            self.fields["uscc"].disabled = True


class ContactForm(forms.Form):
    contact_name = forms.CharField(label=_("业务授权人"), max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30)
    contact_id = forms.CharField(label=_("业务授权人身份证号"), max_length=40)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=AgencyDocument.Kind.choices)
    file = forms.FileField(label=_("文件（PDF/JPEG/PNG）"))


class QualificationForm(forms.Form):
    qualification_type = forms.CharField(label=_("资质类型"), max_length=100)
    speciality = forms.CharField(label=_("专业"), max_length=100, required=False)
    level = inputs.level_field(label=_("等级（1为最高）"), initial=1)
    number = forms.CharField(label=_("证书编号"), max_length=100)
    issuer = forms.CharField(label=_("发证机关"), max_length=100, required=False)
    issued_on = inputs.date_field(label=_("发证日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_from = inputs.date_field(label=_("有效期起"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = inputs.date_field(label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    scope = forms.CharField(label=_("业务范围"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    scan = forms.FileField(label=_("证书扫描件"), required=False)


class PractitionerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    resident_id = forms.CharField(label=_("身份证号"), max_length=40)
    qualification_kind = forms.CharField(label=_("执业资格"), max_length=100, required=False)
    registration_number = forms.CharField(label=_("注册证号"), max_length=100, required=False)
    valid_to = inputs.date_field(label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    social_insurance = forms.FileField(label=_("社保证明（3个月）"), required=False)


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(label=_("服务类型"))
    fee_basis = forms.ChoiceField(label=_("收费方式"), choices=AgencyService.FeeBasis.choices)
    price_min = forms.DecimalField(label=_("最低价（元）"), required=False, max_digits=14, decimal_places=2)
    price_max = forms.DecimalField(label=_("最高价（元）"), required=False, max_digits=14, decimal_places=2)
    time_limit_wd = inputs.working_days_field(label=_("承诺时限（工作日）"), required=False)
    description = forms.CharField(label=_("服务说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].choices = service_choices()


class CaseForm(forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=200)
    year = inputs.year_field(label=_("年份"), required=False)
    client = forms.CharField(label=_("委托单位"), max_length=200, required=False)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StorefrontForm(forms.Form):
    description = forms.CharField(label=_("机构简介"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    regions_served = forms.MultipleChoiceField(label=_("服务区域"), required=False,
                                               widget=forms.SelectMultiple(attrs={"size": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions_served"].choices = region_choices()[1:]


class LegalRepChangeForm(forms.Form):
    legal_rep_name = forms.CharField(label=_("新法定代表人"), max_length=50)
    legal_rep_id = forms.CharField(label=_("身份证号"), max_length=40)


class LicenceChangeForm(forms.Form):
    name = forms.CharField(label=_("变更后名称（如有）"), max_length=200, required=False)
    address = forms.CharField(label=_("变更后地址（如有）"), max_length=300, required=False)
    file = forms.FileField(label=_("新营业执照（PDF/JPEG/PNG）"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("通过")), ("reject", _("退回"))])
    reason = forms.CharField(label=_("审核意见（退回必填）"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("机构名录文件（.xlsx 或 .csv）"))
    dry_run = forms.BooleanField(label=_("仅检查，不写入"), required=False)
    admit = forms.BooleanField(label=_("导入后直接入驻"), required=False)


CHANGE_KINDS = ChangeRequest.Kind
