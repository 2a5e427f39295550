"""The plan's indicators and its two report templates (BC-NQ42-6THANG, BC-NQ42-NAM): the
`report-build` command and the pages rely on these codes."""

from django.db import migrations


def seed(apps, schema_editor):
    from ansinh.reports.catalogue import catalogue_seed

    catalogue_seed(apps)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
