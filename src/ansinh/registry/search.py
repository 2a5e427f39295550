"""Registry search: one box for names, citizen IDs and phones, plus filters.

The box decides what it was given: a number (only digits and separators) is looked up exactly
as a citizen ID (11 digits = a 12-digit ID whose leading zero a spreadsheet dropped) and as a
phone number in E.164; anything else is a name. Names are matched on `name_folded` (accents,
case and đ folded away when the person is saved), syllable by syllable: every syllable of the
query must be present, each either exactly or as a vocabulary syllable one edit away
(Damerau–Levenshtein: one substitution, insertion, deletion or transposition), so "nguyen thi
hao" finds "Nguyễn Thị Hòa" and "nguyen hoa" finds "Nguyễn Thị Hoà". Results are ordered by
how many syllables matched exactly, then by closeness of the whole name's length, then name.

Names first: the match runs over the distinct folded names (`registry_person_name`, ~100,000
rows for 1,000,000 people; PostgreSQL: GIN on the array of syllables, SQLite: FTS5), which
are ranked there; people are then read name by name in that order through the
`(name_folded, id)` btree, so a first page of a common name reads ~50 people, not the
thousands who carry it. The vocabulary of syllables (`registry_name_token`) and the distinct
names are kept by triggers on both databases. Why this shape, and what was measured:
docs/adr/0004-registry-search.md.

The SQL that creates those structures is here too: `schema_install` (migration 0003_search,
kept as it was applied) and `names_schema_install` (migration 0004_search_perf).
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
from ansinh.core.scoping import permission_name
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


# --- 0004_search_perf: distinct names, searched first -------------------------------------
# PostgreSQL: the distinct folded names with a GIN index on their syllables; the statement
# trigger of 0003 now also collects names; a (name_folded, id) btree with status included
# reads one name's people in id order (index-only for an unfiltered list). The people-level
# syllable GIN of 0003 is dropped: nothing queries it any more, and it was the costliest index
# to maintain on import.
_PG_COLLECT_V1 = PG_INSTALL[5]
_PG_COLLECT_V2 = """CREATE OR REPLACE FUNCTION registry_name_token_collect() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO registry_name_token (token)
           SELECT DISTINCT t
           FROM registry_new_people AS p,
                regexp_split_to_table(p.name_folded, '[^[:alnum:]]+') AS t
           WHERE t <> ''
         ON CONFLICT DO NOTHING;
         INSERT INTO registry_person_name (name_folded)
           SELECT DISTINCT name_folded FROM registry_new_people
         ON CONFLICT DO NOTHING;
         RETURN NULL;
       END $$"""


# 0006: what the statement trigger collects, as a function of the names, so that writers that
# skip triggers (the registry import, `importing.triggers`) call the very same SQL.
PG_NAMES_COLLECT_FUNCTION = """CREATE OR REPLACE FUNCTION registry_names_collect(names text[])
       RETURNS void LANGUAGE sql AS $$
         INSERT INTO registry_name_token (token)
           SELECT DISTINCT t
           FROM unnest(names) AS p(name_folded),
                regexp_split_to_table(p.name_folded, '[^[:alnum:]]+') AS t
           WHERE t <> ''
         ON CONFLICT DO NOTHING;
         INSERT INTO registry_person_name (name_folded)
           SELECT DISTINCT name_folded FROM unnest(names) AS p(name_folded)
         ON CONFLICT DO NOTHING;
       $$"""
_PG_COLLECT_V3 = """CREATE OR REPLACE FUNCTION registry_name_token_collect() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM registry_names_collect(ARRAY(SELECT name_folded FROM registry_new_people));
         RETURN NULL;
       END $$"""
PG_NAMES_COLLECT_INSTALL = [PG_NAMES_COLLECT_FUNCTION, _PG_COLLECT_V3]
PG_NAMES_COLLECT_UNINSTALL = [
    _PG_COLLECT_V2,
    "DROP FUNCTION IF EXISTS registry_names_collect(text[])",
]


def pg_names_collect(cursor, names) -> None:
    """What the statement trigger collects, for these folded names (of people just written
    by a writer that skipped the trigger)."""
    names = sorted(set(names))
    if names:
        cursor.execute("SELECT registry_names_collect(%s::text[])", [names])


PG_NAMES_SYLLABLES = PG_SYLLABLES.replace("name_folded", "n.name_folded")
PG_NAMES_INSTALL = [
    """CREATE TABLE IF NOT EXISTS registry_person_name (name_folded varchar(150) PRIMARY KEY)""",
    """INSERT INTO registry_person_name (name_folded)
       SELECT DISTINCT name_folded FROM registry_person ON CONFLICT DO NOTHING""",
    # Built after the fill, and without a pending list: new names are few after the first
    # load, and a GIN pending list must be scanned whole by every search until a vacuum
    # (measured: 400 ms instead of 3 ms for a query with typo variants, 1,000,000 people).
    f"""CREATE INDEX IF NOT EXISTS registry_name_syllables
       ON registry_person_name USING gin ({PG_SYLLABLES}) WITH (fastupdate = off)""",
    _PG_COLLECT_V2,
    """CREATE INDEX IF NOT EXISTS registry_person_name_order
       ON registry_person (name_folded, id) INCLUDE (status)""",
    "DROP INDEX IF EXISTS registry_person_name_syllables",
    "ANALYZE registry_person_name",
]
PG_NAMES_UNINSTALL = [
    f"""CREATE INDEX IF NOT EXISTS registry_person_name_syllables
       ON registry_person USING gin ({PG_SYLLABLES})""",
    "DROP INDEX IF EXISTS registry_person_name_order",
    _PG_COLLECT_V1,
    "DROP TABLE IF EXISTS registry_person_name",
]

# SQLite: the distinct names in a rowid table with an FTS5 index over them; person triggers
# add a name (INSERT OR IGNORE: only a new name fires the FTS trigger) and its syllables. The
# people-level FTS of 0003 is dropped. SQLite's index on name_folded already orders equal
# names by rowid (= id); (name_folded, status) makes the per-name read a covering one.
SQLITE_NAMES_TABLES = [
    """CREATE TABLE IF NOT EXISTS registry_person_name (
         id INTEGER PRIMARY KEY, name_folded TEXT NOT NULL UNIQUE)""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS registry_person_name_fts USING fts5(
         name_folded, content='registry_person_name', content_rowid='id',
         tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TABLE IF NOT EXISTS registry_name_token (token TEXT PRIMARY KEY) WITHOUT ROWID""",
    """CREATE TRIGGER IF NOT EXISTS registry_person_name_fts_ai
       AFTER INSERT ON registry_person_name BEGIN
         INSERT INTO registry_person_name_fts (rowid, name_folded)
           VALUES (new.id, new.name_folded);
       END""",
    """CREATE INDEX IF NOT EXISTS registry_person_name_status
       ON registry_person (name_folded, status)""",
]
SQLITE_NAMES_TRIGGERS = {
    "registry_person_names_ai": f"""CREATE TRIGGER IF NOT EXISTS registry_person_names_ai
       AFTER INSERT ON registry_person BEGIN
         INSERT OR IGNORE INTO registry_person_name (name_folded) VALUES (new.name_folded);
         {_sqlite_token_insert("new.name_folded")};
       END""",
    "registry_person_names_au": f"""CREATE TRIGGER IF NOT EXISTS registry_person_names_au
       AFTER UPDATE OF name_folded ON registry_person BEGIN
         INSERT OR IGNORE INTO registry_person_name (name_folded) VALUES (new.name_folded);
         {_sqlite_token_insert("new.name_folded")};
       END""",
}
SQLITE_NAMES_FILL = [
    """INSERT OR IGNORE INTO registry_person_name (name_folded)
       SELECT DISTINCT name_folded FROM registry_person""",
    SQLITE_REBUILD[1],  # syllables of every name (idempotent)
]
SQLITE_NAMES_UNINSTALL = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_NAMES_TRIGGERS),
    "DROP TRIGGER IF EXISTS registry_person_name_fts_ai",
    "DROP INDEX IF EXISTS registry_person_name_status",
    "DROP TABLE IF EXISTS registry_person_name_fts",
    "DROP TABLE IF EXISTS registry_person_name",
]


def names_schema_install(connection) -> None:
    """Migration 0004: the names-first structures (idempotent); 0003's people index goes."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sql in PG_NAMES_INSTALL:
                cursor.execute(sql)
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute("DROP TABLE IF EXISTS registry_person_fts")
            for sql in [*SQLITE_NAMES_TABLES, *SQLITE_NAMES_TRIGGERS.values(), *SQLITE_NAMES_FILL]:
                cursor.execute(sql)


def names_schema_uninstall(connection) -> None:
    """Back to 0003's structures."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sql in PG_NAMES_UNINSTALL:
                cursor.execute(sql)
        elif connection.vendor == "sqlite":
            for sql in SQLITE_NAMES_UNINSTALL:
                cursor.execute(sql)
    if connection.vendor == "sqlite":
        schema_install(connection)


def sqlite_schema_heal(connection) -> None:
    """Re-create the person triggers if a later migration's table rebuild dropped them.

    SQLite applies most ALTERs by copying the table and dropping the old one, which drops its
    triggers (and indexes not in the model state); names added meanwhile are collected again.
    Checked once per connection.
    """
    if getattr(connection, "_ansinh_fts_checked", False):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)",
            list(SQLITE_NAMES_TRIGGERS),
        )
        present = {row[0] for row in cursor.fetchall()}
    if present != set(SQLITE_NAMES_TRIGGERS):
        sqlite_names_reinstall(connection)
    connection._ansinh_fts_checked = True


def sqlite_names_reinstall(connection) -> None:
    """SQLite: the names-first tables, triggers and index again (idempotent), and the names
    and syllables of everyone already registered collected."""
    with connection.cursor() as cursor:
        for sql in [*SQLITE_NAMES_TABLES, *SQLITE_NAMES_TRIGGERS.values(), *SQLITE_NAMES_FILL]:
            cursor.execute(sql)


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


@dataclass
class NamePlan:
    """What a name query asks for: per syllable, the spellings accepted."""

    tokens: list[str]
    exact: list[list[str]]  # as typed (a syllable nobody has: its variants or completions)
    expanded: list[list[str]]  # plus the vocabulary syllables one edit away

    @property
    def folded(self) -> str:
        return " ".join(self.tokens)

    @property
    def has_near(self) -> bool:
        return self.exact != self.expanded


def name_plan(query: str) -> NamePlan | None:
    tokens = name_tokens(query)
    if not tokens:
        return None
    expanded = token_variants(tokens)
    exact = [
        [token] if options[0] == token else options
        for token, options in zip(tokens, expanded, strict=True)
    ]
    return NamePlan(tokens=tokens, exact=exact, expanded=expanded)


def _names_condition(variants: list[list[str]]) -> tuple[str, list]:
    """SQL condition on `registry_person_name n`: every syllable, each as one of its spellings."""
    if connection.vendor == "postgresql":
        # One `&&` per syllable: each is its own GIN scan key, intersected by the rarest.
        return (
            " AND ".join(f"{PG_NAMES_SYLLABLES} && %s::text[]" for _ in variants),
            [list(options) for options in variants],
        )
    sqlite_schema_heal(connection)
    # Syllables are letters and digits only (name_tokens, the vocabulary): safe in quotes.
    match = " AND ".join(
        "(" + " OR ".join(f'"{option}"' for option in options) + ")" for options in variants
    )
    return (
        "n.id IN (SELECT rowid FROM registry_person_name_fts"
        " WHERE registry_person_name_fts MATCH %s)",
        [match],
    )


def match_names(plan: NamePlan, *, near: bool, ranked: bool = False) -> list[str]:
    """The distinct folded names matching the plan, best first when `ranked`.

    A query of its own: the planner then sees the small names table alone and reads it
    through its GIN index (inside a larger statement it was seen to scan it whole, 100×
    slower, misjudging the cost of long variant lists), and the people query gets a
    concrete list of names to estimate from.
    """
    condition, params = _names_condition(plan.expanded if near else plan.exact)
    sql = f"SELECT n.name_folded FROM registry_person_name n WHERE {condition}"
    if ranked:
        hits, hit_params, closeness, closeness_params = _rank_sql("n.name_folded", plan)
        sql += f" ORDER BY {hits} DESC, {closeness} DESC, n.name_folded"
        params = [*params, *hit_params, *closeness_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _rank_sql(column: str, plan: NamePlan) -> tuple[str, list, str, list]:
    """(exact syllable hits, closeness of the whole name's length) as SQL over `column`."""
    hits = " + ".join(
        f"(CASE WHEN (' ' || {column} || ' ') LIKE %s THEN 1 ELSE 0 END)" for _ in plan.tokens
    )
    # Closeness: how far the name's length is from the query's. (pg_trgm's similarity() was
    # tried: it ranks the same names first but costs ~20 µs a row.)
    return (
        hits,
        [f"% {token} %" for token in plan.tokens],
        f"-abs(length({column}) - %s)",
        [len(plan.folded)],
    )


def _ranked(queryset, plan: NamePlan):
    hits, hit_params, closeness, closeness_params = _rank_sql(_COLUMN, plan)
    return queryset.annotate(
        search_hits=RawSQL(hits, hit_params, output_field=IntegerField()),  # noqa: S611
        search_closeness=RawSQL(closeness, closeness_params, output_field=FloatField()),  # noqa: S611
    ).order_by("-search_hits", "-search_closeness", "name_folded", "id")


# SQLite knows nothing of a json_each() list's length and always drives by the name index;
# past this many names a commune's scope (~8,000 people through its index) reads less.
SQLITE_NAMES_BY_SCOPE = 256


def _with_names(queryset, names: list[str], *, narrow: bool = False):
    """People whose folded name is one of `names` (one bound parameter, however many).

    `narrow`: the queryset is one commune or branch; on SQLite a long name list is then
    matched against the scope's people rather than looked up name by name (the unary `+`
    keeps SQLite off the name index: "nguyen thi tho" with its variants is thousands of
    names, 450 ms by name, ~20 ms by scope at 1,000,000 people).
    """
    if connection.vendor == "postgresql":
        condition = RawSQL(f"{_COLUMN} = ANY(%s)", [names], output_field=BooleanField())  # noqa: S611
    else:
        column = f"+{_COLUMN}" if narrow and len(names) > SQLITE_NAMES_BY_SCOPE else _COLUMN
        condition = RawSQL(  # noqa: S611
            f"{column} IN (SELECT value FROM json_each(%s))",
            [json.dumps(names)],
            output_field=BooleanField(),
        )
    return queryset.filter(condition)


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


def search_queryset(queryset, query: str = "", *, near: bool | None = None):
    """Apply the search box to a queryset of people (already scoped and filtered).

    `near=None` decides as the list page does: typo variants are added only when the query as
    typed does not fill a first page. The queryset is ranked; for the list page's first pages
    `search_page` reads the same order faster.
    """
    query = normalize_text(query)
    if not query:
        return queryset.order_by("name_folded", "id")
    number = _number_lookup(query)
    if number is not None:
        return queryset.filter(number).order_by("name_folded", "id")
    plan = name_plan(query)
    if plan is None:
        return queryset.none()
    if near is None and plan.has_near:
        exact = _with_names(queryset, match_names(plan, near=False))
        near = exact.order_by()[:EXACT_ENOUGH].count() < EXACT_ENOUGH
    return _ranked(_with_names(queryset, match_names(plan, near=bool(near))), plan)


def person_search(
    *,
    user,
    query: str = "",
    filters: PersonFilters | None = None,
    action: str = "view",
    near: bool | None = None,
):
    """People visible to `user` matching the box and the filters, best matches first.

    A name query is ordered by relevance; otherwise by folded name. The queryset is lazy:
    take a page of it (`[:50]`) rather than the whole of it; the list page uses
    `search_page`, which reads the same order faster.
    """
    return search_queryset(_filtered(user, filters, action), query, near=near)


def _filtered(user, filters: PersonFilters | None, action: str = "view"):
    filters = filters or PersonFilters()
    queryset = apply_filters(Person.objects.restrict(user, action), user=user, filters=filters)
    if connection.vendor == "sqlite":
        queryset = _sqlite_scope_range(queryset, user, filters, action)
    return queryset


def _sqlite_scope_range(queryset, user, filters: PersonFilters, action: str):
    """Restate a one-subtree scope as a range SQLite can read from the `scope_path` index.

    The scope is `scope_path LIKE 'path%' ESCAPE …`, which SQLite's case-insensitive LIKE
    cannot answer from an index: a commune officer's search then went through the people of
    every matching name in the city (320 ms at 1,000,000). The range says the same for
    binary-collated paths ending in "/" ("/" + 1 = "0").
    """
    paths = []
    if filters.unit_id:
        unit = UnionUnit.objects.filter(pk=filters.unit_id).only("path").first()
        paths = [unit.path] if unit else []
    else:
        scope = scope_paths(user, permission_name(Person, action))
        paths = [] if scope is ALL else list(scope)
    if len(paths) != 1 or not paths[0].endswith("/"):
        return queryset
    path = paths[0]
    return queryset.filter(scope_path__gte=path, scope_path__lt=path[:-1] + "0")


# --- the list page: one page of results, fast ---------------------------------------------

COUNT_CAP = 10_000


@dataclass
class SearchPage:
    """One page of the list: its people, and what is known of the rest without counting.

    `count` is set when the page itself tells (a page that is not full ends the list);
    otherwise the list page asks `search_count` afterwards (htmx). `near` says whether typo
    variants are in the list; `near_available` that they were left out because the query as
    typed fills a page (the page then offers "Tìm cả tên gần giống").
    """

    rows: list
    number: int
    per_page: int
    has_next: bool
    count: int | None
    near: bool = False
    near_available: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _is_broad(user, filters: PersonFilters, action: str) -> bool:
    """Whether the scope is the whole registry (then names are walked in rank order).

    A commune's few thousand people are cheaper read through the scope index and matched
    against the names; the city's million are not.
    """
    if filters.unit_id:
        return False
    paths = scope_paths(user, permission_name(Person, action))
    return paths is ALL or any(path.count("/") <= 2 for path in paths)


def _sql(queryset) -> tuple[str, tuple]:
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def _page_ids_lateral(queryset, plan: NamePlan, names: list[str], *, offset: int, limit: int):
    """PostgreSQL: for each ranked name, in order, its first people by id (index-only through
    the (name_folded, id) btree); the outer LIMIT stops the nested loop as soon as the page
    is full (Incremental Sort on the presorted name position)."""
    people = (
        queryset.filter(name_folded=RawSQL("n.name_folded", []))  # noqa: S611
        .order_by("name_folded", "id")
        .values_list("id", flat=True)[: offset + limit]
    )
    people_sql, people_params = _sql(people)
    sql = (
        "SELECT p.id FROM (SELECT name_folded, pos"
        " FROM unnest(%s::text[]) WITH ORDINALITY AS n (name_folded, pos) ORDER BY pos) n"
        f" CROSS JOIN LATERAL ({people_sql}) p"
        " ORDER BY n.pos, p.id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [names, *people_params, limit, offset])
        return [row[0] for row in cursor.fetchall()]


def _page_ids_walk(queryset, plan: NamePlan, names: list[str], *, offset: int, limit: int):
    """SQLite: the people of the ranked names a few names at a time (1, 4, 16... names per
    query), each query ordered by the same rank, until the page is full."""
    wanted = offset + limit
    ids: list[int] = []
    at, size = 0, 1
    while at < len(names) and len(ids) < wanted:
        chunk = names[at : at + size]
        at += size
        size = min(size * 4, 256)
        if len(chunk) == 1:  # equal names: the index gives id order, no sort
            people = queryset.filter(name_folded=chunk[0]).order_by("id")
        else:
            people = _ranked(queryset.filter(name_folded__in=chunk), plan)
        ids += people.values_list("id", flat=True)[: wanted - len(ids)]
    return ids[offset:]


def _page_ids(queryset, plan: NamePlan, *, near: bool, broad: bool, offset: int, limit: int):
    names = match_names(plan, near=near, ranked=broad)
    if not names:
        return []
    if not broad:
        people = _ranked(_with_names(queryset, names, narrow=True), plan)
        return list(people.values_list("id", flat=True)[offset : offset + limit])
    if connection.vendor == "postgresql":
        return _page_ids_lateral(queryset, plan, names, offset=offset, limit=limit)
    return _page_ids_walk(queryset, plan, names, offset=offset, limit=limit)


def search_page(
    *,
    user,
    query: str = "",
    filters: PersonFilters | None = None,
    page: int = 1,
    near: bool = False,
    per_page: int = 50,
    action: str = "view",
) -> SearchPage:
    """One page of `person_search`'s order, with its rows' data prefetched.

    Reads `per_page + 1` people to know whether a next page exists and never counts: a page
    that is not full gives the count for free; otherwise `search_count` counts, capped.
    """
    filters = filters or PersonFilters()
    page = max(1, page)
    offset = (page - 1) * per_page
    queryset = _filtered(user, filters, action)
    text = normalize_text(query)
    plan = name_plan(text) if text and _number_lookup(text) is None else None
    near_available = False
    if plan is None:
        people = search_queryset(queryset, text, near=False)
        ids = list(people.values_list("id", flat=True)[offset : offset + per_page + 1])
    else:
        broad = _is_broad(user, filters, action)
        ids = None
        if plan.has_near and not near:
            # As typed first: when that fills a first page, the variants would only follow
            # it, so they are offered as a link instead of read.
            first = _page_ids(
                queryset,
                plan,
                near=False,
                broad=broad,
                offset=0,
                limit=per_page + 1 if page == 1 else per_page,
            )
            near = len(first) < per_page
            near_available = not near
            if page == 1 and not near:
                ids = first
        if ids is None:
            ids = _page_ids(
                queryset,
                plan,
                near=near and plan.has_near,
                broad=broad,
                offset=offset,
                limit=per_page + 1,
            )
    has_next = len(ids) > per_page
    ids = ids[:per_page]
    # Fifty people by primary key: joining their household, commune and unit costs nothing
    # here (unlike before a relevance sort), and saves three round trips.
    chosen = with_row_data(Person.objects.filter(pk__in=ids), joined=True)
    by_id = {person.pk: person for person in chosen}
    rows = [by_id[pk] for pk in ids]
    count = None if has_next or (page > 1 and not rows) else offset + len(rows)
    return SearchPage(
        rows=rows,
        number=page,
        per_page=per_page,
        has_next=has_next,
        count=count,
        near=bool(plan and plan.has_near and near),
        near_available=near_available,
    )


@dataclass
class SearchCount:
    count: int  # at most COUNT_CAP
    is_capped: bool
    near_count: int | None = None  # people found only by typo variants (when left out)
    near_capped: bool = False
    cap: int = 0  # the cap it stopped at

    def __post_init__(self):
        self.cap = self.cap or COUNT_CAP


def _capped(queryset) -> tuple[int, bool]:
    counted = queryset.order_by()[: COUNT_CAP + 1].count()
    return min(counted, COUNT_CAP), counted > COUNT_CAP


def search_count(
    *,
    user,
    query: str = "",
    filters: PersonFilters | None = None,
    near: bool = False,
    action: str = "view",
) -> SearchCount:
    """How many people the list holds (capped at COUNT_CAP) and, when typo variants were
    left out, how many more they would add. Asked by the list page after it rendered."""
    filters = filters or PersonFilters()
    queryset = _filtered(user, filters, action)
    narrow = not _is_broad(user, filters, action)
    text = normalize_text(query)
    plan = name_plan(text) if text and _number_lookup(text) is None else None
    if plan is None:
        count, capped = _capped(search_queryset(queryset, text, near=False))
        return SearchCount(count=count, is_capped=capped)
    if near or not plan.has_near:
        count, capped = _capped(_with_names(queryset, match_names(plan, near=True), narrow=narrow))
        return SearchCount(count=count, is_capped=capped)
    exact = match_names(plan, near=False)
    count, capped = _capped(_with_names(queryset, exact, narrow=narrow))
    expanded = match_names(plan, near=True)
    if count < EXACT_ENOUGH:  # the list holds the variants too
        count, capped = _capped(_with_names(queryset, expanded, narrow=narrow))
        return SearchCount(count=count, is_capped=capped)
    typed = set(exact)
    near_names = [name for name in expanded if name not in typed]
    near_count, near_capped = (
        _capped(_with_names(queryset, near_names, narrow=narrow)) if near_names else (0, False)
    )
    return SearchCount(
        count=count, is_capped=capped, near_count=near_count, near_capped=near_capped
    )


# --- what a row shows, on the page and in exports -----------------------------------------


class SensitiveScope:
    """Answers "may this user see sensitive categories of a person filed under this path?"."""

    def __init__(self, user=None, *, everywhere: bool = False):
        self.paths = ALL if everywhere else scope_paths(user, SENSITIVE_REGISTRY)

    def covers(self, scope_path: str) -> bool:
        if self.paths is ALL:
            return True
        return any(scope_path.startswith(path) for path in self.paths)


def with_row_data(queryset, *, joined: bool = False):
    """Prefetch what a list row shows: household, commune, open categories and needs.

    Household, commune and unit are prefetched, not joined, unless `joined`: on a ranked
    queryset a join would be done for every match before the sort and LIMIT, thousands of
    rows for a common name; on a list of ids it is the cheaper way.
    """
    today = timezone.localdate()
    if joined:
        queryset = queryset.select_related("household__commune", "unit")
    else:
        queryset = queryset.prefetch_related("household__commune", "unit")
    return queryset.prefetch_related(
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
