"""Reads of the programmes module: support a person received, candidate lists and the
"who has been left behind" figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from ansinh.geo.models import AdminUnit
from ansinh.registry.models import Need, Person, PersonVulnerability, VulnerabilityCategory

from .hooks import months_before
from .models import Delivery, Entitlement, Programme


def person_support(*, person: Person) -> list[Entitlement]:
    """Every round a person was on (newest first), with the delivery when there is one."""
    return list(
        Entitlement.objects.filter(person=person)
        .select_related("round__programme", "delivery")
        .order_by("-round__created_at", "-id")
    )


def candidates(*, round_, user, commune: str = "", status: str = "", q: str = "") -> QuerySet:
    """The round's list as the user may see it (her scope), filtered."""
    rows = (
        Entitlement.objects.restrict(user, "view")
        .filter(round=round_)
        .select_related("person__household__commune", "commune_unit", "delivery", "added_by")
        .order_by("commune_unit__name", "rank", "id")
    )
    if commune:
        rows = rows.filter(commune_unit__code=commune)
    if status:
        rows = rows.filter(status=status)
    if q:
        from ansinh.core.text import fold

        rows = rows.filter(person__name_folded__contains=fold(q))
    return rows


def open_vulnerability(today: dt.date, person_ref="pk") -> Exists:
    """An open, non-sensitive vulnerability of the (outer) person on `today`."""
    return Exists(
        PersonVulnerability.objects.filter(
            person=OuterRef(person_ref), category__is_sensitive=False
        )
        .filter(Q(since__isnull=True) | Q(since__lte=today))
        .filter(Q(until__isnull=True) | Q(until__gte=today))
    )


def reached(today: dt.date, months: int, person_ref="pk") -> Exists:
    """A delivery to the (outer) person in the last `months` months (0: ever)."""
    return Exists(_window(today, months).filter(person=OuterRef(person_ref)))


def _window(today: dt.date, months: int) -> QuerySet:
    deliveries = Delivery.objects.filter(delivered_on__lte=today)
    if months:
        deliveries = deliveries.filter(delivered_on__gte=months_before(today, months))
    return deliveries


def vulnerable_people(people: QuerySet, today: dt.date) -> QuerySet:
    return people.filter(status=Person.Status.ACTIVE).filter(open_vulnerability(today))


@dataclass
class LeftBehind:
    total: int
    reached: int
    by_commune: list[dict]
    by_category: list[dict]
    by_programme: list[dict]

    @property
    def unreached(self) -> int:
        return self.total - self.reached


def _with_share(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["unreached"] = row["total"] - row["reached"]
        row["share"] = round(100 * row["reached"] / row["total"], 1) if row["total"] else 0.0
    return rows


def _open_links(today: dt.date) -> QuerySet:
    return (
        PersonVulnerability.objects.filter(category__is_sensitive=False)
        .filter(Q(since__isnull=True) | Q(since__lte=today))
        .filter(Q(until__isnull=True) | Q(until__gte=today))
    )


def _counts(people: QuerySet, today: dt.date, months: int):
    """(commune_id, total, reached) rows, (category_id, total, reached) rows and
    {programme_id: people reached}. On PostgreSQL one statement: the vulnerable people and
    their reached flag are computed once (a materialised CTE) and grouped three ways."""
    vulnerable = vulnerable_people(people, today)
    flag = reached(today, months)
    if connection.vendor == "postgresql":
        base = (
            vulnerable.annotate(reached_flag=flag)
            .values_list("pk", "household__commune_id", "reached_flag")
            .order_by()
        )
        base_sql, base_params = base.query.sql_with_params()
        links = PersonVulnerability._meta.db_table
        categories = VulnerabilityCategory._meta.db_table
        deliveries = Delivery._meta.db_table
        window = "d.delivered_on <= %s"
        window_params: list = [today]
        if months:
            window += " AND d.delivered_on >= %s"
            window_params.append(months_before(today, months))
        # Only table names from the models' metadata and Django's own compiled SQL are
        # interpolated; every value is a bound parameter.
        sql = f"""
            WITH v (id, commune_id, reached) AS MATERIALIZED ({base_sql})
            SELECT 'c', commune_id, COUNT(*), COUNT(*) FILTER (WHERE reached)
              FROM v GROUP BY commune_id
            UNION ALL
            SELECT 'k', pv.category_id, COUNT(DISTINCT v.id),
                   COUNT(DISTINCT v.id) FILTER (WHERE v.reached)
              FROM v JOIN {links} pv ON pv.person_id = v.id
              JOIN {categories} c ON c.id = pv.category_id AND NOT c.is_sensitive
             WHERE (pv.since IS NULL OR pv.since <= %s) AND (pv.until IS NULL OR pv.until >= %s)
             GROUP BY pv.category_id
            UNION ALL
            SELECT 'p', d.programme_id, COUNT(DISTINCT d.person_id), 0
              FROM {deliveries} d JOIN v ON v.id = d.person_id
             WHERE {window}
             GROUP BY d.programme_id
        """  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [*base_params, today, today, *window_params])
            rows = cursor.fetchall()
        grouped = [(key, total, hit) for kind, key, total, hit in rows if kind == "c"]
        per_category = [(key, total, hit) for kind, key, total, hit in rows if kind == "k"]
        per_programme = {key: total for kind, key, total, _hit in rows if kind == "p"}
        return grouped, per_category, per_programme
    grouped = list(
        vulnerable.values_list("household__commune")
        .annotate(total=Count("pk"), reached=Count("pk", filter=flag))
        .order_by()
    )
    per_category = list(
        _open_links(today)
        .filter(person__in=vulnerable.values("pk"))
        .values_list("category")
        .annotate(
            total=Count("person", distinct=True),
            reached=Count("person", distinct=True, filter=reached(today, months, "person")),
        )
        .order_by()
    )
    per_programme = dict(
        _window(today, months)
        .filter(person__in=vulnerable.values("pk"))
        .values_list("programme")
        .annotate(people=Count("person", distinct=True))
        .order_by()
    )
    return grouped, per_category, per_programme


def left_behind(*, people: QuerySet, today: dt.date, months: int) -> LeftBehind:
    """Registered active vulnerable people of `people` (a scoped queryset) against those who
    received a delivery in the last `months` months, in total, by commune, by category (a
    person counts once in each of her open categories) and by programme."""
    grouped, per_category, per_programme = _counts(people, today, months)
    totals = {
        "total": sum(row[1] for row in grouped),
        "reached": sum(row[2] for row in grouped),
    }
    communes = {
        pk: (code, name)
        for pk, code, name in AdminUnit.objects.filter(
            pk__in=[row[0] for row in grouped]
        ).values_list("pk", "code", "name")
    }
    by_commune = sorted(
        (
            {
                "household__commune__code": communes.get(pk, ("", ""))[0],
                "household__commune__name": communes.get(pk, ("", ""))[1],
                "total": total,
                "reached": reached_count,
            }
            for pk, total, reached_count in grouped
        ),
        key=lambda row: row["household__commune__name"],
    )
    categories = {
        pk: (code, name)
        for pk, code, name in VulnerabilityCategory.objects.filter(
            pk__in=[row[0] for row in per_category]
        ).values_list("pk", "code", "name")
    }
    by_category = sorted(
        (
            {
                "category__code": categories[pk][0],
                "category__name": categories[pk][1],
                "total": total,
                "reached": reached_count,
            }
            for pk, total, reached_count in per_category
        ),
        key=lambda row: row["category__name"],
    )
    by_programme = [
        {
            "code": programme.code,
            "name": programme.name,
            "total": totals["total"],
            "reached": per_programme.get(programme.pk, 0),
        }
        for programme in Programme.objects.order_by("order", "name")
        if programme.is_active or programme.pk in per_programme
    ]
    return LeftBehind(
        total=totals["total"],
        reached=totals["reached"],
        by_commune=_with_share(
            [
                {
                    "code": row["household__commune__code"],
                    "name": row["household__commune__name"],
                    "total": row["total"],
                    "reached": row["reached"],
                }
                for row in by_commune
            ]
        ),
        by_category=_with_share(
            [
                {
                    "code": row["category__code"],
                    "name": row["category__name"],
                    "total": row["total"],
                    "reached": row["reached"],
                }
                for row in by_category
            ]
        ),
        by_programme=_with_share(by_programme),
    )


def unreached_people(*, people: QuerySet, today: dt.date, months: int) -> QuerySet:
    """Vulnerable people of `people` with no delivery in the window, with their open needs."""
    from django.db.models import Prefetch

    return (
        vulnerable_people(people, today)
        .exclude(reached(today, months))
        .select_related("household__commune")
        .prefetch_related(
            Prefetch(
                "needs",
                queryset=Need.objects.filter(status=Need.Status.OPEN).select_related("category"),
                to_attr="open_needs_list",
            ),
            Prefetch(
                "vulnerabilities",
                queryset=PersonVulnerability.objects.filter(category__is_sensitive=False)
                .filter(Q(until__isnull=True) | Q(until__gte=today))
                .select_related("category"),
                to_attr="open_categories",
            ),
        )
        .order_by("household__commune__name", "name_folded", "pk")
    )
