"""Reads of the outreach module; every query starts from `restrict(user, action)`.

Lists take a filters dict (cleaned by the filter forms of `forms.py`): keys that are missing or
empty do not filter. Totals use the `count` action, so an aggregate viewer gets the numbers and
never a list.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from ansinh.registry.models import Person

from .models import (
    Commendation,
    CommunicationActivity,
    CommunityModel,
)


def _in_unit(queryset: QuerySet, unit, field: str = "unit__path") -> QuerySet:
    return queryset.filter(**{f"{field}__startswith": unit.path}) if unit is not None else queryset


def activity_list(*, user, filters: dict | None = None, action: str = "view") -> QuerySet:
    filters = filters or {}
    activities = CommunicationActivity.objects.restrict(user, action).select_related(
        "unit", "topic"
    )
    activities = _in_unit(activities, filters.get("unit"))
    if filters.get("channel"):
        activities = activities.filter(channel=filters["channel"])
    if filters.get("topic"):
        activities = activities.filter(topic=filters["topic"])
    if filters.get("date_from"):
        activities = activities.filter(held_on__gte=filters["date_from"])
    if filters.get("date_to"):
        activities = activities.filter(held_on__lte=filters["date_to"])
    return activities.order_by("-held_on", "-pk")


def _totals(queryset: QuerySet, by: str) -> list[dict]:
    return list(
        queryset.values(by)
        .annotate(
            sessions=Count("pk"),
            participants=Coalesce(Sum("participants"), 0),
            reach=Coalesce(Sum("reach"), 0),
        )
        .order_by(by)
    )


def activity_totals(*, user, filters: dict | None = None) -> dict:
    """Sessions, people present and online reach by channel and by topic, in the user's
    scope (`count` action), for the filters given."""
    activities = activity_list(user=user, filters=filters, action="count").order_by()
    labels = dict(CommunicationActivity.Channel.choices)
    by_channel = []
    for row in _totals(activities, "channel"):
        row["label"] = labels.get(row["channel"], row["channel"])
        row["total"] = row["participants"] + row["reach"]
        by_channel.append(row)
    by_topic = []
    for row in _totals(activities, "topic__name"):
        row["label"] = row["topic__name"]
        row["total"] = row["participants"] + row["reach"]
        by_topic.append(row)
    overall = {
        key: sum(row[key] for row in by_channel)
        for key in ("sessions", "participants", "reach", "total")
    }
    return {"by_channel": by_channel, "by_topic": by_topic, "overall": overall}


def community_model_list(*, user, filters: dict | None = None, action: str = "view") -> QuerySet:
    filters = filters or {}
    models = (
        CommunityModel.objects.restrict(user, action)
        .select_related("unit", "kind", "copied_from__unit")
        .annotate(copies_count=Count("copies", distinct=True))
    )
    models = _in_unit(models, filters.get("unit"))
    if filters.get("kind"):
        models = models.filter(kind=filters["kind"])
    if filters.get("status"):
        models = models.filter(status=filters["status"])
    if filters.get("replicated"):
        models = models.filter(copied_from__isnull=False)
    if filters.get("q"):
        models = models.filter(name__icontains=filters["q"])
    return models.order_by("-established_on", "-pk")


def community_model_totals(*, user) -> list[dict]:
    """Models by kind and status in the user's scope (`count`)."""
    return list(
        CommunityModel.objects.restrict(user, "count")
        .values("kind__name")
        .annotate(
            total=Count("pk"),
            active=Count("pk", filter=Q(status=CommunityModel.Status.ACTIVE)),
            paused=Count("pk", filter=Q(status=CommunityModel.Status.PAUSED)),
            dissolved=Count("pk", filter=Q(status=CommunityModel.Status.DISSOLVED)),
            replicated=Count("pk", filter=Q(copied_from__isnull=False)),
            members=Coalesce(Sum("members_count"), 0),
        )
        .order_by("kind__name")
    )


def replication_sources(*, exclude_unit=None) -> QuerySet:
    """Models another unit may record as the one it copied: every model that is not
    dissolved, across scopes (only names and units are shown; see the models' docstring)."""
    sources = CommunityModel.objects.exclude(status=CommunityModel.Status.DISSOLVED).select_related(
        "unit", "kind"
    )
    if exclude_unit is not None:
        sources = sources.exclude(unit=exclude_unit)
    return sources.order_by("kind__order", "name", "pk")


def commendation_list(*, user, filters: dict | None = None, action: str = "view") -> QuerySet:
    filters = filters or {}
    items = Commendation.objects.restrict(user, action).select_related(
        "unit", "recipient_unit", "recipient_model__unit", "recipient_person"
    )
    items = _in_unit(items, filters.get("unit"))
    if filters.get("level"):
        items = items.filter(level=filters["level"])
    if filters.get("form"):
        items = items.filter(form=filters["form"])
    kind = filters.get("recipient_kind")
    if kind == Commendation.RecipientKind.PERSON:
        items = items.filter(recipient_person__isnull=False)
    elif kind == Commendation.RecipientKind.UNIT:
        items = items.filter(recipient_unit__isnull=False)
    elif kind == Commendation.RecipientKind.MODEL:
        items = items.filter(recipient_model__isnull=False)
    if filters.get("date_from"):
        items = items.filter(awarded_on__gte=filters["date_from"])
    if filters.get("date_to"):
        items = items.filter(awarded_on__lte=filters["date_to"])
    return items.order_by("-awarded_on", "-pk")


def commendation_totals(*, user) -> list[dict]:
    return list(
        Commendation.objects.restrict(user, "count")
        .values("level")
        .annotate(
            total=Count("pk"),
            people=Count("pk", filter=Q(recipient_person__isnull=False)),
            units=Count("pk", filter=Q(recipient_unit__isnull=False)),
            models=Count("pk", filter=Q(recipient_model__isnull=False)),
        )
        .order_by("level")
    )


def visible_person_ids(*, user, person_ids) -> set[int]:
    """Which of these registered people `user` may see in the registry."""
    ids = {pk for pk in person_ids if pk}
    if not ids:
        return set()
    return set(
        Person.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True)
    )


def person_commendations(*, user, person) -> QuerySet:
    """Commendations of one person (for the person page), in the user's scope."""
    return Commendation.objects.restrict(user, "view").filter(recipient_person=person)
