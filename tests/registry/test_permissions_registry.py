"""The shared permission suite for households and people: page, API and a write each."""

from django.urls import reverse

from ansinh.registry.models import Household, Person

from ..permission_suite import ScopedPermissionSuite
from .factories import HouseholdFactory, PersonFactory


class TestHouseholdPermissions(ScopedPermissionSuite):
    model = Household

    def make_objects(self, personas):
        inside = HouseholdFactory(unit=personas.hoankiem)
        outside = HouseholdFactory(unit=personas.donganh)
        PersonFactory(household=inside, relation="head")
        PersonFactory(household=outside, relation="head")
        return inside, outside

    def page_url(self, obj):
        return reverse("registry:household_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("household-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("registry:household_update", args=[obj.pk]),
            {"address_line": "Số 9 phố Hàng Đào", "poverty_status": "poor"},
        )


class TestPersonPermissions(ScopedPermissionSuite):
    model = Person

    def make_objects(self, personas):
        return (
            PersonFactory(household=HouseholdFactory(unit=personas.hoankiem)),
            PersonFactory(household=HouseholdFactory(unit=personas.donganh)),
        )

    def page_url(self, obj):
        return reverse("registry:person_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("person-detail", args=[obj.pk])

    def write_request(self, obj):
        return ("patch", reverse("person-detail", args=[obj.pk]), {"occupation": "Thợ may"})


class TestPersonPagePermissions(TestPersonPermissions):
    """The same person suite with the page's own write (the edit form)."""

    def write_request(self, obj):
        return (
            "post",
            reverse("registry:person_update", args=[obj.pk]),
            {
                "full_name": "Nguyễn Thị Thu",
                "sex": "F",
                "birth_date": "12/03/1985",
                "ethnicity": "01",
                "relation": "head",
            },
        )
