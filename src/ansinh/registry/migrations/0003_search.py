"""Name search structures, per database vendor (see docs/adr/0004-registry-search.md).

PostgreSQL: the `pg_trgm` and `unaccent` extensions, an IMMUTABLE `ansinh_unaccent(text)`
wrapper (unaccent itself is only STABLE, so it cannot appear in an index expression), a GIN
index on the syllables of `registry_person.name_folded` (`to_tsvector('simple', ...)`), and
`registry_name_token`, the vocabulary of
folded name syllables, kept up to date by statement-level triggers (one INSERT per statement,
so COPY and bulk inserts pay once, not once per row).

SQLite: an FTS5 external-content table over `name_folded` and the same `registry_name_token`
vocabulary, both kept in sync by row triggers.

None of this is part of Django's model state: the model is unchanged, these are database
objects the search module relies on. The SQL lives in `ansinh.registry.search` so that the
search module can re-create the SQLite triggers when a later migration rebuilds the
table (SQLite's table remake drops triggers).
"""

from django.db import migrations

from ansinh.registry import search


def forwards(apps, schema_editor):
    search.schema_install(schema_editor.connection)


def backwards(apps, schema_editor):
    search.schema_uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_seed_categories")]
    operations = [migrations.RunPython(forwards, backwards)]
