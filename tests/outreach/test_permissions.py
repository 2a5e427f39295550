"""The reusable permission suite for every outreach model (pages, API, writes)."""

import pytest
from django.urls import reverse

from ansinh.outreach import services
from ansinh.outreach.models import (
    Commendation,
    CommunicationActivity,
    CommunicationMaterial,
    CommunityModel,
    CommunityModelPhoto,
    CommunityModelResult,
    CommunityModelStatusChange,
)
from tests.permission_suite import ScopedPermissionSuite

from .conftest import TODAY, make_activity, make_model, topic

pytestmark = pytest.mark.django_db


class TestCommunicationActivityPermissions(ScopedPermissionSuite):
    model = CommunicationActivity

    def make_objects(self, personas):
        return (
            make_activity(personas.officer_hoankiem, personas.hoankiem),
            make_activity(personas.officer_donganh, personas.donganh),
        )

    def page_url(self, obj):
        return reverse("outreach:activity_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("communicationactivity-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("outreach:activity_update", args=[obj.pk]),
            {
                "held_on": TODAY().strftime("%d/%m/%Y"),
                "unit": obj.unit_id,
                "topic": topic("bhyt").pk,
                "channel": "meeting",
                "title": "Đã sửa",
                "participants": "30",
            },
        )


class TestCommunityModelPermissions(ScopedPermissionSuite):
    model = CommunityModel

    def make_objects(self, personas):
        return (
            make_model(personas.officer_hoankiem, personas.hoankiem),
            make_model(personas.officer_donganh, personas.donganh),
        )

    def page_url(self, obj):
        return reverse("outreach:model_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("communitymodel-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("outreach:model_detail", args=[obj.pk]),
            {
                "action": "status",
                "status-status": "paused",
                "status-changed_on": TODAY().strftime("%d/%m/%Y"),
                "status-reason": "Tạm nghỉ hè",
            },
        )


class TestCommendationPermissions(ScopedPermissionSuite):
    model = Commendation

    def make_objects(self, personas):
        return tuple(
            services.commendation_create(
                user=personas.city_admin,
                recipient_unit=unit,
                level="commune_union",
                form="giay_khen",
                reason="Thành tích",
                awarded_on=TODAY(),
            )
            for unit in (personas.hoankiem, personas.donganh)
        )

    def page_url(self, obj):
        return reverse("outreach:commendation_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("commendation-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("outreach:commendation_update", args=[obj.pk]),
            {
                "recipient_kind": "unit",
                "recipient_unit": obj.recipient_unit_id,
                "level": "city_union",
                "form": "bang_khen",
                "reason": "Thành tích xuất sắc",
                "awarded_on": TODAY().strftime("%d/%m/%Y"),
            },
        )


class _ChildSuite(ScopedPermissionSuite):
    """Records hanging off a model or an activity: scoped through their parent."""

    def parents(self, personas):
        return (
            make_model(personas.officer_hoankiem, personas.hoankiem),
            make_model(personas.officer_donganh, personas.donganh),
        )


class TestCommunityModelResultPermissions(_ChildSuite):
    model = CommunityModelResult

    def make_objects(self, personas):
        return tuple(
            services.community_model_add_result(
                user=personas.city_admin, model=m, reported_on=TODAY(), text="Kết quả"
            )
            for m in self.parents(personas)
        )

    def page_url(self, obj):
        return reverse("outreach:model_detail", args=[obj.model_id])


class TestCommunityModelStatusChangePermissions(_ChildSuite):
    model = CommunityModelStatusChange

    def make_objects(self, personas):
        return tuple(m.status_changes.get() for m in self.parents(personas))

    def page_url(self, obj):
        return reverse("outreach:model_detail", args=[obj.model_id])


class TestCommunityModelPhotoPermissions(_ChildSuite):
    model = CommunityModelPhoto

    def make_objects(self, personas):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return tuple(
            services.community_model_add_photo(
                user=personas.city_admin,
                model=m,
                file=SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n", "image/png"),
            )
            for m in self.parents(personas)
        )

    def page_url(self, obj):
        return reverse("outreach:photo_download", args=[obj.pk])


class TestCommunicationMaterialPermissions(ScopedPermissionSuite):
    model = CommunicationMaterial

    def make_objects(self, personas):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return tuple(
            services.activity_add_material(
                user=personas.city_admin,
                activity=make_activity(personas.city_admin, unit),
                file=SimpleUploadedFile("a.pdf", b"%PDF", "application/pdf"),
            )
            for unit in (personas.hoankiem, personas.donganh)
        )

    def page_url(self, obj):
        return reverse("outreach:material_download", args=[obj.pk])
