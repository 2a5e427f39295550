"""List pages make the same number of queries for 2 rows as for 8 (no query per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ansinh.outreach import services

from .conftest import TODAY, make_activity, make_model

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _add(personas, n):
    admin = personas.city_admin
    for i in range(n):
        make_activity(admin, personas.hoankiem, title=f"H{i}")
        source = make_model(admin, personas.donganh, name=f"Gốc {i}")
        model = make_model(admin, personas.hoankiem, name=f"M{i}", copied_from=source)
        services.commendation_create(
            user=admin,
            recipient_model=model,
            level="city_union",
            form="giay_khen",
            reason="x",
            awarded_on=TODAY(),
        )
        services.commendation_create(
            user=admin,
            recipient_unit=personas.hoankiem,
            level="city_union",
            form="giay_khen",
            reason="x",
            awarded_on=TODAY(),
        )


@pytest.mark.parametrize(
    "name", ["outreach:activity_list", "outreach:model_list", "outreach:commendation_list"]
)
def test_list_queries_do_not_grow_with_rows(personas, client_for, name):
    client = client_for(personas.city_admin)
    url = reverse(name)
    _add(personas, 2)
    few = _queries(client, url)
    _add(personas, 6)
    many = _queries(client, url)
    assert many == few
