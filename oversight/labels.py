"""Words for the workspace: what each indicator means (never its internal code)."""

from django.utils.translation import gettext_lazy as _

EXPLAIN = {
    "shared_person": _("同一项目的两家报名机构共用法定代表人、业务授权人、从业人员、联系电话、登录邮箱或办公地址，"
                       "可能是关联机构串通报名。"),
    "identical_quotes": _("同一竞价或综合评审项目中，两家以上机构的报价金额完全相同，可能事先协调报价。"),
    "close_quotes": _("中选报价与最接近的另一报价相差不超过政策规定的百分比，可能存在陪标。"),
    "win_concentration": _("一家机构在12个月内取得同一业主过半数的中选（按次数或金额），并给出该业主的集中度指数（HHI）。"),
    "split_purchase": _("同一业主在政策规定的天数内对同一服务事项多次直接选取，每次均低于直接选取限额、合计超过限额，"
                        "可能拆分项目规避竞争性选取。"),
    "high_win_ratio": _("一家机构在随机抽取中中选的次数远高于按各轮入围家数计算的随机期望，概率低于政策阈值，需核查抽取过程。"),
    "short_window": _("报名期短于政策规定的工作日数，潜在机构来不及报名。"),
    "single_bidder": _("竞争性选取项目只有一家机构报名，仍然完成了选取。"),
    "discounted_bid": _("中选报价远低于最高限价（低于政策比例），或以异常低价说明被采纳而中选，需关注履约质量。"),
    "heterogeneous_supplier": _("一家机构在多个互不相关的行业主管部门的项目中中选，可能借用资质或挂靠。"),
    "owner_delay": _("业主应办理的环节（提供资料、补正、验收、评价）中逾期的比例超过政策阈值。"),
}
