"""The left-behind facts table and its triggers (PostgreSQL only; ADR 0007)."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from ansinh.programmes.facts import INSTALL, facts_rebuild

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(INSTALL)
        facts_rebuild(cursor)
        cursor.execute("ANALYZE programmes_leftbehindfact")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from ansinh.programmes.facts import UNINSTALL

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(UNINSTALL)


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0001_initial"),
        ("programmes", "0005_sponsorship"),
        ("registry", "0004_search_perf"),
    ]

    operations = [migrations.RunPython(forward, backward)]
