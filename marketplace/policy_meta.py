"""What each policy parameter means to an operator: label, unit, allowed range, help text, group.

One table beside `marketplace.policy.DEFAULTS`, used for the editor's labels and help, for range checks
in `policy.validate` and for the diff shown before a new version is adopted. A test fails when a key of
DEFAULTS has no entry here. Dict-valued parameters list their parts (each part shares the unit and
range); `credit_forcing_codes` is a set of credit codes, labelled by the codes agencies register.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy as _

WD, DAYS, MONTHS, YEARS = _("工作日"), _("天"), _("个月"), _("年")
POINTS, COUNT, CHARS, YUAN = _("分"), _("个"), _("字"), _("元")
RATIO, PERCENT, TIME, PER_HOUR, PER_DAY = _("比例（0–1）"), _("%"), _("时:分"), _("次/小时"), _("次/天")

GROUPS = {
    "admission": _("入驻"), "clock": _("服务计时"), "selection": _("选取"), "clarification": _("答疑"),
    "rating": _("评价与投诉"), "credit": _("信用"), "risk": _("风险监测"),
}


@dataclass(frozen=True)
class Param:
    label: object
    unit: object
    lo: Decimal | int | None
    hi: Decimal | int | None
    help: object
    group: str
    parts: dict[str, object] = field(default_factory=dict)  # dict-valued parameter: part key → label

    def range_text(self) -> str:
        if self.lo is None:
            return ""
        return f"{self.lo}–{self.hi}"


def _p(label, unit, lo, hi, help_text, group, parts=None) -> Param:
    def conv(v):
        return (Decimal(v) if isinstance(v, str) else v)
    return Param(label, unit, conv(lo), conv(hi), help_text, group, parts or {})


META: dict[str, Param] = {
    "admission_review_wd": _p(_("入驻审核时限"), WD, 1, 30, _("收到完整入驻申请后审核的期限。"), "admission"),
    "qualification_reminder_days": _p(_("资质到期提醒"), DAYS, 1, 180, _("资质证书到期前多少天提醒机构。"), "admission"),
    "social_insurance_months": _p(_("社保缴纳月数"), MONTHS, 0, 24, _("执业人员须连续缴纳社保的最少月数。"), "admission"),
    "clock_yellow_ratio": _p(_("计时黄灯比例"), RATIO, "0.1", "1", _("已用时限达到该比例时显示黄灯。"), "clock"),
    "overdue_minor_max_wd": _p(_("轻微超时上限"), WD, 0, 30, _("超时不超过该天数为轻微超时，超过为严重超时。"), "clock"),
    "deliverable_decision_wd": _p(_("成果验收时限"), WD, 1, 60, _("业主收到服务成果后验收或退回的期限。"), "clock"),
    "materials_supply_wd": _p(_("补正资料时限"), WD, 1, 60, _("业主补充资料的期限。"), "clock"),
    "draw_window_min_wd": _p(_("抽取报名最短期"), WD, 1, 30, _("随机抽取项目报名期至少几个工作日。"), "selection"),
    "draw_window_min_wd_urgent": _p(_("紧急项目报名最短期"), WD, 0, 30, _("紧急项目报名期至少几个工作日。"), "selection"),
    "registration_window_min_wd": _p(_("报名最短期"), WD, 1, 30, _("其他选取方式报名期至少几个工作日。"), "selection"),
    "draw_min_candidates": _p(_("抽取最少候选数"), COUNT, 1, 20, _("候选机构少于该数时本轮流标。"), "selection"),
    "invitation_min_agencies": _p(_("邀请最少机构数"), COUNT, 1, 20, _("邀请比选至少邀请的机构数。"), "selection"),
    "confirm_within_wd": _p(_("中选确认时限"), WD, 1, 10, _("中选机构确认接受的期限。"), "selection"),
    "direct_fiscal_limit_yuan": _p(_("直接选取限额"), YUAN, "0", "100000000", _("财政资金低于该金额可直接选取。"), "selection"),
    "abnormal_low_ratio": _p(_("异常低价比例"), RATIO, "0.1", "1", _("报价低于其他报价平均值的该比例视为异常低价。"), "selection"),
    "abnormal_justify_wd": _p(_("低价说明时限"), WD, 1, 10, _("异常低价机构提交书面说明的期限。"), "selection"),
    "composite_price_weight_min": _p(_("价格权重下限"), PERCENT, 1, 100, _("综合评审中价格权重的最小值。"), "selection"),
    "composite_price_weight_max": _p(_("价格权重上限"), PERCENT, 1, 100, _("综合评审中价格权重的最大值。"), "selection"),
    "composite_weights": _p(_("综合评审默认权重"), PERCENT, 0, 100, _("三项之和须为100，价格权重须在上下限之间。"),
                            "selection", {"price": _("价格"), "technical": _("技术"), "credit": _("信用")}),
    "registration_close_time": _p(_("报名截止时刻"), TIME, None, None, _("报名截止日当天的截止时刻，例如17:00。"), "selection"),
    "publicity_wd": _p(_("结果公示期"), WD, 1, 30, _("选取结果公示的工作日数。"), "selection"),
    "objection_answer_wd": _p(_("质疑答复时限"), WD, 1, 30, _("业主答复质疑的期限。"), "selection"),
    "contract_sign_wd": _p(_("合同签订时限"), WD, 1, 60, _("公示结束后签订合同的期限。"), "selection"),
    "contract_upload_wd": _p(_("合同上传时限"), WD, 1, 30, _("签订合同后上传合同的期限。"), "selection"),
    "max_republish_before_switch": _p(_("重新发布次数上限"), COUNT, 0, 10, _("流标后重新发布超过该次数可改变选取方式。"), "selection"),
    "clarification_question_cutoff_wd": _p(_("提问截止"), WD, 0, 30, _("报名截止前几个工作日停止提问。"), "clarification"),
    "clarification_answer_wd": _p(_("答疑答复时限"), WD, 1, 30, _("业主答复问题的期限。"), "clarification"),
    "rating_satisfied_min": _p(_("满意最低平均分"), POINTS, "0", "5", _("平均分不低于该值为满意。"), "rating"),
    "rating_basic_min": _p(_("基本满意最低平均分"), POINTS, "0", "5", _("平均分不低于该值为基本满意，低于为不满意。"), "rating"),
    "rating_unsat_reason_min_chars": _p(_("不满意理由最少字数"), CHARS, 0, 500, _("评价不满意时理由的最少字数。"), "rating"),
    "rating_deadline_wd": _p(_("评价时限"), WD, 1, 60, _("验收后业主评价的期限。"), "rating"),
    "appeal_within_wd": _p(_("申诉时限"), WD, 1, 60, _("机构对评价提出申诉的期限。"), "rating"),
    "appeal_decide_wd": _p(_("申诉处理时限"), WD, 1, 60, _("监管部门决定申诉的期限。"), "rating"),
    "complaint_response_wd": _p(_("投诉答复时限"), WD, 1, 60, _("监管部门答复投诉的期限。"), "rating"),
    "report_review_wd": _p(_("报告复审时限"), WD, 1, 60, _("报告复审完成的期限。"), "rating"),
    "review_reason_min_chars": _p(_("复审理由最少字数"), CHARS, 0, 500, _("复审结论理由的最少字数。"), "rating"),
    "complaint_files_max": _p(_("投诉附件上限"), COUNT, 0, 20, _("一件投诉最多可上传的文件数。"), "rating"),
    "public_complaint_ip_per_hour": _p(_("公众投诉频率（每地址）"), PER_HOUR, 1, 1000, _("同一网络地址每小时最多提交的投诉数。"), "rating"),
    "public_complaint_contact_per_day": _p(_("公众投诉频率（每联系方式）"), PER_DAY, 1, 1000, _("同一联系方式每天最多提交的投诉数。"), "rating"),
    "complaint_lookup_ip_per_hour": _p(_("投诉查询频率"), PER_HOUR, 1, 10000, _("同一网络地址每小时最多查询投诉进度的次数。"), "rating"),
    "credit_window_months": _p(_("计分周期"), MONTHS, 1, 60, _("信用分只计算该周期内的事项。"), "credit"),
    "credit_base": _p(_("基础分"), POINTS, 1, 1000, _("每家机构的起始信用分。"), "credit"),
    "credit_deductions": _p(_("扣分标准"), POINTS, 0, 100, _("每项失信事项扣减的分数。"), "credit",
                            {k: k for k in ("eval_basic", "eval_unsat", "overdue_minor", "overdue_major", "complaint",
                                            "abandon", "violation", "penalty_general", "review_basic", "review_fail")}),
    "credit_bonuses": _p(_("加分标准"), POINTS, 0, 100, _("每项表彰增加的分数。"), "credit",
                         {k: k for k in ("award_county", "award_city", "award_province", "award_national")}),
    "credit_bonus_cap": _p(_("加分上限"), POINTS, 0, 100, _("计分周期内加分合计不超过该值。"), "credit"),
    "credit_grades": _p(_("等级分数线"), POINTS, 0, 1000, _("达到该分数评为相应等级，低于C级分数线为D级。"), "credit",
                        {"A": _("A级"), "B": _("B级"), "C": _("C级")}),
    "credit_forcing_codes": _p(_("直接评为D级的事项"), COUNT, None, None, _("出现所选事项之一即直接评为D级。"), "credit"),
    "sanction_d_suspend_months": _p(_("D级暂停期"), MONTHS, 0, 60, _("评为D级后暂停参与选取的月数。"), "credit"),
    "sanction_abandon_suspend_months": _p(_("放弃中选暂停期"), MONTHS, 0, 60, _("放弃中选后暂停参与选取的月数。"), "credit"),
    "sanction_second_d_window_months": _p(_("再次D级观察期"), MONTHS, 0, 120, _("该期限内第二次评为D级即列入黑名单。"), "credit"),
    "sanction_blacklist_years": _p(_("黑名单期限"), YEARS, 0, 10, _("列入黑名单的年数。"), "credit"),
    "repair_min_publicity_months": _p(_("信用修复最短公示期"), MONTHS, 0, 60, _("失信事项公示满该月数后可申请修复。"), "credit"),
    "repair_min_publicity_months_safety": _p(_("安全类修复最短公示期"), MONTHS, 0, 120, _("涉及安全的失信事项公示满该月数后可申请修复。"), "credit"),
    "risk_lookback_days": _p(_("风险回溯期"), DAYS, 30, 3650, _("风险指标统计的天数。"), "risk"),
    "risk_close_quote_pct": _p(_("报价接近阈值"), PERCENT, "0", "100", _("报价相差不超过该百分比视为接近。"), "risk"),
    "risk_concentration_share": _p(_("中选集中度阈值"), RATIO, "0", "1", _("一家机构在一个业主的中选份额超过该比例时提示。"), "risk"),
    "risk_concentration_min_awards": _p(_("集中度最少项目数"), COUNT, 1, 1000, _("业主项目少于该数时不计算集中度。"), "risk"),
    "risk_hhi_high": _p(_("市场集中度高阈值"), POINTS, 0, 10000, _("赫芬达尔指数超过该值视为高度集中。"), "risk"),
    "risk_split_window_days": _p(_("拆分项目观察期"), DAYS, 1, 365, _("同一业主在该天数内的相似项目合并检查是否拆分。"), "risk"),
    "risk_win_ratio_p": _p(_("中选率显著性水平"), RATIO, "0", "1", _("抽取中选次数异常的概率阈值。"), "risk"),
    "risk_win_ratio_min_rounds": _p(_("中选率最少轮数"), COUNT, 1, 1000, _("参加抽取少于该轮数时不检查中选率。"), "risk"),
    "risk_short_window_min_wd": _p(_("报名期过短阈值"), WD, 0, 30, _("报名期少于该工作日数时提示。"), "risk"),
    "risk_discount_ratio": _p(_("低价中选比例"), RATIO, "0", "1", _("中选价低于最高限价的该比例时提示。"), "risk"),
    "risk_heterogeneous_departments": _p(_("跨行业资质数"), COUNT, 1, 50, _("一家机构中选的主管部门多于该数时提示。"), "risk"),
    "risk_owner_delay_share": _p(_("业主延误比例"), RATIO, "0", "1", _("业主延误环节超过该比例时提示。"), "risk"),
    "risk_owner_delay_min_steps": _p(_("业主延误最少环节数"), COUNT, 1, 1000, _("环节少于该数时不计算业主延误。"), "risk"),
    "bulletin_rank_min_sample": _p(_("排行榜最少样本"), COUNT, 1, 1000, _("评价数少于该值的机构不进入排行。"), "risk"),
    "bulletin_rank_size": _p(_("排行榜长度"), COUNT, 1, 100, _("信用简报排行显示的机构数。"), "risk"),
}


def both(text) -> tuple[str, str]:
    """A lazy label in Chinese and in English, for the house "中文 / English" messages."""
    with translation.override("zh-hans"):
        zh = str(text)
    with translation.override("en"):
        en = str(text)
    return zh, en


def range_error(key: str, value) -> str | None:
    """A "中文 / English" message when `value` (a number, or a dict of numbers) is outside the range of `key`."""
    meta = META[key]
    if meta.lo is None or value is None:
        return None
    zh, en = both(meta.label)
    values = value.values() if isinstance(value, dict) else [value]
    for item in values:
        try:
            number = Decimal(str(item))
        except ArithmeticError:
            return f"{zh}须为数字 / {en} must be a number"
        if not meta.lo <= number <= meta.hi:
            return f"{zh}须在{meta.lo}到{meta.hi}之间 / {en} must be between {meta.lo} and {meta.hi}"
    return None
