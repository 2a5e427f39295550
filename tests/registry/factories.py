"""Factories for registry records (households in the personas' communes)."""

import datetime as dt

import factory

from ansinh.core.text import fold
from ansinh.registry.models import Household, Person


class HouseholdFactory(factory.django.DjangoModelFactory):
    """Pass `unit=` (a commune union or branch); commune and scope follow from it."""

    class Meta:
        model = Household

    commune = factory.LazyAttribute(lambda o: o.unit.admin_unit or o.unit.parent.admin_unit)
    scope_path = factory.LazyAttribute(lambda o: o.unit.path)
    address_line = factory.Sequence(lambda n: f"Số {n} phố Hàng Bạc")
    poverty_status = Household.Poverty.NONE


class PersonFactory(factory.django.DjangoModelFactory):
    """Pass `household=`; unit and scope follow from it."""

    class Meta:
        model = Person

    unit = factory.LazyAttribute(lambda o: o.household.unit)
    scope_path = factory.LazyAttribute(lambda o: o.household.scope_path)
    full_name = factory.Sequence(lambda n: f"Nguyễn Thị Thử {n}")
    name_folded = factory.LazyAttribute(lambda o: fold(o.full_name))
    sex = Person.Sex.FEMALE
    birth_date = dt.date(1985, 3, 12)
    birth_year = factory.LazyAttribute(lambda o: o.birth_date.year if o.birth_date else None)
