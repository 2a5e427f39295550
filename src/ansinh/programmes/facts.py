"""Left-behind facts (PostgreSQL): one maintained row per active person who has, or may come
to have, an open non-sensitive vulnerability — what the "Ai chưa được hỗ trợ" view needs
about her, so the view reads one narrow table instead of people, households, vulnerabilities
and both reach tables (ADR 0007).

Table `programmes_leftbehindfact` (created here, not a Django model: it uses arrays):
- person_id, scope_path, commune_id, commune_name, name_folded — her scope and the sort key
  of the list of people not reached;
- cats — her non-sensitive categories open for every day from `computed_on` on (no end
  date, started by `computed_on`);
- volatile — she has a non-sensitive link whose openness can still change with the day
  (an end date not yet past on `computed_on`, or a start after it): for her the view asks
  the vulnerabilities live;
- last_reached_on, prog_ids/prog_last — her `PersonReach` and `ProgrammeReach` rows.

`computed_on` is the database's day minus one, never later than the server's day, so `cats`
is exact for every `today` the reach tables answer (`today >= localdate()`).

Maintained by row triggers in the writing transaction, whatever writes: people (status,
scope, household, name), households (commune), communes (name), vulnerabilities, categories
(is_sensitive) and both reach tables. Bulk loads set `ansinh.left_behind_bulk = on` for
their transaction (the triggers then do nothing) and call `facts_rebuild()` at the end.

Only table names are interpolated into the SQL; values are bound.
"""

from __future__ import annotations

from django.db import connection

TABLE = "programmes_leftbehindfact"

# Rows for the people in `{people}` (a condition on p.id), as INSERT column order.
_SELECT = """
    WITH links AS (
        SELECT pv.person_id,
               array_agg(DISTINCT pv.category_id ORDER BY pv.category_id)
                   FILTER (WHERE pv.until IS NULL
                             AND (pv.since IS NULL OR pv.since <= CURRENT_DATE - 1)) AS cats,
               bool_or(COALESCE(pv.until >= CURRENT_DATE - 1, FALSE)
                       OR COALESCE(pv.since > CURRENT_DATE - 1, FALSE)) AS volatile
          FROM registry_personvulnerability pv
          JOIN registry_vulnerabilitycategory c ON c.id = pv.category_id AND NOT c.is_sensitive
         WHERE {links}
         GROUP BY pv.person_id
    ), progs AS (
        SELECT pr.person_id,
               array_agg(pr.programme_id ORDER BY pr.programme_id) AS ids,
               array_agg(pr.last_reached_on ORDER BY pr.programme_id) AS last
          FROM programmes_programmereach pr
         WHERE {progs}
         GROUP BY pr.person_id
    )
    SELECT p.id, p.scope_path, h.commune_id, a.name, p.name_folded,
           COALESCE(l.cats, '{{}}'), l.volatile, CURRENT_DATE - 1, r.last_reached_on,
           COALESCE(g.ids, '{{}}'), COALESCE(g.last, '{{}}')
      FROM links l
      JOIN registry_person p ON p.id = l.person_id
      JOIN registry_household h ON h.id = p.household_id
      LEFT JOIN geo_adminunit a ON a.id = h.commune_id
      LEFT JOIN programmes_personreach r ON r.person_id = p.id
      LEFT JOIN progs g ON g.person_id = p.id
     WHERE p.status = 'active' AND (l.cats IS NOT NULL OR l.volatile)
"""

_COLUMNS = (
    "person_id, scope_path, commune_id, commune_name, name_folded, cats, volatile, "
    "computed_on, last_reached_on, prog_ids, prog_last"
)

_UPDATE = ", ".join(f"{column} = EXCLUDED.{column}" for column in _COLUMNS.split(", ")[1:])

INSTALL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    person_id bigint PRIMARY KEY,
    scope_path varchar(255) NOT NULL,
    commune_id bigint NULL,
    commune_name varchar(120) NULL,
    name_folded varchar(150) NOT NULL,
    cats bigint[] NOT NULL,
    volatile boolean NOT NULL,
    computed_on date NOT NULL,
    last_reached_on date NULL,
    prog_ids bigint[] NOT NULL,
    prog_last date[] NOT NULL
);
CREATE INDEX IF NOT EXISTS {TABLE}_scope ON {TABLE} (scope_path varchar_pattern_ops);
CREATE INDEX IF NOT EXISTS {TABLE}_order ON {TABLE} (commune_name, name_folded, person_id);
CREATE INDEX IF NOT EXISTS {TABLE}_volatile ON {TABLE} (person_id) WHERE volatile;

CREATE OR REPLACE FUNCTION programmes_lb_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    -- An upsert, not delete + insert: two transactions refreshing the same person (two
    -- deliveries to her at once) both land; the second waits on the row, then updates it.
    WITH up AS (
        INSERT INTO {TABLE} ({_COLUMNS})
        SELECT * FROM (
            {_SELECT.format(links="pv.person_id = ANY(ids)", progs="pr.person_id = ANY(ids)")}
        ) fresh
        ON CONFLICT (person_id) DO UPDATE SET {_UPDATE}
        RETURNING person_id
    )
    DELETE FROM {TABLE}
     WHERE person_id = ANY(ids) AND person_id NOT IN (SELECT person_id FROM up);
END
$fn$;

CREATE OR REPLACE FUNCTION programmes_lb_trigger() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF COALESCE(current_setting('ansinh.left_behind_bulk', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'registry_person' THEN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM {TABLE} WHERE person_id = OLD.id;
        ELSE
            PERFORM programmes_lb_refresh(ARRAY[NEW.id]);
        END IF;
    ELSIF TG_TABLE_NAME = 'registry_household' THEN
        PERFORM programmes_lb_refresh(
            ARRAY(SELECT id FROM registry_person WHERE household_id = NEW.id));
    ELSIF TG_TABLE_NAME = 'geo_adminunit' THEN
        UPDATE {TABLE} SET commune_name = NEW.name WHERE commune_id = NEW.id;
    ELSIF TG_TABLE_NAME = 'registry_vulnerabilitycategory' THEN
        PERFORM programmes_lb_refresh(ARRAY(
            SELECT DISTINCT person_id FROM registry_personvulnerability
             WHERE category_id = NEW.id));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM programmes_lb_refresh(ARRAY[OLD.person_id]);
    ELSIF TG_OP = 'UPDATE' AND OLD.person_id <> NEW.person_id THEN
        PERFORM programmes_lb_refresh(ARRAY[OLD.person_id, NEW.person_id]);
    ELSE
        PERFORM programmes_lb_refresh(ARRAY[NEW.person_id]);
    END IF;
    RETURN NULL;
END
$fn$;

DROP TRIGGER IF EXISTS programmes_lb ON registry_person;
CREATE TRIGGER programmes_lb AFTER INSERT OR DELETE
    OR UPDATE OF status, scope_path, household_id, name_folded ON registry_person
    FOR EACH ROW EXECUTE FUNCTION programmes_lb_trigger();
DROP TRIGGER IF EXISTS programmes_lb ON registry_household;
CREATE TRIGGER programmes_lb AFTER UPDATE OF commune_id ON registry_household
    FOR EACH ROW WHEN (OLD.commune_id IS DISTINCT FROM NEW.commune_id)
    EXECUTE FUNCTION programmes_lb_trigger();
DROP TRIGGER IF EXISTS programmes_lb ON geo_adminunit;
CREATE TRIGGER programmes_lb AFTER UPDATE OF name ON geo_adminunit
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION programmes_lb_trigger();
DROP TRIGGER IF EXISTS programmes_lb ON registry_vulnerabilitycategory;
CREATE TRIGGER programmes_lb AFTER UPDATE OF is_sensitive ON registry_vulnerabilitycategory
    FOR EACH ROW WHEN (OLD.is_sensitive IS DISTINCT FROM NEW.is_sensitive)
    EXECUTE FUNCTION programmes_lb_trigger();
DROP TRIGGER IF EXISTS programmes_lb ON registry_personvulnerability;
CREATE TRIGGER programmes_lb AFTER INSERT OR UPDATE OR DELETE ON registry_personvulnerability
    FOR EACH ROW EXECUTE FUNCTION programmes_lb_trigger();
DROP TRIGGER IF EXISTS programmes_lb ON programmes_personreach;
CREATE TRIGGER programmes_lb AFTER INSERT OR UPDATE OR DELETE ON programmes_personreach
    FOR EACH ROW EXECUTE FUNCTION programmes_lb_trigger();
DROP TRIGGER IF EXISTS programmes_lb ON programmes_programmereach;
CREATE TRIGGER programmes_lb AFTER INSERT OR UPDATE OR DELETE ON programmes_programmereach
    FOR EACH ROW EXECUTE FUNCTION programmes_lb_trigger();
"""  # noqa: S608

UNINSTALL = f"""
DROP TRIGGER IF EXISTS programmes_lb ON registry_person;
DROP TRIGGER IF EXISTS programmes_lb ON registry_household;
DROP TRIGGER IF EXISTS programmes_lb ON geo_adminunit;
DROP TRIGGER IF EXISTS programmes_lb ON registry_vulnerabilitycategory;
DROP TRIGGER IF EXISTS programmes_lb ON registry_personvulnerability;
DROP TRIGGER IF EXISTS programmes_lb ON programmes_personreach;
DROP TRIGGER IF EXISTS programmes_lb ON programmes_programmereach;
DROP FUNCTION IF EXISTS programmes_lb_trigger();
DROP FUNCTION IF EXISTS programmes_lb_refresh(bigint[]);
DROP TABLE IF EXISTS {TABLE};
"""


def available() -> bool:
    """Whether the facts table answers here (PostgreSQL; SQLite keeps the live queries)."""
    return connection.vendor == "postgresql"


def bulk(cursor) -> None:
    """Switch the triggers off for the rest of the current transaction (bulk loads that
    call `facts_rebuild()` at their end)."""
    cursor.execute("SELECT set_config('ansinh.left_behind_bulk', 'on', true)")


def facts_refresh(*, person_ids: list[int]) -> None:
    """Re-derive the rows of some people in one statement (after a bulk write that switched
    the triggers off with `bulk`). PostgreSQL only; nothing to do elsewhere."""
    if not available() or not person_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT programmes_lb_refresh(%s::bigint[])", [list(person_ids)])


def facts_rebuild(cursor=None) -> int:
    """Re-derive every row (set-based); returns the number of rows. PostgreSQL only."""
    if not available():
        return 0
    own = cursor is None
    cursor = cursor or connection.cursor()
    try:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {TABLE} ({_COLUMNS}) "  # noqa: S608
            + _SELECT.format(links="TRUE", progs="TRUE")
        )
        return cursor.rowcount
    finally:
        if own:
            cursor.close()
