"""Names-first search (see docs/adr/0004-registry-search.md, "Names first").

PostgreSQL: `registry_person_name` (the distinct folded names) with a GIN index on their
syllables, filled now and then by 0003's statement trigger (its function now also collects
names); a `(name_folded, id) INCLUDE (status)` btree on people; 0003's people-level syllable
GIN is dropped (nothing queries it any more, and it was the costliest index on import).

SQLite: `registry_person_name` with an FTS5 index over it and the person triggers that fill
it; 0003's people-level FTS5 table and its triggers are dropped; a `(name_folded, status)`
index on people.

Like 0003, these are database objects outside Django's model state; the SQL lives in
`ansinh.registry.search`.
"""

from django.db import migrations

from ansinh.registry import search


def forwards(apps, schema_editor):
    search.names_schema_install(schema_editor.connection)


def backwards(apps, schema_editor):
    search.names_schema_uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_search")]
    operations = [migrations.RunPython(forwards, backwards)]
