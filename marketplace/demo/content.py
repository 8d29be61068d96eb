"""Editorial demo content: notices (通知公告) and policies (政策法规) written as an editor would in the Wagtail
admin (pages with revisions, published), and the first audit anchor, which the CMS publishes as a notice
itself. Idempotent: a page whose slug exists is left alone."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from wagtail.rich_text import RichText

NEWS = [
    ("platform-launch", 40, "关于中介超市平台正式运行的通知",
     ["自即日起，本市使用财政资金或国有资金购买中介服务的项目，须通过中介超市平台发布采购需求、选取中介机构。",
      "项目业主、中介机构可通过平台首页登录；首次使用请联系平台运营方开通单位账号。"]),
    ("credit-evaluation-2026", 25, "关于开展2026年度中介机构信用评价工作的通知",
     ["信用评价以项目业主的服务评价、履约情况及行政处理记录为依据，按平台公布的政策参数计算。",
      "各中介机构可在机构主页查看信用分的计算明细，对评价有异议的，可在规定期限内提出申诉。"]),
    ("holidays-2027", 3, "关于2027年节假日安排录入前工作日计算的说明",
     ["国务院办公厅发布2027年节假日安排前，平台按周末计算2027年的工作日，相关期限标注为“未确认”。",
      "节假日安排发布后，平台运营方将按通知录入，已标注的期限自动按新安排重新计算。"]),
]
POLICIES = [
    ("measures", 60, "中介服务网上交易平台管理办法（试行）",
     ["第一条 为规范中介服务采购行为，提高服务质量和效率，制定本办法。",
      "第二条 项目业主使用财政资金购买中介服务，应当通过中介超市选取中介机构，法律法规另有规定的除外。",
      "第三条 选取方式包括直接选取、随机抽取、竞价选取、综合评审和邀请比选，具体条件见平台政策参数。"]),
    ("credit-rules", 45, "中介机构信用评价实施细则",
     ["第一条 中介机构信用分以基础分为起点，依据计分周期内的扣分和加分事项计算。",
      "第二条 信用等级分为A、B、C、D四级，分数线和惩戒措施按平台公布的政策参数执行。",
      "第三条 中介机构对信用事项有异议的，可依照规定申请更正或信用修复。"]),
]


def _publish(index, *, slug: str, days_ago: int, title: str, paragraphs: list[str], kind: str, today: dt.date):
    from cms.models import NoticePage

    if NoticePage.objects.filter(slug=slug).exists():
        return None
    page = NoticePage(title=title, slug=slug, kind=kind, published_on=today - dt.timedelta(days=days_ago),
                      body=[("paragraph", RichText(f"<p>{text}</p>")) for text in paragraphs])
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def seed_content(*, today: dt.date | None = None) -> int:
    """Publish the demo notices and policies, and anchor the audit chain (its notice goes to 通知公告)."""
    from cms.models import NoticeKind
    from cms.publishing import index_for
    from marketplace import audit

    today = today or timezone.localdate()
    created = 0
    with transaction.atomic():
        for kind, items in ((NoticeKind.NEWS, NEWS), (NoticeKind.POLICY, POLICIES)):
            index = index_for(kind)
            for slug, days_ago, title, paragraphs in items:
                created += _publish(index, slug=slug, days_ago=days_ago, title=title, paragraphs=paragraphs,
                                    kind=kind, today=today) is not None
    audit.anchor(date=today)  # the CMS subscriber publishes "审计链锚点（date）" after commit
    return created
