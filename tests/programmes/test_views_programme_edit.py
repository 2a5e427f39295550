"""Editing a programme: name, kind, owner, rule (checked on save, with the rule language's
Vietnamese message pointing at the mistake), active flag; audited; only with
programmes.change_programme."""

from __future__ import annotations

from django.urls import reverse

from ansinh.core.models import AuditEvent
from ansinh.programmes.models import Programme

from .helpers import tet


def _form(programme, **changes):
    data = {
        "name": programme.name,
        "benefit_kind": programme.benefit_kind,
        "owner": programme.owner_id or "",
        "description": programme.description,
        "eligibility_rule": programme.eligibility_rule,
        "is_active": "on" if programme.is_active else "",
    }
    data.update(changes)
    return data


def test_staff_edits_a_programme_and_it_is_audited(client_for, staff):
    programme = tet()
    rule = 'age >= 65 and household_has("HO_NGHEO")'
    response = client_for(staff).post(
        reverse("programmes:programme_update", args=[programme.pk]),
        _form(programme, name="Quà Tết cho người cao tuổi", eligibility_rule=rule, is_active=""),
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.name, programme.eligibility_rule, programme.is_active) == (
        "Quà Tết cho người cao tuổi",
        rule,
        False,
    )
    event = AuditEvent.objects.get(action="update", object_type="programmes.programme")
    assert event.changes["eligibility_rule"][1] == rule
    assert event.changes["is_active"] == [True, False]


def test_wrong_rule_is_refused_with_a_pointed_vietnamese_message(client_for, staff):
    programme = tet()
    before = (programme.name, programme.eligibility_rule)
    response = client_for(staff).post(
        reverse("programmes:programme_update", args=[programme.pk]),
        _form(programme, name="Đổi tên", eligibility_rule='age >= 60 and hass("HO_NGHEO")'),
    )
    assert response.status_code == 200
    [message] = response.context["form"].errors["eligibility_rule"]
    assert "hass" in message
    assert "^" in message  # the caret under the mistake
    assert 'data-testid="rule-error"' in response.content.decode()
    programme.refresh_from_db()
    assert (programme.name, programme.eligibility_rule) == before
    assert not AuditEvent.objects.filter(object_type="programmes.programme").exists()


def test_dangerous_rule_is_refused(client_for, staff):
    programme = tet()
    response = client_for(staff).post(
        reverse("programmes:programme_update", args=[programme.pk]),
        _form(programme, eligibility_rule='__import__("os")'),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["eligibility_rule"]
    programme.refresh_from_db()
    assert "__import__" not in programme.eligibility_rule


def test_officer_without_permission_gets_404_and_nothing_changes(personas, client_for):
    programme = tet()
    url = reverse("programmes:programme_update", args=[programme.pk])
    client = client_for(personas.officer_hoankiem)
    assert client.get(url).status_code == 404
    assert client.post(url, _form(programme, name="Khác")).status_code == 404
    assert Programme.objects.get(pk=programme.pk).name == programme.name


def test_edit_button_only_for_who_may_edit(personas, client_for, staff):
    url = reverse("programmes:programme_detail", args=[tet().pk])
    assert 'data-testid="programme-edit"' in client_for(staff).get(url).content.decode()
    officer_page = client_for(personas.officer_hoankiem).get(url).content.decode()
    assert 'data-testid="programme-edit"' not in officer_page
