"""factory_boy factories shared by the suites."""

import datetime as dt

import factory

from ansinh.accounts.models import RoleAssignment, User
from ansinh.geo.models import AdminUnit
from ansinh.org.models import UnionUnit

REFORM_DATE = dt.date(2025, 7, 1)
DEMO_PASSWORD = "ansinh-demo"


class AdminUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdminUnit
        django_get_or_create = ("era", "level", "code")

    era = AdminUnit.Era.POST_2025
    level = AdminUnit.Level.COMMUNE
    code = factory.Sequence(lambda n: f"9{n:04d}")
    name = factory.Sequence(lambda n: f"Phường Thử {n}")
    province_code = "01"
    valid_from = REFORM_DATE


class UnionUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnionUnit

    kind = UnionUnit.Kind.COMMUNE
    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"Hội LHPN Phường Thử {n}")
    valid_from = REFORM_DATE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="vi_VN")
    password = factory.django.Password(DEMO_PASSWORD)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = "commune_officer"
