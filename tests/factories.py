"""Shared factories for the kernel: users, organisations, memberships."""

import factory
from factory.django import DjangoModelFactory

from marketplace.identifiers import make_resident_id, make_uscc
from marketplace.models import Membership, Organisation, Region, ServiceType, User

PASSWORD = "Demo-pass-2026"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.OWNER
    name = factory.Sequence(lambda n: f"测试单位{n}")
    region = factory.LazyFunction(lambda: Region.objects.get(code="330482"))


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.ADMIN


def member_of(organisation, role=Membership.Role.ADMIN, **user_kwargs):
    """A verified user who is a member of `organisation` with `role`."""
    user = UserFactory(**user_kwargs)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def service_type(code="ZR01"):
    return ServiceType.objects.get(code=code)


# ---- domain factories shared by every app's tests (apps add their own in tests/<app>/) ----------

class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = "agencies.Agency"
        skip_postgeneration_save = True  # the hook below saves what it changes

    organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.AGENCY,
                                      name=factory.SelfAttribute("..name"))
    name = factory.Sequence(lambda n: f"嘉兴测绘服务有限公司{n}")
    uscc = factory.Sequence(lambda n: make_uscc(n + 1))
    entity_type = "企业"
    region = factory.LazyFunction(lambda: Region.objects.get(code="330482"))
    legal_rep_name = factory.Sequence(lambda n: f"法人{n}")
    legal_rep_id = factory.Sequence(lambda n: make_resident_id(n + 1))
    status = "admitted"

    @factory.post_generation
    def fix_org(obj, create, extracted, **kwargs):
        if create and obj.organisation.uscc != obj.uscc:
            obj.organisation.uscc = obj.uscc
            obj.organisation.save(update_fields=["uscc"])


class AgencyServiceFactory(DjangoModelFactory):
    class Meta:
        model = "agencies.AgencyService"

    agency = factory.SubFactory(AgencyFactory)
    service_type = factory.LazyFunction(lambda: ServiceType.objects.get(code="ZR01"))
    price_min = 10000
    price_max = 100000
    time_limit_wd = 10


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = "projects.Project"

    code = factory.Sequence(lambda n: f"PH-2026-{n + 1:04d}")
    owner = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.OWNER)
    title = factory.Sequence(lambda n: f"平湖市某道路工程地形测绘{n}")
    service_type = factory.LazyFunction(lambda: ServiceType.objects.get(code="ZR01"))
    region = factory.LazyFunction(lambda: Region.objects.get(code="330482"))
    ceiling = 100000
    funding = "fiscal"
    method = "draw"


def prefer_english(user) -> None:
    """The Wagtail admin speaks the user's profile language: switch it to English."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
