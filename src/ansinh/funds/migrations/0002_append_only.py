"""On PostgreSQL the ledger is append-only and donation amounts cannot be edited in place.

Journal entries and postings refuse UPDATE and DELETE (function `ansinh_refuse_change` from
core 0002). A donation's money fields (campaign, kind, amount, date, statement line) refuse
UPDATE; its other fields (donor identified from the review queue, public name) may change.
Corrections are reversing entries.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION ansinh_refuse_money_edit() RETURNS trigger AS $$
BEGIN
    IF NEW.amount IS DISTINCT FROM OLD.amount OR NEW.campaign_id IS DISTINCT FROM OLD.campaign_id
       OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.received_on IS DISTINCT FROM OLD.received_on
       OR NEW.line_key IS DISTINCT FROM OLD.line_key THEN
        RAISE EXCEPTION 'money is never edited in place (% %): post a reversing entry',
            TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS funds_journalentry_append_only ON funds_journalentry;
CREATE TRIGGER funds_journalentry_append_only BEFORE UPDATE OR DELETE ON funds_journalentry
    FOR EACH ROW EXECUTE FUNCTION ansinh_refuse_change();
DROP TRIGGER IF EXISTS funds_posting_append_only ON funds_posting;
CREATE TRIGGER funds_posting_append_only BEFORE UPDATE OR DELETE ON funds_posting
    FOR EACH ROW EXECUTE FUNCTION ansinh_refuse_change();
DROP TRIGGER IF EXISTS funds_donation_money ON funds_donation;
CREATE TRIGGER funds_donation_money BEFORE UPDATE ON funds_donation
    FOR EACH ROW EXECUTE FUNCTION ansinh_refuse_money_edit();
DROP TRIGGER IF EXISTS funds_donation_no_delete ON funds_donation;
CREATE TRIGGER funds_donation_no_delete BEFORE DELETE ON funds_donation
    FOR EACH ROW EXECUTE FUNCTION ansinh_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS funds_journalentry_append_only ON funds_journalentry;
DROP TRIGGER IF EXISTS funds_posting_append_only ON funds_posting;
DROP TRIGGER IF EXISTS funds_donation_money ON funds_donation;
DROP TRIGGER IF EXISTS funds_donation_no_delete ON funds_donation;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial"), ("core", "0002_auditevent_append_only")]
    operations = [migrations.RunPython(forward, backward)]
