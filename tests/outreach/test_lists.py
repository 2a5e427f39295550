"""Topics and model kinds are configured by city staff, never by commune officers."""

import pytest
from django.urls import reverse

from ansinh.accounts.permissions import Role
from ansinh.core.models import AuditEvent
from ansinh.outreach.models import CommunicationTopic, CommunityModelKind
from tests.factories import RoleAssignmentFactory, UserFactory

from .conftest import topic

pytestmark = pytest.mark.django_db
URL = "/tuyen-truyen/danh-muc/"


def _post(client, key, pk="", **fields):
    prefix = f"{key}-{pk or 'new'}"
    data = {"list": key, "pk": pk, **{f"{prefix}-{name}": value for name, value in fields.items()}}
    return client.post(URL, data)


def test_url():
    assert reverse("outreach:lists") == URL


def test_city_staff_add_rename_and_switch_off(personas, client_for):
    staff = UserFactory(username="tuyengiao")
    RoleAssignmentFactory(user=staff, role=Role.DEPARTMENT_STAFF, unit=personas.city)
    client = client_for(staff)
    assert client.get(URL).status_code == 200
    response = _post(
        client, "chu-de", code="ATGT", name="An toàn giao thông", order=5, is_active="on"
    )
    assert response.status_code == 302
    added = CommunicationTopic.objects.get(code="atgt")
    assert added.name == "An toàn giao thông" and added.is_active
    assert (
        AuditEvent.objects.filter(
            object_type="outreach.communicationtopic", action="create"
        ).count()
        == 1
    )
    nq42 = topic()
    _post(client, "chu-de", pk=str(nq42.pk), code="nq42", name="Nghị quyết 42", order=0)
    nq42.refresh_from_db()
    assert nq42.name == "Nghị quyết 42" and nq42.is_active is False
    # switched-off topics are no longer offered on the activity form
    form = client_for(personas.officer_hoankiem).get(reverse("outreach:activity_create"))
    assert nq42 not in form.context["form"].fields["topic"].queryset
    response = _post(client, "loai-mo-hinh", code="dia-chi-tin-cay", name="Trùng mã", order=1)
    assert response.status_code == 200 and "Mã này đã có" in response.content.decode()
    response = _post(client, "loai-mo-hinh", code="có dấu", name="X", order=1)
    assert "chữ không dấu" in response.content.decode()
    assert CommunityModelKind.objects.filter(name__in=["Trùng mã", "X"]).count() == 0


def test_commune_officer_may_not_configure(personas, client_for):
    client = client_for(personas.officer_hoankiem)
    assert client.get(URL).status_code == 404
    before = CommunicationTopic.objects.count()
    assert _post(client, "chu-de", code="x", name="X", order=1).status_code == 404
    assert CommunicationTopic.objects.count() == before
    assert "nav-lists" not in client.get(reverse("outreach:activity_list")).content.decode()
