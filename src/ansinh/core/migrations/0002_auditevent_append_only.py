"""On PostgreSQL, the audit table refuses UPDATE and DELETE (append-only at the database).

Even a bug or a hand-typed SQL statement from the application role cannot rewrite history;
only the database owner disabling the trigger could, and that itself is visible.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION ansinh_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION ansinh_refuse_change();
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL holds literal "%" (RAISE format), not placeholders.
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
