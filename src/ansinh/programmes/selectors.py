"""Reads of the programmes module: support a person received, candidate lists and the
"who has been left behind" figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ansinh.geo.models import AdminUnit
from ansinh.registry.models import Need, Person, PersonVulnerability, VulnerabilityCategory

from .hooks import months_before
from .models import (
    Delivery,
    Entitlement,
    JobReferral,
    LoanFacilitation,
    Programme,
    ProgrammeReach,
    Round,
    Sponsorship,
    SponsorshipPayment,
    TrainingCourse,
    TrainingEnrolment,
)


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


def reached(today: dt.date, months: int, person_ref="pk") -> Q:
    """A delivery to the (outer) person, or a logged month of sponsorship support to her, in
    the last `months` months (0: ever)."""
    payments = SponsorshipPayment.objects.filter(
        paid_on__lte=today, reverses__isnull=True, reversal__isnull=True
    )
    if months:
        payments = payments.filter(paid_on__gte=months_before(today, months))
    return Q(Exists(_window(today, months).filter(person=OuterRef(person_ref)))) | Q(
        Exists(payments.filter(sponsorship__child=OuterRef(person_ref)))
    )


def _window(today: dt.date, months: int) -> QuerySet:
    deliveries = Delivery.objects.filter(delivered_on__lte=today)
    if months:
        deliveries = deliveries.filter(delivered_on__gte=months_before(today, months))
    return deliveries


def _from_reach(today: dt.date) -> bool:
    """The reach tables answer "reached in the months up to `today`" exactly when no
    delivery can be later than `today` (deliveries are never dated after the day they are
    recorded): for today and later. A question about a past day reads the deliveries."""
    return today >= timezone.localdate()


def reached_condition(today: dt.date, months: int, prefix: str = ""):
    """A filter on people (or on rows with a person under `prefix`, e.g. "person__") true
    when the person was reached in the last `months` months up to `today` (0: ever)."""
    if _from_reach(today):
        if months:
            return Q(**{f"{prefix}reach__last_reached_on__gte": months_before(today, months)})
        return Q(**{f"{prefix}reach__isnull": False})
    return reached(today, months, prefix.removesuffix("__") or "pk")


def _programme_rows(today: dt.date, months: int) -> tuple[QuerySet, bool]:
    """(rows with person_id and programme_id for the reaches in the window, whether a person
    can appear twice for a programme)."""
    if _from_reach(today):
        rows = ProgrammeReach.objects.all()
        if months:
            rows = rows.filter(last_reached_on__gte=months_before(today, months))
        return rows, False
    return _window(today, months), True


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
    their reached flag (a join to the one-row-per-person reach table) are computed once (a
    materialised CTE) and grouped three ways."""
    vulnerable = vulnerable_people(people, today)
    condition = reached_condition(today, months)
    programme_rows, repeated = _programme_rows(today, months)
    if connection.vendor == "postgresql":
        base = (
            vulnerable.annotate(reached_flag=ExpressionWrapper(condition, BooleanField()))
            .values_list("pk", "household__commune_id", "reached_flag")
            .order_by()
        )
        base_sql, base_params = base.query.sql_with_params()
        rows_sql, rows_params = (
            programme_rows.values_list("programme_id", "person_id")
            .order_by()
            .query.sql_with_params()
        )
        links = PersonVulnerability._meta.db_table
        categories = VulnerabilityCategory._meta.db_table
        people_count = "COUNT(DISTINCT r.person_id)" if repeated else "COUNT(*)"
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
            SELECT 'p', r.programme_id, {people_count}, 0
              FROM ({rows_sql}) r (programme_id, person_id) JOIN v ON v.id = r.person_id
             GROUP BY r.programme_id
        """  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [*base_params, today, today, *rows_params])
            rows = cursor.fetchall()
        grouped = [(key, total, hit) for kind, key, total, hit in rows if kind == "c"]
        per_category = [(key, total, hit) for kind, key, total, hit in rows if kind == "k"]
        per_programme = {key: total for kind, key, total, _hit in rows if kind == "p"}
        return grouped, per_category, per_programme
    grouped = list(
        vulnerable.values_list("household__commune")
        .annotate(total=Count("pk"), reached=Count("pk", filter=condition))
        .order_by()
    )
    per_category = list(
        _open_links(today)
        .filter(person__in=vulnerable.values("pk"))
        .values_list("category")
        .annotate(
            total=Count("person", distinct=True),
            reached=Count(
                "person", distinct=True, filter=reached_condition(today, months, "person__")
            ),
        )
        .order_by()
    )
    per_programme = dict(
        programme_rows.filter(person__in=vulnerable.values("pk"))
        .values_list("programme")
        .annotate(people=Count("person", distinct=repeated))
        .order_by()
    )
    return grouped, per_category, per_programme


def left_behind(*, people: QuerySet, today: dt.date, months: int) -> LeftBehind:
    """Registered active vulnerable people of `people` (a scoped queryset) against those who
    received a delivery in the last `months` months, in total, by commune, by category (a
    person counts once in each of her open categories) and by programme. The live
    computation; the view reads `left_behind_for` (the maintained facts on PostgreSQL)."""
    return _assemble(*_counts(people, today, months))


def _scope_sql(paths, column: str = "scope_path") -> tuple[str, list]:
    """A condition on `column` for scope paths (`ALL` or a list), as (sql, params)."""
    from ansinh.accounts.permissions import ALL

    if paths is ALL:
        return "TRUE", []
    if not paths:
        return "FALSE", []
    escaped = [p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for p in paths]
    return "(" + " OR ".join([f"{column} LIKE %s"] * len(paths)) + ")", [f"{p}%" for p in escaped]


def _facts_ready(today: dt.date) -> bool:
    from .facts import available

    return available() and _from_reach(today)


_FACT_CATS = """CASE WHEN f0.volatile THEN ARRAY(
        SELECT DISTINCT pv.category_id FROM registry_personvulnerability pv
          JOIN registry_vulnerabilitycategory vc ON vc.id = pv.category_id AND NOT vc.is_sensitive
         WHERE pv.person_id = f0.person_id
           AND (pv.since IS NULL OR pv.since <= %s) AND (pv.until IS NULL OR pv.until >= %s))
    ELSE f0.cats END"""


def _fact_reached(months: int, today: dt.date) -> tuple[str, list]:
    if months:
        return "COALESCE(f0.last_reached_on >= %s, FALSE)", [months_before(today, months)]
    return "f0.last_reached_on IS NOT NULL", []


def _fact_counts(paths, today: dt.date, months: int):
    """`_counts` from the maintained facts table (PostgreSQL, `today` from today on): two
    (parallel) scans of the rows in scope, no joins, no DISTINCT (a row is a person, her
    categories are distinct). The few people whose categories depend on the day
    (`volatile`, a partial index) are read in a second statement with their categories
    asked live, and added in Python."""
    from collections import Counter

    from .facts import TABLE

    scope, scope_params = _scope_sql(paths, "f0.scope_path")
    reached_sql, reached_params = _fact_reached(months, today)
    since = months_before(today, months) if months else None
    programme_ids = list(Programme.objects.order_by("pk").values_list("pk", flat=True))
    # By programme: one FILTER per programme in the by-commune scan (an array lookup per row
    # is cheaper than unnesting every row's programmes); by category: unnest the categories
    # (PostgreSQL memoises it, the arrays repeat). One statement, so one snapshot.
    if months:
        in_programme = "f0.prog_last[array_position(f0.prog_ids, %s::bigint)] >= %s"
        programme_params = [value for pk in programme_ids for value in (pk, since)]
    else:
        in_programme = "array_position(f0.prog_ids, %s::bigint) IS NOT NULL"
        programme_params = list(programme_ids)
    per_programme_sql = "".join(
        f", COUNT(*) FILTER (WHERE {in_programme})" for _pk in programme_ids
    )
    zeros = ", 0" * len(programme_ids)
    # Only the table name and fixed fragments are interpolated; values are bound.
    sql = f"""
        SELECT 'c', f0.commune_id, COUNT(*), COUNT(*) FILTER (WHERE {reached_sql})
               {per_programme_sql}
          FROM {TABLE} f0 WHERE NOT f0.volatile AND {scope} GROUP BY f0.commune_id
        UNION ALL
        SELECT 'k', k, COUNT(*), COUNT(*) FILTER (WHERE {reached_sql}) {zeros}
          FROM {TABLE} f0, unnest(f0.cats) k WHERE NOT f0.volatile AND {scope} GROUP BY k
    """  # noqa: S608
    params = [
        *reached_params,
        *programme_params,
        *scope_params,
        *reached_params,
        *scope_params,
    ]
    volatile_sql = f"""
        SELECT f0.commune_id, {_FACT_CATS}, {reached_sql}, f0.prog_ids, f0.prog_last
          FROM {TABLE} f0 WHERE f0.volatile AND {scope}
    """  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        # The plan is a few scans of one narrow table: compiling it (JIT) costs more than
        # it saves.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.execute(volatile_sql, [today, today, *reached_params, *scope_params])
        volatile = cursor.fetchall()
    counts: dict[tuple[str, object], Counter] = {}
    for kind, key, total, hit, *programmes in rows:
        counts[(kind, key)] = Counter(total=total, hit=hit)
        for pk, people in zip(programme_ids, programmes, strict=True):
            if kind == "c" and people:
                counts.setdefault(("p", pk), Counter()).update(total=people)
    for commune_id, cats, hit, prog_ids, prog_last in volatile:
        if not cats:
            continue
        keys = [("c", commune_id)] + [("k", k) for k in cats]
        if hit:
            keys += [
                ("p", pid)
                for pid, last in zip(prog_ids, prog_last, strict=True)
                if since is None or last >= since
            ]
        for key in keys:
            counts.setdefault(key, Counter()).update(total=1, hit=int(hit and key[0] != "p"))
    grouped = [(key, c["total"], c["hit"]) for (kind, key), c in counts.items() if kind == "c"]
    per_category = [(key, c["total"], c["hit"]) for (kind, key), c in counts.items() if kind == "k"]
    per_programme = {key: c["total"] for (kind, key), c in counts.items() if kind == "p"}
    return grouped, per_category, per_programme


def left_behind_for(*, user, today: dt.date, months: int) -> LeftBehind:
    """The figures of `left_behind` for the people `user` may count: from the maintained
    facts on PostgreSQL (same numbers, ADR 0007), live elsewhere and for past days."""
    if _facts_ready(today):
        from ansinh.accounts.permissions import scope_paths
        from ansinh.core.scoping import permission_name

        paths = scope_paths(user, permission_name(Person, "count"))
        return _assemble(*_fact_counts(paths, today, months))
    return left_behind(people=Person.objects.restrict(user, "count"), today=today, months=months)


def _assemble(grouped, per_category, per_programme) -> LeftBehind:
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


def _with_details(people: QuerySet, today: dt.date) -> QuerySet:
    from django.db.models import Prefetch

    return people.select_related("household__commune").prefetch_related(
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


def unreached_people(*, people: QuerySet, today: dt.date, months: int) -> QuerySet:
    """Vulnerable people of `people` with no delivery in the window, with their open needs."""
    return _with_details(
        vulnerable_people(people, today).exclude(reached_condition(today, months)), today
    ).order_by("household__commune__name", "name_folded", "pk")


class UnreachedRows:
    """The people of `unreached_people` for the paginator, read from the facts table in the
    list's order (commune name, folded name, id): a page costs an index walk and one fetch
    of its people, the count is the figures' own when the scopes agree."""

    def __init__(self, *, paths, today: dt.date, months: int, count: int | None = None):
        self.paths, self.today, self.months, self._count = paths, today, months, count

    def _where(self) -> tuple[str, list]:
        scope, scope_params = _scope_sql(self.paths, "f0.scope_path")
        reached_sql, reached_params = _fact_reached(self.months, self.today)
        return (
            f"{scope} AND NOT {reached_sql} AND cardinality({_FACT_CATS}) > 0",
            [*scope_params, *reached_params, self.today, self.today],
        )

    def count(self) -> int:
        if self._count is None:
            from .facts import TABLE

            where, params = self._where()
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {TABLE} f0 WHERE {where}", params)  # noqa: S608
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        from .facts import TABLE

        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        if stop <= start:
            return []
        where, params = self._where()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT f0.person_id FROM {TABLE} f0 WHERE {where} "  # noqa: S608
                "ORDER BY f0.commune_name, f0.name_folded, f0.person_id LIMIT %s OFFSET %s",
                [*params, stop - start, start],
            )
            ids = [row[0] for row in cursor.fetchall()]
        people = {p.pk: p for p in _with_details(Person.objects.filter(pk__in=ids), self.today)}
        return [people[pk] for pk in ids if pk in people]


def unreached_rows(*, user, today: dt.date, months: int, figures: LeftBehind | None = None):
    """What the left-behind view pages through: `UnreachedRows` on PostgreSQL from today on,
    the live queryset elsewhere. `figures` (the user's counted figures) give the count when
    her viewing and counting scopes are the same."""
    if not _facts_ready(today):
        return unreached_people(
            people=Person.objects.restrict(user, "view"), today=today, months=months
        )
    from ansinh.accounts.permissions import scope_paths
    from ansinh.core.scoping import permission_name

    paths = scope_paths(user, permission_name(Person, "view"))
    same = figures is not None and paths == scope_paths(user, permission_name(Person, "count"))
    return UnreachedRows(
        paths=paths, today=today, months=months, count=figures.unreached if same else None
    )


# -- loans, training, job referrals ------------------------------------------------------


def _name_filter(rows: QuerySet, q: str, field: str = "person__name_folded") -> QuerySet:
    if q:
        from ansinh.core.text import fold

        rows = rows.filter(**{f"{field}__contains": fold(q)})
    return rows


def loan_list(*, user, q: str = "", status: str = "", bank: str = "") -> QuerySet:
    rows = (
        LoanFacilitation.objects.restrict(user, "view")
        .select_related("person__household__commune")
        .order_by("-applied_on", "-id")
    )
    if status:
        rows = rows.filter(status=status)
    if bank:
        rows = rows.filter(bank=bank)
    return _name_filter(rows, q)


def course_list(*, user, q: str = "", year: int | None = None) -> QuerySet:
    rows = (
        TrainingCourse.objects.restrict(user, "view")
        .select_related("unit")
        .annotate(
            enrolled=Count("enrolments", distinct=True),
            finished=Count("enrolments", filter=Q(enrolments__completed=True), distinct=True),
        )
        .order_by("-starts_on", "-id")
    )
    if year:
        rows = rows.filter(starts_on__year=year)
    if q:
        rows = rows.filter(
            Q(title__icontains=q) | Q(occupation__icontains=q) | Q(provider__icontains=q)
        )
    return rows


def enrolment_list(
    *, user, course: TrainingCourse, q: str = "", completed: str = "", outcome: str = ""
) -> QuerySet:
    """The course's participants the user may see (her scope), filtered."""
    rows = (
        TrainingEnrolment.objects.restrict(user, "view")
        .filter(course=course)
        .select_related("person__household__commune")
        .order_by("person__name_folded", "id")
    )
    if completed in ("1", "0"):
        rows = rows.filter(completed=completed == "1")
    if outcome:
        rows = rows.filter(Q(outcome_3m=outcome) | Q(outcome_6m=outcome))
    return _name_filter(rows, q)


def referral_list(*, user, q: str = "", outcome: str = "") -> QuerySet:
    rows = (
        JobReferral.objects.restrict(user, "view")
        .select_related("person__household__commune")
        .order_by("-referred_on", "-id")
    )
    if outcome:
        rows = rows.filter(outcome=outcome)
    if q:
        from ansinh.core.text import fold

        rows = rows.filter(
            Q(person__name_folded__contains=fold(q))
            | Q(employer__icontains=q)
            | Q(position__icontains=q)
        )
    return rows


def person_livelihood(*, user, person: Person) -> dict:
    """A person's loans, training and job referrals (for her page), through the user's scope."""
    return {
        "loans": list(
            LoanFacilitation.objects.restrict(user, "view")
            .filter(person=person)
            .order_by("-applied_on", "-id")
        ),
        "enrolments": list(
            TrainingEnrolment.objects.restrict(user, "view")
            .filter(person=person)
            .select_related("course")
            .order_by("-course__starts_on", "-id")
        ),
        "referrals": list(
            JobReferral.objects.restrict(user, "view")
            .filter(person=person)
            .order_by("-referred_on", "-id")
        ),
    }


def sponsorship_list(*, user, q: str = "", status: str = "", sponsor: str = "") -> QuerySet:
    """Sponsorships the user may see, with the months logged and the money given so far."""
    rows = (
        Sponsorship.objects.restrict(user, "view")
        .select_related("sponsor", "child__household__commune", "programme")
        .annotate(
            given=Coalesce(Sum("payments__amount"), 0),
            last_month=Max("payments__month", filter=Q(payments__reverses__isnull=True)),
        )
        .order_by("-starts_on", "-id")
    )
    if status == "active":
        rows = rows.filter(ends_on__isnull=True)
    elif status == "ended":
        rows = rows.filter(ends_on__isnull=False)
    rows = _name_filter(rows, sponsor, "sponsor__name_folded")
    return _name_filter(rows, q, "child__name_folded")


def sponsorship_months(*, sponsorship: Sponsorship) -> list[dict]:
    """The sponsorship's payment lines, oldest month first, each with whether it was reversed."""
    lines = list(
        sponsorship.payments.select_related("recorded_by", "reverses").order_by("month", "id")
    )
    reversed_ids = {line.reverses_id for line in lines if line.reverses_id}
    return [{"line": line, "is_reversed": line.pk in reversed_ids} for line in lines]


def person_sponsorships(*, user, person: Person) -> list[Sponsorship]:
    """A child's sponsorships (for her page), with the money given so far."""
    return list(
        Sponsorship.objects.restrict(user, "view")
        .filter(child=person)
        .select_related("sponsor")
        .annotate(
            given=Coalesce(Sum("payments__amount"), 0),
            months=Count(
                "payments",
                filter=Q(payments__reverses__isnull=True, payments__reversal__isnull=True),
            ),
        )
        .order_by("-starts_on", "-id")
    )


def round_list(
    *, user, status: str = "", programme: str = "", year: int | None = None, q: str = ""
) -> QuerySet:
    """Rounds the user may see, newest first, with how many were listed and delivered."""
    rows = (
        Round.objects.restrict(user, "view")
        .select_related("programme", "unit")
        .order_by("-created_at", "-id")
    )
    if status:
        rows = rows.filter(status=status)
    if programme:
        rows = rows.filter(programme__code=programme)
    if year:
        rows = rows.filter(created_at__year=year)
    if q:
        rows = rows.filter(title__icontains=q)
    return rows


def delivery_list(
    *,
    user,
    programme: str = "",
    round_id: int | None = None,
    commune: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
    q: str = "",
) -> QuerySet:
    """Deliveries the user may see (her scope's people), newest first."""
    rows = (
        Delivery.objects.restrict(user, "view")
        .select_related(
            "person__household__commune", "programme", "entitlement__round", "deliverer"
        )
        .order_by("-delivered_on", "-id")
    )
    if programme:
        rows = rows.filter(programme__code=programme)
    if round_id:
        rows = rows.filter(entitlement__round_id=round_id)
    if commune:
        rows = rows.filter(person__household__commune__code=commune)
    if start:
        rows = rows.filter(delivered_on__gte=start)
    if end:
        rows = rows.filter(delivered_on__lte=end)
    return _name_filter(rows, q)
