"""Fewer indexes on people and households: each one is paid by every imported row (ADR 0006).

Model state: `scope_path` is indexed once, with the status on people, in the pattern operator
class (`LIKE 'path%'` scoping in any collation; plain on SQLite); `status` alone, the union unit,
the import batch and the households' commune alone lose their indexes (nothing reads them:
every status filter is "active", nearly every row; people of a unit are found by scope, a
record number by the partial unique (unit, record_number); the commune is the first column
of (commune, poverty));
`merged_into` gets a partial index (nearly every row is NULL).

PostgreSQL, outside the model state (like 0003/0004): the `varchar_pattern_ops` ("_like")
twins Django adds to indexed CharFields are dropped where nothing matches a prefix
(citizen ID, phone: exact lookups only; the folded name: `name_folded` is read through 0004's
`(name_folded, id) INCLUDE (status)` btree, which also serves every equality the plain
index did, so that one goes too). SQLite keeps its plain `name_folded` index (its search
walks names in rowid order through it).

SQLite applies the field changes by rebuilding the tables, which drops the search triggers
and 0004's extra index: they are put back (and the names collected) at the end, and again
when going backwards.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from ansinh.registry import search

# (name, definition) of the PostgreSQL indexes dropped outside the model state.
PG_DROPPED = [
    ("registry_person_citizen_id_07295874_like", "(citizen_id varchar_pattern_ops)"),
    ("registry_person_phone_812471c7_like", "(phone varchar_pattern_ops)"),
    ("registry_person_name_folded_dbd26bae_like", "(name_folded varchar_pattern_ops)"),
    ("registry_person_name_folded_dbd26bae", "(name_folded)"),
]


def pg_drop(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name, _definition in PG_DROPPED:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
    sqlite_search_reinstall(apps, schema_editor)


def pg_create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name, definition in PG_DROPPED:
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON registry_person {definition}")


def sqlite_search_reinstall(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        search.sqlite_names_reinstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('geo', '0001_initial'),
        ('org', '0002_unit_open_start_unique'),
        ('registry', '0004_search_perf'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Going backwards this runs last, after the tables were rebuilt again.
        migrations.RunPython(migrations.RunPython.noop, sqlite_search_reinstall),
        migrations.RemoveIndex(
            model_name='person',
            name='registry_pe_scope_p_529ba2_idx',
        ),
        migrations.AlterField(
            model_name='household',
            name='commune',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='households', to='geo.adminunit', verbose_name='xã/phường'),
        ),
        migrations.AlterField(
            model_name='household',
            name='scope_path',
            field=models.CharField(editable=False, max_length=255, verbose_name='phạm vi'),
        ),
        migrations.AlterField(
            model_name='person',
            name='import_batch',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='people', to='registry.importbatch', verbose_name='đợt nhập'),
        ),
        migrations.AlterField(
            model_name='person',
            name='merged_into',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged_records', to='registry.person', verbose_name='đã gộp vào'),
        ),
        migrations.AlterField(
            model_name='person',
            name='scope_path',
            field=models.CharField(editable=False, max_length=255, verbose_name='phạm vi'),
        ),
        migrations.AlterField(
            model_name='person',
            name='status',
            field=models.CharField(choices=[('active', 'Đang quản lý'), ('moved', 'Chuyển đi'), ('deceased', 'Đã mất'), ('exited_poverty', 'Đã thoát nghèo'), ('merged', 'Đã gộp vào hồ sơ khác')], default='active', max_length=16, verbose_name='tình trạng'),
        ),
        migrations.AlterField(
            model_name='person',
            name='unit',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='people', to='org.unionunit', verbose_name='cơ sở Hội quản lý'),
        ),
        migrations.AddIndex(
            model_name='household',
            index=models.Index(fields=['scope_path'], name='registry_household_scope', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['scope_path', 'status'], name='registry_person_scope', opclasses=['varchar_pattern_ops', 'varchar_ops']),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(condition=models.Q(('merged_into__isnull', False)), fields=['merged_into'], name='registry_person_merged_into'),
        ),
        migrations.RunPython(pg_drop, pg_create),
    ]
