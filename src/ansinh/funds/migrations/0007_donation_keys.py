"""Ordered postings of the public name search (`DonationKey`, `DonationKeyCount`).

The word index (`funds_donationsearch_words`) finds the donations holding a fragment's
words, but a page newest first must then fetch and sort every one of them: 5–40 ms for a
common name over 1,000,000 donations (bench/bench_portal.py). The postings keep each key's
ids by day, newest first, so a page reads about a page of donations. PostgreSQL only (the
SQLite search reads the rows); existing donations are written here, those of an import not
yet in the word index by its catch-up.
"""

from django.db import migrations, models


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from ansinh.funds.search import write_all_keys

    write_all_keys(
        "d.statement_import_id IS NULL OR d.statement_import_id IN "
        "(SELECT i.id FROM funds_statementimport i WHERE i.searchable)",
        [],
    )


class Migration(migrations.Migration):

    dependencies = [
        ('funds', '0006_donation_search'),
    ]

    operations = [
        migrations.CreateModel(
            name='DonationKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.TextField(verbose_name='khoá tìm kiếm')),
                ('campaign_id', models.BigIntegerField(verbose_name='đợt vận động')),
                ('received_on', models.DateField(verbose_name='ngày nhận')),
                ('size', models.PositiveIntegerField(verbose_name='số khoản')),
                ('ids', models.BinaryField(verbose_name='các khoản')),
            ],
            options={
                'verbose_name': 'khoá tìm kiếm khoản ủng hộ',
                'verbose_name_plural': 'khoá tìm kiếm khoản ủng hộ',
                'indexes': [models.Index(models.F('key'), models.F('campaign_id'), models.OrderBy(models.F('received_on'), descending=True), name='funds_donationkey_day')],
            },
        ),
        migrations.CreateModel(
            name='DonationKeyCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('campaign_id', models.BigIntegerField(verbose_name='đợt vận động')),
                ('key', models.TextField(verbose_name='khoá tìm kiếm')),
                ('donations', models.BigIntegerField(default=0, verbose_name='số khoản')),
            ],
            options={
                'verbose_name': 'số khoản theo khoá tìm kiếm',
                'verbose_name_plural': 'số khoản theo khoá tìm kiếm',
                'constraints': [models.UniqueConstraint(fields=('campaign_id', 'key'), name='funds_keycount_unique')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
