"""What each role may do in outreach: inspector reads, branch head records her branch's
activities, department staff manage the whole city, aggregate viewer counts only."""

import pytest
from django.urls import reverse

from ansinh.accounts.permissions import Role
from ansinh.org.models import UnionUnit
from ansinh.outreach.models import CommunicationActivity, CommunityModel
from tests.factories import RoleAssignmentFactory, UnionUnitFactory, UserFactory

from .conftest import TODAY, make_activity, make_model, topic

pytestmark = pytest.mark.django_db


def _activity_post(unit):
    return {
        "held_on": TODAY().strftime("%d/%m/%Y"),
        "unit": unit.pk,
        "topic": topic().pk,
        "channel": "meeting",
        "title": "Sinh hoạt chi hội",
        "participants": "25",
    }


def test_inspector_reads_but_cannot_write(personas, client_for):
    activity = make_activity(personas.officer_hoankiem, personas.hoankiem)
    model = make_model(personas.officer_donganh, personas.donganh)
    client = client_for(personas.inspector)
    assert client.get(reverse("outreach:activity_detail", args=[activity.pk])).status_code == 200
    assert client.get(reverse("outreach:model_detail", args=[model.pk])).status_code == 200
    assert client.get(reverse("outreach:totals")).status_code == 200
    assert client.get(reverse("outreach:activity_create")).status_code == 404
    response = client.post(
        reverse("outreach:activity_update", args=[activity.pk]), _activity_post(personas.hoankiem)
    )
    assert response.status_code == 404
    response = client.post(
        reverse("outreach:model_detail", args=[model.pk]),
        {"action": "status", "status-status": "paused", "status-changed_on": "01/01/2026"},
    )
    assert response.status_code == 404
    activity.refresh_from_db()
    model.refresh_from_db()
    assert activity.title == "Hội nghị quán triệt Nghị quyết 42" and model.status == "active"


def test_branch_head_records_her_branch_only(personas, client_for):
    branch = UnionUnitFactory(
        kind=UnionUnit.Kind.BRANCH, parent=personas.hoankiem, name="Chi hội 3"
    )
    head = UserFactory(username="chihoi3")
    RoleAssignmentFactory(user=head, role=Role.BRANCH_HEAD, unit=branch)
    client = client_for(head)
    url = reverse("outreach:activity_create")
    assert client.post(url, _activity_post(personas.hoankiem)).status_code == 200
    assert CommunicationActivity.objects.count() == 0
    assert client.post(url, _activity_post(branch)).status_code == 302
    assert CommunicationActivity.objects.get().unit == branch
    assert client.get(reverse("outreach:model_create")).status_code == 404
    assert client.get(reverse("outreach:totals")).status_code == 200
    # the commune officer sees her branch's activity
    listing = client_for(personas.officer_hoankiem).get(reverse("outreach:activity_list"))
    assert [a.unit for a in listing.context["page"]] == [branch]


def test_department_staff_manage_the_whole_city(personas, client_for):
    staff = UserFactory(username="tuyengiao")
    RoleAssignmentFactory(user=staff, role=Role.DEPARTMENT_STAFF, unit=personas.city)
    model = make_model(personas.officer_donganh, personas.donganh)
    client = client_for(staff)
    assert (
        client.post(
            reverse("outreach:activity_create"), _activity_post(personas.donganh)
        ).status_code
        == 302
    )
    response = client.post(
        reverse("outreach:model_detail", args=[model.pk]),
        {
            "action": "result",
            "result-reported_on": TODAY().strftime("%d/%m/%Y"),
            "result-text": "Đánh giá của Ban",
        },
    )
    assert response.status_code == 302
    assert CommunityModel.objects.get().results.count() == 1
