"""The donation search's words move to their own table (DonationSearch).

A statement import wrote 200,000 donations through eleven indexes; the trigram and word GIN
indexes of the search were two thirds of its time (bench/bench_funds.py: 8.5 s and 6.5 s of
24 s for the real statement). The word index now lives on `funds_donationsearch`, filled
after the import's commit; the trigram index goes (the officers' list searches words too);
`funds_donation_page` and `funds_donation_day` go on PostgreSQL, where
`funds_donation_page_text` has the same keys. SQLite keeps one paging index.
"""

import django.db.models.deletion
from django.db import migrations, models


# The expression must stay exactly as `ansinh.funds.search.PG_WORDS` spells it.
PG_FORWARD = """
DROP INDEX IF EXISTS funds_donation_search_trgm;
DROP INDEX IF EXISTS funds_donation_search_words;
DROP INDEX IF EXISTS funds_donation_page;
INSERT INTO funds_donationsearch (donation_id, search_text)
    SELECT id, search_text FROM funds_donation;
CREATE INDEX funds_donationsearch_words ON funds_donationsearch
    USING gin ((regexp_split_to_array(search_text, '[^a-z0-9]+')));
"""

PG_BACKWARD = """
CREATE INDEX IF NOT EXISTS funds_donation_search_trgm
    ON funds_donation USING gin (search_text gin_trgm_ops);
CREATE INDEX IF NOT EXISTS funds_donation_search_words
    ON funds_donation USING gin ((regexp_split_to_array(search_text, '[^a-z0-9]+')));
CREATE INDEX IF NOT EXISTS funds_donation_page
    ON funds_donation (campaign_id, received_on DESC, id DESC);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS funds_donation_page "
        "ON funds_donation (campaign_id, received_on DESC, id DESC)"
    )
    schema_editor.execute(
        "INSERT INTO funds_donationsearch (donation_id, search_text) "
        "SELECT id, search_text FROM funds_donation"
    )


def backward_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    else:
        schema_editor.execute("DROP INDEX IF EXISTS funds_donation_page")


class Migration(migrations.Migration):

    dependencies = [
        ('funds', '0005_donation_search_words'),
    ]

    operations = [
        migrations.RunPython(lambda apps, editor: None, backward_indexes),
        migrations.CreateModel(
            name='DonationSearch',
            fields=[
                ('donation', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search', serialize=False, to='funds.donation', verbose_name='khoản ủng hộ')),
                ('search_text', models.TextField(blank=True, verbose_name='chuỗi tìm kiếm')),
            ],
            options={
                'verbose_name': 'chỉ mục tìm kiếm khoản ủng hộ',
                'verbose_name_plural': 'chỉ mục tìm kiếm khoản ủng hộ',
            },
        ),
        migrations.RemoveIndex(
            model_name='donation',
            name='funds_donation_day',
        ),
        migrations.AddField(
            model_name='statementimport',
            name='searchable',
            field=models.BooleanField(default=True, verbose_name='đã vào chỉ mục tìm kiếm'),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
