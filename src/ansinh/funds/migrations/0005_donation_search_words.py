"""Indexes of the public donation search on PostgreSQL (indexes only).

The public search (`ansinh.portal.selectors`) matches a name fragment as whole words
("nguyen van" → "NGUYỄN VĂN …"), newest first. Over a million lines the trigram index of
0003 answers such a fragment only by reading the long posting lists of common trigrams
("ngu", "uye", "yen": four Vietnamese in ten are Nguyễn) and then the table rows, hundreds of
milliseconds (bench/bench_portal.py). Instead:

- `funds_donation_page_text`: the paging order (campaign, received_on DESC, id DESC) with
  amount, donor and folded text included, so a common fragment is found by reading the
  newest rows in index order as an index-only scan, without touching the table;
- `funds_donation_search_words`: GIN over the words of the folded text, for a rare fragment
  (three short posting lists instead of a dozen long ones). The expression must stay exactly
  as `portal.selectors._PG_WORDS` spells it.

Folded texts are short (a bank memo is at most a few hundred characters; the donation form
takes 500), far below a b-tree entry's limit (about 2,700 bytes after compression).
"""

from django.db import migrations

FORWARD = """
CREATE INDEX IF NOT EXISTS funds_donation_page_text
    ON funds_donation (campaign_id, received_on DESC, id DESC)
    INCLUDE (amount, donor_id, search_text);
CREATE INDEX IF NOT EXISTS funds_donation_search_words
    ON funds_donation USING gin ((regexp_split_to_array(search_text, '[^a-z0-9]+')));
"""

BACKWARD = """
DROP INDEX IF EXISTS funds_donation_search_words;
DROP INDEX IF EXISTS funds_donation_page_text;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("funds", "0004_lean_indexes")]
    operations = [migrations.RunPython(forward, backward)]
