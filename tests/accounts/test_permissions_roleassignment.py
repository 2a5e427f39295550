"""The shared permission suite applied to role assignments (page: the assignee's user page)."""

import pytest
from django.urls import reverse

from ansinh.accounts.models import RoleAssignment
from ansinh.accounts.permissions import ROLE_PERMISSIONS, Role
from tests.factories import RoleAssignmentFactory
from tests.permission_suite import ScopedPermissionSuite


class TestRoleAssignmentPermissions(ScopedPermissionSuite):
    """Read-only: the Hoàn Kiếm officer also inspects her commune (inspector sees accounts)."""

    model = RoleAssignment

    def make_objects(self, personas):
        RoleAssignmentFactory(
            user=personas.officer_hoankiem, role=Role.INSPECTOR, unit=personas.hoankiem
        )
        return (
            RoleAssignmentFactory(user__username="chihoi.hk", unit=personas.hoankiem),
            RoleAssignmentFactory(user__username="chihoi.da", unit=personas.donganh),
        )

    def page_url(self, obj):
        return reverse("accounts:user_detail", args=[obj.user_id])

    def api_url(self, obj):
        return reverse("user-detail", args=[obj.user_id])


class TestRoleAssignmentManagedInCommune(TestRoleAssignmentPermissions):
    """With writes: a role configured to manage accounts inside its own commune.

    No shipped role does that today (the system admin is city-wide), so the officer's role is
    given account management here; the scoping machinery under test is the real one.
    """

    @pytest.fixture(autouse=True)
    def _officers_manage_accounts(self, monkeypatch):
        granted = ROLE_PERMISSIONS[Role.COMMUNE_OFFICER] | {"accounts.*"}
        monkeypatch.setitem(ROLE_PERMISSIONS, Role.COMMUNE_OFFICER, granted)

    def write_request(self, obj):
        return ("post", reverse("accounts:role_remove", args=[obj.pk]), {})

    def test_in_scope_write_removed_the_role(self, personas, client_for):
        inside, outside = self.make_objects(personas)
        client = client_for(personas.officer_hoankiem)
        response = client.post(reverse("accounts:role_remove", args=[inside.pk]))
        assert response.status_code == 302
        assert not RoleAssignment.objects.filter(pk=inside.pk).exists()
        assert RoleAssignment.objects.filter(pk=outside.pk).exists()
