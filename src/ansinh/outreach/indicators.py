"""Report figures computed from the outreach data (see ansinh.core.indicators), grouped by the
path of the unit each record belongs to."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ansinh.core.indicators import indicator

from .models import (
    Commendation,
    CommunicationActivity,
    CommunityModel,
    CommunityModelStatusChange,
)

ACTIVITY_DIMENSIONS = {"channel": "channel", "topic": "topic__code"}


def _grouped(queryset, path: str, by_field: str | None, value) -> dict:
    fields = [path] + ([by_field] if by_field else [])
    rows = queryset.values(*fields).annotate(n=value).order_by()
    if by_field:
        return {(row[path], row[by_field]): row["n"] for row in rows if row["n"]}
    return {row[path]: row["n"] for row in rows if row["n"]}


def _activities(start, end):
    return CommunicationActivity.objects.filter(held_on__gte=start, held_on__lte=end)


@indicator(
    code="COMMUNICATION_SESSIONS",
    name=_("Số cuộc, bài tuyên truyền"),
    unit=_("cuộc"),
    dimensions=("channel", "topic"),
)
def communication_sessions(*, start, end, by=None) -> dict:
    return _grouped(_activities(start, end), "unit__path", ACTIVITY_DIMENSIONS.get(by), Count("pk"))


@indicator(
    code="COMMUNICATION_REACHED",
    name=_("Số lượt người được tuyên truyền (trực tiếp và trực tuyến)"),
    unit=_("lượt người"),
    dimensions=("channel", "topic"),
)
def communication_reached(*, start, end, by=None) -> dict:
    reached = Coalesce(Sum("participants"), Value(0)) + Coalesce(Sum("reach"), Value(0))
    return _grouped(_activities(start, end), "unit__path", ACTIVITY_DIMENSIONS.get(by), reached)


@indicator(
    code="COMMUNITY_MODELS_ACTIVE",
    name=_("Số mô hình đang hoạt động"),
    unit=_("mô hình"),
    snapshot=True,
    dimensions=("kind",),
)
def community_models_active(*, start, end, by=None) -> dict:
    """Models whose status standing at `end` (the latest change on or before it) is active."""
    status_at_end = (
        CommunityModelStatusChange.objects.filter(model=OuterRef("pk"), changed_on__lte=end)
        .order_by("-changed_on", "-pk")
        .values("to_status")[:1]
    )
    qs = CommunityModel.objects.filter(established_on__lte=end).annotate(
        status_at_end=Subquery(status_at_end)
    )
    qs = qs.filter(status_at_end=CommunityModel.Status.ACTIVE)
    return _grouped(qs, "unit__path", "kind__code" if by == "kind" else None, Count("pk"))


@indicator(
    code="COMMUNITY_MODELS_REPLICATED",
    name=_("Số mô hình được nhân rộng"),
    unit=_("mô hình"),
    dimensions=("kind",),
)
def community_models_replicated(*, start, end, by=None) -> dict:
    qs = CommunityModel.objects.filter(
        copied_from__isnull=False, established_on__gte=start, established_on__lte=end
    )
    return _grouped(qs, "unit__path", "kind__code" if by == "kind" else None, Count("pk"))


@indicator(
    code="COMMENDATIONS",
    name=_("Số lượt khen thưởng, tôn vinh"),
    unit=_("lượt"),
    dimensions=("level", "recipient_kind"),
)
def commendations(*, start, end, by=None) -> dict:
    qs = Commendation.objects.filter(awarded_on__gte=start, awarded_on__lte=end)
    if by == "recipient_kind":
        result: dict = {}
        for kind, field in (
            (Commendation.RecipientKind.PERSON, "recipient_person"),
            (Commendation.RecipientKind.UNIT, "recipient_unit"),
            (Commendation.RecipientKind.MODEL, "recipient_model"),
        ):
            part = _grouped(
                qs.filter(**{f"{field}__isnull": False}), "unit__path", None, Count("pk")
            )
            result.update({(path, str(kind)): n for path, n in part.items()})
        return result
    return _grouped(qs, "unit__path", "level" if by == "level" else None, Count("pk"))
