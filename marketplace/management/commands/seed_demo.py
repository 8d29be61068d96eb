"""Demo organisations, people, agencies and postings; prints the demo logins. Idempotent."""

import random
from functools import lru_cache

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from tqdm import tqdm

from marketplace.accounts import services as account_services
from marketplace.models import Department, Membership, Organisation, Region, User

PASSWORD = "Demo-pass-2026"


@lru_cache(maxsize=1)
def _hashed() -> str:
    return make_password(PASSWORD)


def ensure_user(email: str, name: str, *, superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        # One hash for every demo account: hashing is deliberately slow, and all share the password.
        user = User.objects.create(email=email, password=_hashed(), name=name,
                                   is_staff=superuser, is_superuser=superuser)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def ensure_org(*, kind: str, name: str, region: str, admin: User, uscc: str | None = None) -> Organisation:
    org = Organisation.objects.filter(kind=kind, name=name).first()
    if org is None:
        org = account_services.create_organisation(by=None, kind=kind, name=name, uscc=uscc,
                                                   region=Region.objects.get(code=region))
    Membership.objects.get_or_create(user=admin, organisation=org, defaults={"role": Membership.Role.ADMIN})
    return org


def seed_regulators(logins: list) -> None:
    """One body per department (a regulator and a second member for 双人复核), and one covering every department."""
    for i, dept in enumerate(Department.objects.order_by("name")):
        user = ensure_user(f"regulator{i + 1}@demo.zjcs.cn", f"{dept.name}监管员")
        org = ensure_org(kind="regulator", name=f"嘉兴市{dept.name}主管部门", region="330400", admin=user)
        org.scope_departments.add(dept)
        org.scope_regions.add(Region.objects.get(code="330400"))
        reviewer = ensure_user(f"regulator{i + 1}b@demo.zjcs.cn", f"{dept.name}复核员")
        Membership.objects.get_or_create(user=reviewer, organisation=org)
        if dept.name == "自然资源":
            logins.append(("监管部门 / regulator (自然资源)", user.email, "/dashboard/"))
    general = ensure_user("regulator@demo.zjcs.cn", "行政审批监管员")
    ensure_org(kind="regulator", name="嘉兴市行政审批局", region="330400", admin=general)
    logins.append(("监管部门 / regulator (全部行业)", general.email, "/dashboard/"))


class Command(BaseCommand):
    help = "Create demo organisations, users, agencies and postings (SQLite demo). / 生成演示数据"

    def add_arguments(self, parser):
        parser.add_argument("--agencies", type=int, default=60)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **opts):
        # The replayed history notifies people about events months old: keep the inbox rows, print no mail.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self.seed(opts)

    def seed(self, opts):
        rng = random.Random(opts["seed"])
        logins: list[tuple[str, str, str]] = []
        steps = ["operator", "regulators", "owners", "agencies", "projects", "credit"]
        with tqdm(total=len(steps), desc="seed_demo", unit="step") as bar:
            with transaction.atomic():
                admin = ensure_user("admin@demo.zjcs.cn", "平台管理员", superuser=True)
                ensure_org(kind="operator", name="嘉兴市公共资源交易中心", region="330400", admin=admin)
                logins.append(("运营方 / operator (Wagtail admin)", admin.email, "/admin/"))
            bar.update()

            with transaction.atomic():
                seed_regulators(logins)
            bar.update()

            with transaction.atomic():
                owners = [("平湖市住房和城乡建设局", "330482"), ("海宁市交通运输局", "330481"),
                          ("嘉善县自然资源和规划局", "330421"), ("桐乡市教育局", "330483")]
                for i, (name, region) in enumerate(owners):
                    user = ensure_user(f"owner{i + 1}@demo.zjcs.cn", f"{name[:3]}经办人")
                    ensure_org(kind="owner", name=name, region=region, admin=user)
                    if i == 0:
                        logins.append(("项目业主 / owner", user.email, "/dashboard/"))
            bar.update()

            from marketplace.demo import credit, risk, seeding
            from marketplace.demo import notifications as demo_notifications

            agency_login = seeding.seed_agencies(rng=rng, count=opts["agencies"], ensure_user=ensure_user)
            if agency_login:
                logins.append(("中介机构 / agency", agency_login, "/dashboard/"))
            bar.update()
            # One transaction: the reactions to the replayed history (notices, search, the subscribers'
            # recomputation as of today) run once it is all written with its own dated recomputations.
            with transaction.atomic():
                seeding.seed_projects(rng=rng)
            from marketplace.demo.talk import seed_talk  # clarifications, attachments, a job thread
            seed_talk()
            bar.update()
            with transaction.atomic():
                credit.settle_all(today=timezone.localdate())
            bar.update()
            risk.plant()
            demo_notifications.seed()  # agency1: a subscription, matching postings, an offer to confirm
            from marketplace.demo.content import seed_content  # 通知公告, 政策法规 and the first audit anchor
            seed_content()
        # Demo agencies are created directly, not through audited services, so index everything once.
        call_command("search_index", "rebuild", verbosity=0)

        self.stdout.write(f"\n演示账号 / demo logins (password 密码: {PASSWORD})")
        for role, email, where in logins:
            self.stdout.write(f"  {role:<34} {email:<32} → {where}")
