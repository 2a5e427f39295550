"""Indexes of the public donation search on PostgreSQL (a million lines and more).

Name fragment: trigram GIN on the folded search text (pg_trgm, installed by registry 0003);
newest-first paging and amount search per campaign: b-tree indexes in the paging order.
"""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS funds_donation_search_trgm
    ON funds_donation USING gin (search_text gin_trgm_ops);
CREATE INDEX IF NOT EXISTS funds_donation_page
    ON funds_donation (campaign_id, received_on DESC, id DESC);
CREATE INDEX IF NOT EXISTS funds_donation_amount
    ON funds_donation (campaign_id, amount, received_on DESC, id DESC);
"""

BACKWARD = """
DROP INDEX IF EXISTS funds_donation_search_trgm;
DROP INDEX IF EXISTS funds_donation_page;
DROP INDEX IF EXISTS funds_donation_amount;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("funds", "0002_append_only"), ("registry", "0003_search")]
    operations = [migrations.RunPython(forward, backward)]
