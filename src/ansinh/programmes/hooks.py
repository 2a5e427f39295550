"""What the programmes module plugs into others: the `received(...)` rule function, the
"Hỗ trợ đã nhận" panel of the person page and the merge hook moving entitlements."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.rules.checker import BOOL, NUMBER, Choice, Option, Param, Signature


def months_before(today: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier (31 March − 1 month → 28/29 February)."""
    total = today.year * 12 + (today.month - 1) - int(months)
    year, month = divmod(total, 12)
    month += 1
    day = min(today.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def _programme_options() -> list[Option]:
    from .models import Programme

    return [Option(code, name) for code, name in Programme.objects.values_list("code", "name")]


PROGRAMME_CODE = Choice("choice", "mã chương trình", key="programme", options=_programme_options)

RECEIVED_SIGNATURE = Signature(
    (
        Param("code", PROGRAMME_CODE, label="mã chương trình"),
        Param("within_months", NUMBER, default=12, constant=True, label="số tháng"),
    ),
    BOOL,
    "Người đã nhận hỗ trợ của chương trình trong số tháng gần đây",
)


def _received_deliveries(code: str, months: int, today: dt.date):
    from .models import Delivery, Programme

    # The programme's id as a scalar subquery, not a join on its code: PostgreSQL then
    # scans the (programme, day, person) index alone and can share one hash of it between
    # its parallel workers (a parallel hash anti-join) instead of building a hash of a year
    # of deliveries in every worker. Still one statement; an unknown code matches nothing.
    return Delivery.objects.filter(
        programme_id=Subquery(Programme.objects.filter(code=code).values("pk")[:1]),
        delivered_on__gte=months_before(today, months),
        delivered_on__lte=today,
    )


def received_compile(arguments, *, today: dt.date):
    deliveries = _received_deliveries(arguments["code"], arguments["within_months"], today)
    return Exists(deliveries.filter(person=OuterRef("pk")))


def received_explain(person, arguments, *, today: dt.date):
    from .models import Programme

    code, months = arguments["code"], int(arguments["within_months"])
    name = Programme.objects.filter(code=code).values_list("name", flat=True).first() or code
    last = (
        _received_deliveries(code, months, today)
        .filter(person=person)
        .order_by("-delivered_on")
        .values_list("delivered_on", flat=True)
        .first()
    )
    if last is None:
        sentence = _("Đã nhận %(name)s trong %(months)s tháng gần đây (không có lần nào)") % {
            "name": name,
            "months": months,
        }
        return False, sentence
    sentence = _("Đã nhận %(name)s trong %(months)s tháng gần đây (lần gần nhất %(date)s)") % {
        "name": name,
        "months": months,
        "date": last.strftime("%d/%m/%Y"),
    }
    return True, sentence


def entitlements_merge(*, kept, merged) -> int:
    """Move the merged record's entitlements to the kept person. Where both are on the same
    round, the kept person's entitlement stays and the merged one's is removed with a reason
    (unless it was already delivered: then the kept one is removed and the delivered moves)."""
    from .models import Delivery, Entitlement

    moved = 0
    kept_rounds = {
        e.round_id: e for e in Entitlement.objects.filter(person=kept).select_related("delivery")
    }
    for entitlement in Entitlement.objects.filter(person=merged).order_by("id"):
        twin = kept_rounds.get(entitlement.round_id)
        if twin is not None:
            delivered = entitlement.status == Entitlement.Status.DELIVERED
            if delivered and twin.status != Entitlement.Status.DELIVERED:
                twin.delete()
            else:
                entitlement.status = Entitlement.Status.REMOVED
                entitlement.reason = _("Hồ sơ trùng, đã gộp vào hồ sơ %(pk)s") % {"pk": kept.pk}
                entitlement.save(update_fields=["status", "reason"])
                continue
        entitlement.person = kept
        entitlement.save(update_fields=["person"])
        moved += 1
    Delivery.objects.filter(person=merged).update(person=kept)
    from .reach import reach_refresh

    reach_refresh(person_ids=[kept.pk, merged.pk])
    return moved


def _panel_context(request, person):
    from .selectors import person_support

    return {"support": person_support(person=person)}


def _livelihood_context(request, person):
    from ansinh.accounts.permissions import has_permission

    from .selectors import person_livelihood

    return {
        **person_livelihood(user=request.user, person=person),
        "can_add_loan": has_permission(request.user, "programmes.add_loanfacilitation"),
        "can_add_referral": has_permission(request.user, "programmes.add_jobreferral"),
    }


def _sponsorship_context(request, person):
    from ansinh.accounts.permissions import has_permission

    from .selectors import person_sponsorships

    return {
        "sponsorships": person_sponsorships(user=request.user, person=person),
        "can_add": has_permission(request.user, "programmes.add_sponsorship"),
    }


def sponsorships_merge(*, kept, merged) -> int:
    """Move the merged record's sponsorships to the kept child. A sponsor who was sponsoring
    both records keeps the kept one's sponsorship; the merged one's is ended with a reason."""
    from django.utils import timezone

    from .models import Sponsorship

    moved = 0
    open_sponsors = set(
        Sponsorship.objects.filter(child=kept, ends_on__isnull=True).values_list(
            "sponsor_id", flat=True
        )
    )
    for item in Sponsorship.objects.filter(child=merged).order_by("id"):
        if item.ends_on is None and item.sponsor_id in open_sponsors:
            item.ends_on = max(timezone.localdate(), item.starts_on)
            item.end_reason = Sponsorship.EndReason.OTHER
            item.end_note = _("Hồ sơ trùng, đã gộp vào hồ sơ %(pk)s") % {"pk": kept.pk}
        item.child = kept
        item.save(update_fields=["child", "ends_on", "end_reason", "end_note"])
        moved += 1
    if moved:
        from .reach import reach_refresh

        reach_refresh(person_ids=[kept.pk, merged.pk])
    return moved


def _facts_bulk_begin() -> None:
    from django.db import connection

    from . import facts

    if facts.available():
        with connection.cursor() as cursor:
            facts.bulk(cursor)


def _facts_bulk_end(person_ids: list[int], bare_ids: set[int]) -> None:
    """A person has a facts row only through a vulnerability link (`facts`); one just
    created without any (`bare_ids`: most people of an import) had none and gets none, so
    only the others are refreshed (each one costs the database index lookups, ADR 0006)."""
    from . import facts

    facts.facts_refresh(person_ids=[pk for pk in person_ids if pk not in bare_ids])


def install() -> None:
    from ansinh.registry.merging import register_merge_hook
    from ansinh.registry.panels import register_panel
    from ansinh.rules.person import register_person_function

    register_person_function("received", RECEIVED_SIGNATURE, received_compile, received_explain)
    register_merge_hook(entitlements_merge)
    register_merge_hook(sponsorships_merge)
    # A registry import writes its people in bulk: the left-behind facts catch up once.
    from ansinh.registry.importing.commit import register_bulk_hook

    register_bulk_hook(begin=_facts_bulk_begin, end=_facts_bulk_end)
    register_panel(
        "programmes.support",
        title=gettext_lazy("Hỗ trợ đã nhận"),
        template="programmes/_person_panel.html",
        context=_panel_context,
        permission="programmes.view_entitlement",
        order=20,
    )
    register_panel(
        "programmes.livelihood",
        title=gettext_lazy("Vay vốn, học nghề, việc làm"),
        template="programmes/_livelihood_panel.html",
        context=_livelihood_context,
        permission="programmes.view_loanfacilitation",
        order=21,
    )
    register_panel(
        "programmes.sponsorship",
        title=gettext_lazy("Mẹ đỡ đầu"),
        template="programmes/_sponsorship_panel.html",
        context=_sponsorship_context,
        permission="programmes.view_sponsorship",
        order=22,
    )
