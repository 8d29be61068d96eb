"""The blank register for `agencies.importer`: one header row in the active language (Chinese aliases the
importer accepts, or its English column names), and a sheet explaining each column. Written through the
kernel's export helper, so widths, the frozen header and the date column are formatted like every export."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.importer import COLUMNS, QUALIFICATION_COLUMNS, REQUIRED
from marketplace import exports
from marketplace.display import is_english

# The header written for each column in Chinese mode (each one is in importer.ALIASES).
CHINESE = {
    "name": "机构名称", "uscc": "统一社会信用代码", "entity_type": "主体类型", "region_code": "行政区划代码",
    "address": "注册地址", "legal_rep_name": "法定代表人", "legal_rep_id": "法定代表人身份证号",
    "contact_name": "联系人", "contact_phone": "联系电话", "services": "服务事项编码", "description": "机构简介",
    "qualification_type": "资质类型", "qualification_level": "资质等级", "qualification_number": "资质证书编号",
    "qualification_valid_to": "资质有效期",
}
MEANINGS = {
    "name": gettext_lazy("机构全称，最多 200 字"),
    "uscc": gettext_lazy("18 位统一社会信用代码；再次导入时按此代码更新"),
    "entity_type": gettext_lazy("企业、事业单位、社会组织或个体工商户；留空则按代码推定"),
    "region_code": gettext_lazy("6 位行政区划代码，如 330482"),
    "address": gettext_lazy("注册地址"),
    "legal_rep_name": gettext_lazy("法定代表人姓名"),
    "legal_rep_id": gettext_lazy("18 位居民身份证号码"),
    "contact_name": gettext_lazy("联系人姓名"),
    "contact_phone": gettext_lazy("联系电话"),
    "services": gettext_lazy("服务事项编码，多个用逗号分隔，如 ZR01,JS05"),
    "description": gettext_lazy("机构简介"),
    "qualification_type": gettext_lazy("资质名称（可选）"),
    "qualification_level": gettext_lazy("资质等级，如 甲、乙"),
    "qualification_number": gettext_lazy("资质证书编号"),
    "qualification_valid_to": gettext_lazy("资质有效期至，格式 2027-12-31"),
}


def header(column: str) -> str:
    return column if is_english() else CHINESE[column]


def template_xlsx() -> bytes:
    columns = COLUMNS + QUALIFICATION_COLUMNS
    cols = [exports.Column(header(c), exports.DATE if c.endswith("_to") else exports.TEXT) for c in columns]
    guide = exports.columns(_("列名"), _("必填"), _("说明"))
    rows = [[header(c), _("是") if c in REQUIRED else _("否"), str(MEANINGS[c])] for c in columns]
    return exports.workbook([(_("机构名录"), cols, []), (_("填写说明"), guide, rows)])
