"""The shared permission suite for union units: page, API and a write (adding a branch)."""

from django.urls import reverse

from ansinh.org.models import UnionUnit

from ..permission_suite import ScopedPermissionSuite


class TestUnionUnitPermissions(ScopedPermissionSuite):
    model = UnionUnit

    def make_objects(self, personas):
        return personas.hoankiem, personas.donganh

    def page_url(self, obj):
        return reverse("org:unit_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("union-unit-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("org:branch_create", args=[obj.pk]),
            {"locality_kind": "thon", "locality_name": "Thôn Đoài"},
        )


def test_out_of_scope_branch_write_adds_no_child(personas, client_for):
    client = client_for(personas.officer_hoankiem)

    client.post(
        reverse("org:branch_create", args=[personas.donganh.pk]),
        {"locality_kind": "thon", "locality_name": "Thôn Đoài"},
    )

    assert not UnionUnit.objects.filter(parent=personas.donganh).exists()
