"""Registry search: one box for names, citizen IDs and phones, plus filters.

The box decides what it was given: a number (only digits and separators) is looked up exactly
as a citizen ID (11 digits = a 12-digit ID whose leading zero a spreadsheet dropped) and as a
phone number in E.164; anything else is a name. Names are matched on `name_folded` (accents,
case and đ folded away when the person is saved), syllable by syllable: every syllable of the
query must be present, each either exactly or as a vocabulary syllable one edit away
(Damerau–Levenshtein: one substitution, insertion, deletion or transposition), so "nguyen thi
hao" finds "Nguyễn Thị Hòa" and "nguyen hoa" finds "Nguyễn Thị Hoà". Results are ordered by
how many syllables matched exactly, then by closeness of the whole name.

PostgreSQL answers each syllable with a trigram-indexed regular expression on `name_folded`
(GIN, `gin_trgm_ops`) and ranks by `similarity()`; SQLite answers with an FTS5 MATCH. The
vocabulary of syllables is the small table `registry_name_token`, filled by triggers on both
databases. Why this shape, and what was measured: docs/adr/0004-registry-search.md.

The SQL that creates those structures is here too (`schema_install`), run by migration
0003_search.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.accounts.permissions import ALL, SENSITIVE_REGISTRY, has_permission, scope_paths
from ansinh.core.text import fold, normalize_text
from ansinh.core.validators import normalize_phone
from ansinh.org.models import UnionUnit

from .models import Household, Need, Person, PersonVulnerability, VulnerabilityCategory

PG_SYLLABLES = "regexp_split_to_array(name_folded, '[^[:alnum:]]+')"
PG_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # unaccent() is STABLE (it reads a dictionary that could change), so it cannot be used in
    # an index expression; this wrapper pins the dictionary and is declared IMMUTABLE.
    """CREATE OR REPLACE FUNCTION ansinh_unaccent(text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
    # Syllable index: every syllable of the folded name is a GIN key, and each syllable of a
    # query is one `&&` (overlap) condition, so GIN intersects them leapfrog-style, driven by
    # the rarest. (gin_trgm_ops and a tsvector index were measured first: see the ADR.)
    f"""CREATE INDEX IF NOT EXISTS registry_person_name_syllables
       ON registry_person USING gin ({PG_SYLLABLES})""",
    """CREATE TABLE IF NOT EXISTS registry_name_token (token varchar(150) PRIMARY KEY)""",
    """CREATE OR REPLACE FUNCTION registry_name_token_collect() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO registry_name_token (token)
           SELECT DISTINCT t
           FROM registry_new_people AS p,
                regexp_split_to_table(p.name_folded, '[^[:alnum:]]+') AS t
           WHERE t <> ''
         ON CONFLICT DO NOTHING;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER registry_person_name_token_ins AFTER INSERT ON registry_person
       REFERENCING NEW TABLE AS registry_new_people
       FOR EACH STATEMENT EXECUTE FUNCTION registry_name_token_collect()""",
    """CREATE TRIGGER registry_person_name_token_upd AFTER UPDATE ON registry_person
       REFERENCING NEW TABLE AS registry_new_people
       FOR EACH STATEMENT EXECUTE FUNCTION registry_name_token_collect()""",
    """INSERT INTO registry_name_token (token)
       SELECT DISTINCT t FROM registry_person AS p,
            regexp_split_to_table(p.name_folded, '[^[:alnum:]]+') AS t
       WHERE t <> '' ON CONFLICT DO NOTHING""",
]
PG_UNINSTALL = [
    "DROP TRIGGER IF EXISTS registry_person_name_token_ins ON registry_person",
    "DROP TRIGGER IF EXISTS registry_person_name_token_upd ON registry_person",
    "DROP FUNCTION IF EXISTS registry_name_token_collect()",
    "DROP TABLE IF EXISTS registry_name_token",
    "DROP INDEX IF EXISTS registry_person_name_syllables",
    "DROP FUNCTION IF EXISTS ansinh_unaccent(text)",
    # The extensions stay: other modules (dedupe) may use them, and dropping is not needed.
]

# The syllables of a folded name as a JSON array, for json_each() in a trigger (SQLite has no
# split function and triggers may not use recursive CTEs). Quotes and backslashes are
# escaped; a name that still is not valid JSON (control characters) adds no syllable rather
# than failing the insert.
_SQLITE_SPLIT = (
    "'[\"' || replace(replace(replace(replace(replace(replace({col}, '\\', ' '), '\"', ' '),"
    " '.', ' '), '-', ' '), ',', ' '), ' ', '\",\"') || '\"]'"
)


def _sqlite_token_insert(column: str) -> str:  # fixed SQL, no values
    # ruff: noqa: S608 - the SQL of this module is fixed text; values are always parameters
    split = _SQLITE_SPLIT.format(col=column)
    return (
        "INSERT OR IGNORE INTO registry_name_token (token) SELECT value FROM json_each("
        f"CASE WHEN json_valid({split}) THEN {split} ELSE '[]' END) WHERE value <> ''"
    )


SQLITE_TABLES = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS registry_person_fts USING fts5(
         name_folded, content='registry_person', content_rowid='id',
         tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TABLE IF NOT EXISTS registry_name_token (token TEXT PRIMARY KEY) WITHOUT ROWID""",
]
SQLITE_TRIGGERS = {
    "registry_person_fts_ai": f"""CREATE TRIGGER IF NOT EXISTS registry_person_fts_ai
       AFTER INSERT ON registry_person BEGIN
         INSERT INTO registry_person_fts (rowid, name_folded) VALUES (new.id, new.name_folded);
         {_sqlite_token_insert("new.name_folded")};
       END""",
    "registry_person_fts_ad": """CREATE TRIGGER IF NOT EXISTS registry_person_fts_ad
       AFTER DELETE ON registry_person BEGIN
         INSERT INTO registry_person_fts (registry_person_fts, rowid, name_folded)
           VALUES ('delete', old.id, old.name_folded);
       END""",
    "registry_person_fts_au": f"""CREATE TRIGGER IF NOT EXISTS registry_person_fts_au
       AFTER UPDATE OF name_folded ON registry_person BEGIN
         INSERT INTO registry_person_fts (registry_person_fts, rowid, name_folded)
           VALUES ('delete', old.id, old.name_folded);
         INSERT INTO registry_person_fts (rowid, name_folded) VALUES (new.id, new.name_folded);
         {_sqlite_token_insert("new.name_folded")};
       END""",
}
SQLITE_REBUILD = [
    "INSERT INTO registry_person_fts (registry_person_fts) VALUES ('rebuild')",
    _sqlite_token_insert("registry_person.name_folded").replace(
        "FROM json_each(", "FROM registry_person, json_each(", 1
    ),
]
SQLITE_UNINSTALL = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    "DROP TABLE IF EXISTS registry_name_token",
    "DROP TABLE IF EXISTS registry_person_fts",
]


def schema_install(connection) -> None:
    """Create the vendor's search structures (idempotent)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sql in PG_INSTALL:
                if sql.startswith("CREATE TRIGGER"):
                    name = sql.split()[2]
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON registry_person")
                cursor.execute(sql)
        elif connection.vendor == "sqlite":
            for sql in [*SQLITE_TABLES, *SQLITE_TRIGGERS.values(), *SQLITE_REBUILD]:
                cursor.execute(sql)


def schema_uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statements = PG_UNINSTALL
        elif connection.vendor == "sqlite":
            statements = SQLITE_UNINSTALL
        else:
            statements = []
        for sql in statements:
            cursor.execute(sql)


def sqlite_schema_heal(connection) -> None:
    """Re-create the FTS5 triggers if a later migration's table rebuild dropped them.

    SQLite applies most ALTERs by copying the table and dropping the old one, which drops its
    triggers; the FTS index is then rebuilt from the content table. Checked once per
    connection.
    """
    if getattr(connection, "_ansinh_fts_checked", False):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)",
            list(SQLITE_TRIGGERS),
        )
        present = {row[0] for row in cursor.fetchall()}
        if present != set(SQLITE_TRIGGERS):
            for sql in [*SQLITE_TABLES, *SQLITE_TRIGGERS.values(), *SQLITE_REBUILD]:
                cursor.execute(sql)
    connection._ansinh_fts_checked = True


# --- the search -----
# The RawSQL below only ever interpolates fixed SQL fragments; every value is a bound
# parameter.

AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "0-5": (0, 5),
    "6-15": (6, 15),
    "16-17": (16, 17),
    "18-59": (18, 59),
    "60+": (60, None),
}
AGE_BAND_CHOICES = [
    ("0-5", _("0–5 tuổi")),
    ("6-15", _("6–15 tuổi")),
    ("16-17", _("16–17 tuổi")),
    ("18-59", _("18–59 tuổi")),
    ("60+", _("Từ 60 tuổi")),
]
STATUS_ANY = "any"

# Syllables of fewer letters are matched exactly: one edit away from "le" is half the
# alphabet ("la", "li", "me", "he", ...), which would be noise, not tolerance.
MIN_FUZZY_LENGTH = 3
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_TOKEN = re.compile(r"[^\W_]+")
_NUMBER_TEXT = re.compile(r"^\+?[\d\s.\-()\u00a0]+$")


@dataclass
class PersonFilters:
    """What the filter form asks for; empty values mean "no filter"."""

    unit_id: int | None = None  # a commune union or branch: its whole subtree
    category: str = ""  # vulnerability category code
    sex: str = ""  # Person.Sex
    age_band: str = ""  # a key of AGE_BANDS
    poverty: str = ""  # Household.Poverty
    need: str = ""  # need category code, open needs only
    status: str = Person.Status.ACTIVE  # or STATUS_ANY

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value not in ("", None)}


def name_tokens(text: str) -> list[str]:
    """The folded syllables of a name or a query."""
    return _TOKEN.findall(fold(text))


def edits1(token: str) -> set[str]:
    """Every string one Damerau–Levenshtein edit away from `token` (letters a–z)."""
    splits = [(token[:i], token[i:]) for i in range(len(token) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return (deletes | transposes | replaces | inserts) - {token}


def _vocabulary_hits(candidates: set[str]) -> set[str]:
    """Which of `candidates` are syllables of some registered name."""
    if not candidates:
        return set()
    found: set[str] = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT token FROM registry_name_token WHERE token = ANY(%s)", [list(candidates)]
            )
        else:
            cursor.execute(
                "SELECT token FROM registry_name_token"
                " WHERE token IN (SELECT value FROM json_each(%s))",
                [json.dumps(sorted(candidates))],
            )
        found.update(row[0] for row in cursor.fetchall())
    return found


_COLUMN = '"registry_person"."name_folded"'
# A first page of exact matches: typo variants are then not added (see search_queryset).
EXACT_ENOUGH = 50
PREFIX_LIMIT = 300


def _vocabulary_prefixed(prefix: str) -> list[str]:
    """Vocabulary syllables starting with `prefix` (at most PREFIX_LIMIT, shortest first)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT token FROM registry_name_token WHERE token LIKE %s"
            " ORDER BY length(token), token LIMIT %s",
            [prefix + "%", PREFIX_LIMIT],
        )
        return [row[0] for row in cursor.fetchall()]


def token_variants(tokens: list[str]) -> list[list[str]]:
    """For each query syllable, the spellings to accept.

    A syllable in the vocabulary is accepted as typed and as every vocabulary syllable one
    edit away (of at least MIN_FUZZY_LENGTH letters). A syllable nobody's name has, with no
    neighbour either, is taken as the start of a syllable still being typed ("nguyen thi h").
    """
    candidates = set(tokens)
    fuzzy = {t: edits1(t) for t in tokens if len(t) >= MIN_FUZZY_LENGTH and t.isalpha()}
    for edits in fuzzy.values():
        candidates |= {e for e in edits if len(e) >= MIN_FUZZY_LENGTH}
    known = _vocabulary_hits(candidates)
    variants = []
    for token in tokens:
        options = [token] if token in known else []
        options += sorted((fuzzy.get(token, set()) & known) - {token})
        variants.append(options or _vocabulary_prefixed(token) or [token])
    return variants


def _number_lookup(query: str) -> Q | None:
    """Exact match on citizen ID or phone for a query that is a number, else None."""
    if not _NUMBER_TEXT.match(query):
        return None
    digits = re.sub(r"\D", "", query)
    if len(digits) < 6:
        return None
    condition = Q(pk__in=[])
    if len(digits) in (11, 12) and not query.strip().startswith("+"):
        condition |= Q(citizen_id=digits.zfill(12))
    with contextlib.suppress(ValidationError):
        condition |= Q(phone=normalize_phone(query))
    return condition


def _name_condition(variants: list[list[str]]):
    """A boolean SQL expression: every syllable present, each as one of its spellings."""
    if connection.vendor == "postgresql":
        return RawSQL(  # noqa: S611 - fixed SQL, the syllables are parameters
            " AND ".join(f"{PG_SYLLABLES.replace('name_folded', _COLUMN)} && %s" for _ in variants),
            [list(options) for options in variants],
            output_field=BooleanField(),
        )
    sqlite_schema_heal(connection)
    # Syllables are letters and digits only (name_tokens, the vocabulary): safe in quotes.
    match = " AND ".join(
        "(" + " OR ".join(f'"{option}"' for option in options) + ")" for options in variants
    )
    return RawSQL(
        '"registry_person"."id" IN (SELECT rowid FROM registry_person_fts'
        " WHERE registry_person_fts MATCH %s)",
        [match],
        output_field=BooleanField(),
    )


def _name_rank(tokens: list[str], folded_query: str):
    """(exact syllable hits, closeness of the whole name) expressions for ordering."""
    hits = RawSQL(  # noqa: S611 - fixed SQL, the syllables are parameters
        " + ".join(
            "(CASE WHEN (' ' || \"registry_person\".\"name_folded\" || ' ') LIKE %s"
            " THEN 1 ELSE 0 END)"
            for _token in tokens
        ),
        [f"% {token} %" for token in tokens],
        output_field=IntegerField(),
    )
    # Closeness: how far the name's length is from the query's. (pg_trgm's similarity() was
    # tried: it ranks the same names first but costs ~20 µs a row, i.e. tens of ms for a
    # common name's thousands of matches.)
    closeness = RawSQL(
        '-abs(length("registry_person"."name_folded") - %s)',
        [len(folded_query)],
        output_field=FloatField(),
    )
    return hits, closeness


def sensitive_allowed(user) -> bool:
    return has_permission(user, SENSITIVE_REGISTRY)


def category_choices(user):
    """Vulnerability categories the user may filter by (sensitive ones only with permission)."""
    categories = VulnerabilityCategory.objects.filter(is_active=True)
    if not sensitive_allowed(user):
        categories = categories.filter(is_sensitive=False)
    return categories


def _birth_bounds(today: dt.date, years: int) -> dt.date:
    """The date `years` years before `today` (29 February → 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def age_band_condition(band: str, *, today: dt.date | None = None) -> Q:
    """People whose age today lies in the band (from the birth date, else the birth year)."""
    low, high = AGE_BANDS[band]
    today = today or timezone.localdate()
    by_date = Q(birth_date__lte=_birth_bounds(today, low))
    by_year = Q(birth_date__isnull=True, birth_year__lte=today.year - low)
    if high is not None:
        by_date &= Q(birth_date__gt=_birth_bounds(today, high + 1))
        by_year &= Q(birth_year__gte=today.year - high)
    return by_date | by_year


def apply_filters(queryset, *, user, filters: PersonFilters):
    """Narrow a queryset of people by the filter form's values."""
    if filters.status and filters.status != STATUS_ANY:
        queryset = queryset.filter(status=filters.status)
    if filters.unit_id:
        unit = UnionUnit.objects.filter(pk=filters.unit_id).only("path").first()
        if unit is None:
            return queryset.none()
        queryset = queryset.filter(scope_path__startswith=unit.path)
    if filters.sex:
        queryset = queryset.filter(sex=filters.sex)
    if filters.age_band:
        if filters.age_band not in AGE_BANDS:
            return queryset.none()
        queryset = queryset.filter(age_band_condition(filters.age_band))
    if filters.poverty:
        queryset = queryset.filter(household__poverty_status=filters.poverty)
    if filters.category:
        category = VulnerabilityCategory.objects.filter(code=filters.category).first()
        if category is None:
            return queryset.none()
        if category.is_sensitive:
            # A sensitive category filters only inside the subtrees where the user may see
            # sensitive data; elsewhere (or without that permission) it matches no one.
            paths = scope_paths(user, SENSITIVE_REGISTRY)
            if not paths:
                return queryset.none()
            if paths is not ALL:
                inside = Q(pk__in=[])
                for path in paths:
                    inside |= Q(scope_path__startswith=path)
                queryset = queryset.filter(inside)
        today = timezone.localdate()
        queryset = queryset.filter(
            Exists(
                PersonVulnerability.objects.filter(person=OuterRef("pk"), category=category)
                .filter(Q(until__isnull=True) | Q(until__gte=today))
                .filter(Q(since__isnull=True) | Q(since__lte=today))
            )
        )
    if filters.need:
        queryset = queryset.filter(
            Exists(
                Need.objects.filter(
                    person=OuterRef("pk"), category__code=filters.need, status=Need.Status.OPEN
                )
            )
        )
    return queryset


def search_queryset(queryset, query: str = ""):
    """Apply the search box to a queryset of people (already scoped and filtered)."""
    query = normalize_text(query)
    if not query:
        return queryset.order_by("name_folded", "id")
    number = _number_lookup(query)
    if number is not None:
        return queryset.filter(number).order_by("name_folded", "id")
    tokens = name_tokens(query)
    if not tokens:
        return queryset.none()
    hits, closeness = _name_rank(tokens, " ".join(tokens))
    variants = token_variants(tokens)
    exact = [
        [token] if options[0] == token else options
        for token, options in zip(tokens, variants, strict=True)
    ]
    matches = queryset.filter(_name_condition(variants))
    if exact != variants:
        # Rows spelled as typed rank above every typo variant; when they fill a first page
        # the variants could only follow them, so they are left out (and the broad, slow
        # union of variants of common syllables is never evaluated).
        exact_matches = queryset.filter(_name_condition(exact))
        if exact_matches.order_by()[:EXACT_ENOUGH].count() >= EXACT_ENOUGH:
            matches = exact_matches
    return matches.annotate(search_hits=hits, search_closeness=closeness).order_by(
        "-search_hits", "-search_closeness", "name_folded", "id"
    )


def person_search(
    *, user, query: str = "", filters: PersonFilters | None = None, action: str = "view"
):
    """People visible to `user` matching the box and the filters, best matches first.

    A name query is ordered by relevance; otherwise by folded name. The queryset is lazy:
    take a page of it (`[:50]`) rather than the whole of it.
    """
    queryset = apply_filters(
        Person.objects.restrict(user, action), user=user, filters=filters or PersonFilters()
    )
    return search_queryset(queryset, query)


# --- what a row shows, on the page and in exports -----------------------------------------


class SensitiveScope:
    """Answers "may this user see sensitive categories of a person filed under this path?"."""

    def __init__(self, user=None, *, everywhere: bool = False):
        self.paths = ALL if everywhere else scope_paths(user, SENSITIVE_REGISTRY)

    def covers(self, scope_path: str) -> bool:
        if self.paths is ALL:
            return True
        return any(scope_path.startswith(path) for path in self.paths)


def with_row_data(queryset):
    """Prefetch what a list row shows: household, commune, open categories and needs."""
    today = timezone.localdate()
    # Prefetched, not joined: a join would be done for every match before the sort and
    # LIMIT of a relevance-ordered page, thousands of rows for a common name.
    return queryset.prefetch_related(
        "household__commune",
        "unit",
        Prefetch(
            "vulnerabilities",
            queryset=PersonVulnerability.objects.filter(Q(until__isnull=True) | Q(until__gte=today))
            .select_related("category")
            .order_by("category__order"),
            to_attr="open_vulnerabilities",
        ),
        Prefetch(
            "needs",
            queryset=Need.objects.filter(status=Need.Status.OPEN)
            .select_related("category")
            .order_by("category__order"),
            to_attr="open_needs",
        ),
    )


def visible_categories(person, sensitive: SensitiveScope) -> list:
    show_sensitive = sensitive.covers(person.scope_path)
    return [
        link.category
        for link in person.open_vulnerabilities
        if show_sensitive or not link.category.is_sensitive
    ]


def birth_text(person) -> str:
    if person.birth_date:
        return person.birth_date.strftime("%d/%m/%Y")
    return str(person.birth_year or "")


EXPORT_HEADERS = [
    _("Họ và tên"),
    _("Giới tính"),
    _("Ngày sinh / năm sinh"),
    _("Số định danh (CCCD)"),
    _("Điện thoại"),
    _("Xã/phường"),
    _("Địa chỉ"),
    _("Cơ sở Hội quản lý"),
    _("Hộ nghèo/cận nghèo"),
    _("Diện đối tượng"),
    _("Nhu cầu chưa đáp ứng"),
    _("Tình trạng"),
]
# An export is one file in memory: beyond this, narrow the filters (or use the CLI per unit).
EXPORT_LIMIT = 200_000


def export_rows(queryset, *, sensitive: SensitiveScope):
    """The rows of an XLSX export of people, in the queryset's order."""
    for person in with_row_data(queryset[:EXPORT_LIMIT]).iterator(chunk_size=2000):
        household = person.household
        yield [
            person.full_name,
            person.get_sex_display(),
            person.birth_date or person.birth_year,
            person.citizen_id or "",
            person.phone,
            str(household.commune),
            household.address_line,
            str(person.unit),
            household.get_poverty_status_display(),
            "; ".join(str(c) for c in visible_categories(person, sensitive)),
            "; ".join(str(n.category) for n in person.open_needs),
            person.get_status_display(),
        ]


# --- counts (numbers only) ----------------------------------------------------------------


@dataclass
class PersonCounts:
    total: int
    categories: list  # VulnerabilityCategory, the columns
    communes: list[dict]  # {"name", "total", "cells": [int per category]}
    by_sex: list[tuple[str, int]]
    by_age: list[tuple[str, int]]
    by_poverty: list[tuple[str, int]]


def person_counts(*, user, filters: PersonFilters | None = None) -> PersonCounts:
    """Counts by commune × category, sex, age band and poverty status: never a name."""
    filters = filters or PersonFilters()
    people = apply_filters(Person.objects.restrict(user, "count"), user=user, filters=filters)
    categories = list(category_choices(user))
    today = timezone.localdate()
    sensitive = SensitiveScope(user)
    links = PersonVulnerability.objects.filter(
        person__in=people.values("pk"), category__in=categories
    ).filter(Q(until__isnull=True) | Q(until__gte=today))
    if sensitive.paths is not ALL:
        allowed = Q(category__is_sensitive=False)
        for path in sensitive.paths or []:
            allowed |= Q(person__scope_path__startswith=path)
        links = links.filter(allowed)
    cells: dict[tuple[int, int], int] = {}
    for row in links.values("person__household__commune_id", "category_id").annotate(
        n=Count("person_id", distinct=True)
    ):
        cells[(row["person__household__commune_id"], row["category_id"])] = row["n"]
    communes = []
    per_commune = (
        people.values("household__commune_id", "household__commune__name")
        .annotate(n=Count("id"))
        .order_by("household__commune__name")
    )
    for row in per_commune:
        commune_id = row["household__commune_id"]
        communes.append(
            {
                "name": row["household__commune__name"],
                "total": row["n"],
                "cells": [cells.get((commune_id, c.pk), 0) for c in categories],
            }
        )
    sex_labels = dict(Person.Sex.choices)
    by_sex = [
        (sex_labels.get(row["sex"], row["sex"]), row["n"])
        for row in people.values("sex").annotate(n=Count("id")).order_by("sex")
    ]
    age = people.aggregate(
        **{key: Count("id", filter=age_band_condition(key, today=today)) for key in AGE_BANDS}
    )
    by_age = [(str(label), age[key]) for key, label in AGE_BAND_CHOICES]
    poverty_labels = dict(Household.Poverty.choices)
    by_poverty = [
        (str(poverty_labels.get(row["household__poverty_status"], "")), row["n"])
        for row in people.values("household__poverty_status")
        .annotate(n=Count("id"))
        .order_by("household__poverty_status")
    ]
    return PersonCounts(
        total=sum(c["total"] for c in communes),
        categories=categories,
        communes=communes,
        by_sex=by_sex,
        by_age=by_age,
        by_poverty=by_poverty,
    )
