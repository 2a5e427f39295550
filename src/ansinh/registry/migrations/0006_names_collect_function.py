"""PostgreSQL: the names' statement trigger calls `registry_names_collect(text[])`, which the
registry import also calls when it skips triggers (`registry.search`): one SQL, not two."""

from django.db import migrations

from ansinh.registry import search


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in search.PG_NAMES_COLLECT_INSTALL:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in search.PG_NAMES_COLLECT_UNINSTALL:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_lean_indexes")]
    operations = [migrations.RunPython(forward, backward)]
