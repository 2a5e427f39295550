"""The programme, round and delivery lists filter, paginate and export XLSX; the delivery list
holds people, so it keeps the scope (another commune's deliveries never show) and its export
is audited."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ansinh.core.models import AuditEvent

from .helpers import approved_round, deliver


def _rows(response):
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_programme_list_filters_by_kind_and_exports(personas, client_for):
    client = client_for(personas.officer_hoankiem)
    loans = client.get(reverse("programmes:programme_list"), {"kind": "loan"})
    assert [p.code for p in loans.context["programmes"]] == ["VON_VAY_NHCSXH"]
    export = client.get(reverse("programmes:programme_list"), {"kind": "loan", "export": "xlsx"})
    rows = _rows(export)
    assert rows[0][:3] == ("Mã", "Chương trình", "Hình thức")
    assert [row[0] for row in rows[1:]] == ["VON_VAY_NHCSXH"]


def test_round_list_filters_and_exports(personas, client_for, staff, leader, world):
    round_ = approved_round(personas, staff, leader)
    client = client_for(personas.officer_hoankiem)
    assert (
        client.get(reverse("programmes:round_list"), {"programme": "DAY_NGHE"})
        .context["page"]
        .paginator.count
        == 0
    )
    found = client.get(reverse("programmes:round_list"), {"programme": "QUA_TET", "q": "Tết"})
    assert [r.pk for r in found.context["page"]] == [round_.pk]
    rows = _rows(client.get(reverse("programmes:round_list"), {"export": "xlsx"}))
    assert [(row[0], row[1], row[8]) for row in rows[1:]] == [
        (round_.pk, "Quà Tết 2027", "Đã phê duyệt")
    ]


def test_delivery_list_keeps_the_scope_filters_dates_and_audits_export(
    personas, client_for, staff, leader, world
):
    round_ = approved_round(personas, staff, leader)
    today = timezone.localdate()
    deliver(personas.officer_hoankiem, round_.entitlements.get(person=world.hk_old[0]), today)
    deliver(
        personas.officer_hoankiem,
        round_.entitlements.get(person=world.hk_old[1]),
        today - dt.timedelta(days=3),
    )
    deliver(personas.officer_donganh, round_.entitlements.get(person=world.da_old[0]), today)
    client = client_for(personas.officer_hoankiem)
    url = reverse("programmes:delivery_list")
    listing = client.get(url)
    assert [d.person for d in listing.context["page"]] == [world.hk_old[0], world.hk_old[1]]
    recent = client.get(url, {"from": (today - dt.timedelta(days=1)).strftime("%d/%m/%Y")})
    assert [d.person for d in recent.context["page"]] == [world.hk_old[0]]
    by_round = client.get(url, {"round": round_.pk, "q": "hoan kiem 1"})
    assert [d.person for d in by_round.context["page"]] == [world.hk_old[1]]
    bad = client.get(url, {"from": "31/02/2026"})
    assert bad.context["page"].paginator.count == 2  # the bad date is ignored, and said so
    assert "Ngày “31/02/2026” không hợp lệ (dd/mm/yyyy)." in bad.content.decode()
    rows = _rows(client.get(url, {"export": "xlsx"}))
    assert [row[2] for row in rows[1:]] == ["Cụ Hoàn Kiếm 0", "Cụ Hoàn Kiếm 1"]
    event = AuditEvent.objects.get(action="export", object_type="programmes.delivery")
    assert event.changes["count"] == 2
    viewer = client_for(personas.aggregate_viewer)
    assert viewer.get(url).status_code == 404
