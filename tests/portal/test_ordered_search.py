"""The public name search through the ordered postings (`funds.search.ordered_matches`).

Every way the postings are read — a small key with the counts, a large key in rounds, the
second key read up front or only when few ids match — must give exactly the pages a plain
filter gives: the same donations, newest first, each once across pages, never a hidden
donor's. The statement import, one-by-one gifts and a resolved review all write postings.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import re

import pytest
from django.db import OperationalError, connection, transaction

from ansinh.core import prepared
from ansinh.core.text import fold
from ansinh.funds import search
from ansinh.funds import services as funds
from ansinh.funds.models import Donation, DonationKey, DonationKeyCount
from ansinh.funds.statements import statement_import
from ansinh.portal import selectors

pytestmark = pytest.mark.django_db

SURNAMES = ["NGUYEN", "NGUYEN", "NGUYEN", "TRAN", "LE", "PHAM"]
MIDDLES = ["THI", "VAN", "NGOC", "MINH"]
GIVENS = ["HOA", "LAN", "MAI", "BINH", "AN", "HUNG"]


def test_keys_are_alphabetic_words_and_runs_of_two_and_three():
    assert search.search_keys("mbvcb.12.nguyen thi hoa chuyen") == {
        "mbvcb",
        "nguyen",
        "thi",
        "hoa",
        "chuyen",
        "nguyen thi",
        "thi hoa",
        "hoa chuyen",
        "nguyen thi hoa",
        "thi hoa chuyen",
    }
    # a word with digits is no key and breaks the runs around it
    assert search.search_keys("an 24 binh ft24abc") == {"an", "binh"}
    assert search.fragment_keys(["thi", "hoa"]) == {"thi", "hoa", "thi hoa"}
    assert search._implied("thi hoa", "nguyen thi hoa")
    assert not search._implied("hoa thi", "nguyen thi hoa")
    assert not search._implied("nguyen hoa", "nguyen thi hoa")


def _statement(path, lines):
    path.write_text("date,money,content\n" + "".join(f"{line}\n" for line in lines))
    return path


def _names(rng, count):
    return [
        " ".join([rng.choice(SURNAMES), rng.choice(MIDDLES), rng.choice(GIVENS)])
        for _n in range(count)
    ]


@pytest.fixture
def donations(world, tmp_path):
    """About 400 donations over 6 days: two statements (the second adds to days the first
    has, so some days have two blocks), one-by-one gifts on those days, a resolved name."""
    rng = random.Random(42)
    first = [
        f"{10 + number % 3:02d}/09/2024,{rng.choice([50_000, 100_000])},"
        f"MBVCB.{number}.{name} chuyen tien"
        for number, name in enumerate(_names(rng, 200))
    ]
    second = [
        f"{12 + number % 3:02d}/09/2024,{rng.choice([20_000, 50_000])},{number}.{name} ung ho"
        for number, name in enumerate(_names(rng, 200))
    ]
    statement_import(
        campaign=world.campaign, path=_statement(tmp_path / "a.csv", first), actor=None
    )
    statement_import(
        campaign=world.campaign, path=_statement(tmp_path / "b.csv", second), actor=None
    )
    for number, name in enumerate(_names(rng, 12)):
        funds.donation_record(
            actor=None,
            campaign=world.campaign,
            kind=Donation.Kind.BANK,
            amount=30_000 + number,
            received_on=dt.date(2024, 9, 10 + number % 6),
            donor_name=name.title(),
            memo=f"IBFT {name} ung ho",
        )
    return world


def _expected(campaign, words, filters: selectors.DonationFilters) -> list[int]:
    """The answer by brute force: every donation, checked in Python."""
    phrase = re.compile(search.phrase_regex(words))
    rows = []
    for donation in Donation.objects.filter(campaign=campaign).select_related("donor"):
        if donation.donor is not None and not donation.donor.shows_name_publicly:
            continue
        if not phrase.search(donation.search_text):
            continue
        if filters.amount_min is not None and donation.amount < filters.amount_min:
            continue
        if filters.amount_max is not None and donation.amount > filters.amount_max:
            continue
        if filters.date_from and donation.received_on < filters.date_from:
            continue
        if filters.date_to and donation.received_on > filters.date_to:
            continue
        rows.append((donation.received_on, donation.pk))
    return [pk for _day, pk in sorted(rows, reverse=True)]


def _walk(campaign, filters, limit) -> list[int]:
    """Every page of the search, following the cursors: the ids in page order."""
    seen, cursor = [], None
    while True:
        page = selectors._donation_page(campaign, filters, cursor=cursor, limit=limit)
        # the page rows carry no id: find them by what they show, in the page's order
        seen += [row.received_on.isoformat() + f"|{row.amount}|{row.memo}" for row in page.rows]
        if not page.next_cursor:
            return seen
        cursor = selectors.Cursor.parse(page.next_cursor)


def _shown(campaign, ids) -> list[str]:
    rows = {
        row[0]: selectors._public_row(row)
        for row in Donation.objects.filter(pk__in=ids).values_list(*selectors._COLUMNS)
    }
    return [rows[pk].received_on.isoformat() + f"|{rows[pk].amount}|{rows[pk].memo}" for pk in ids]


FRAGMENTS = [
    "nguyen thi hoa",  # a full name: one key
    "nguyen thi hoa chuyen",  # two runs of three: narrowed by the second
    "tran van",
    "thi lan",
    "hung",
    "nguyen",  # a common word
    "minh an ung",
    "tran ngoc binh chuyen tien",
    "le thi zzz",  # a word nobody has
]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize(
    "settings_",
    [
        {},
        {"SMALL_KEY": 0},  # no key comes with the counts: read in rounds, narrowed later
        {"SMALL_KEY": 0, "WHOLE_KEY": 0},  # a few blocks at a time
        {"SECOND_KEY_MAX": 0},  # never narrowed
    ],
)
def test_every_way_of_reading_the_postings_gives_the_plain_answer(
    donations, monkeypatch, settings_
):
    for name, value in settings_.items():
        monkeypatch.setattr(search, name, value)
    monkeypatch.setattr(search, "FIRST_BLOCKS", 2)
    campaign = donations.campaign
    for fragment in FRAGMENTS:
        words = search.fragment_words(fragment)
        for filters in (
            selectors.DonationFilters(fragment=fragment),
            selectors.DonationFilters(
                fragment=fragment, date_from=dt.date(2024, 9, 11), date_to=dt.date(2024, 9, 13)
            ),
            selectors.DonationFilters(fragment=fragment, amount_min=50_000, amount_max=50_000),
        ):
            expected = _expected(campaign, words, filters)
            for limit in (3, 50):
                assert _walk(campaign, filters, limit) == _shown(campaign, expected), (
                    fragment,
                    filters,
                    limit,
                )
    # the data gives the full name several pages and the missing word none
    assert len(_expected(campaign, ["nguyen", "thi", "hoa"], selectors.DonationFilters())) > 3
    assert _expected(campaign, ["le", "thi", "zzz"], selectors.DonationFilters()) == []


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_postings_answer_and_the_other_ways_agree(donations, monkeypatch):
    """The postings, the newest-rows window and the word index give the same pages."""
    campaign = donations.campaign
    calls = []
    real = search.ordered_matches

    def counted(*args, **kwargs):
        answer = real(*args, **kwargs)
        calls.append(answer is not None)
        return answer

    monkeypatch.setattr(search, "ordered_matches", counted)
    for fragment in FRAGMENTS:
        filters = selectors.DonationFilters(fragment=fragment)
        through_postings = _walk(campaign, filters, 4)
        monkeypatch.setattr(search, "ordered_matches", lambda *a, **k: None)
        other_ways = _walk(campaign, filters, 4)
        monkeypatch.setattr(search, "ordered_matches", counted)
        assert through_postings == other_ways, fragment
    assert calls and all(calls)  # the postings answered every one


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_imports_gifts_and_resolved_names_write_postings(donations):
    campaign = donations.campaign
    total = Donation.objects.filter(campaign=campaign).count()
    nguyen = DonationKeyCount.objects.get(campaign_id=campaign.pk, key="nguyen").donations
    assert (
        nguyen
        == Donation.objects.filter(
            campaign=campaign, search_text__regex=r"(^|[^a-z0-9])nguyen([^a-z0-9]|$)"
        ).count()
    )
    assert DonationKey.objects.filter(campaign_id=campaign.pk).exists() and total > 400
    # a review resolved by an officer: found by the new name at once
    donation = Donation.objects.filter(campaign=campaign).order_by("id").first()
    Donation.objects.filter(pk=donation.pk).update(
        search_text=fold("Đinh Thị Quyên") + " " + donation.search_text
    )
    donation.refresh_from_db()
    search.index_donation(donation)
    page = selectors.donation_search(campaign, selectors.DonationFilters(fragment="dinh thi quyen"))
    assert len(page.rows) == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize("copy_from", [0, 10**9])  # counts by COPY, or as arrays
def test_the_migration_writes_the_postings_of_existing_donations(donations, monkeypatch, copy_from):
    monkeypatch.setattr(search, "COUNTS_COPY_FROM", copy_from)
    campaign = donations.campaign
    before = _walk(campaign, selectors.DonationFilters(fragment="nguyen thi"), 7)
    counts = dict(DonationKeyCount.objects.values_list("key", "donations"))
    DonationKey.objects.all().delete()
    DonationKeyCount.objects.all().delete()
    migration = importlib.import_module("ansinh.funds.migrations.0007_donation_keys")
    migration.fill(None, type("Editor", (), {"connection": connection})())
    assert dict(DonationKeyCount.objects.values_list("key", "donations")) == counts
    assert _walk(campaign, selectors.DonationFilters(fragment="nguyen thi"), 7) == before


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_prepared_query_cancelled_by_the_timeout_is_a_django_error():
    with pytest.raises(OperationalError, match="statement timeout"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 20")
        prepared.fetch("SELECT pg_sleep(%s)", [1])
    assert prepared.fetch("SELECT %s::int + 1", [1]) == [(2,)]


def test_the_python_phrase_check_agrees_with_the_phrase_regex():
    """`holds` (the check of a name search's rows) and `phrase_regex` (the database's) say
    the same of random texts: separators, digits, repeated and partial words."""
    rng = random.Random(1)
    pieces = ["an", "thi", "hoa", "12", "x", "nguyen", "an2", "thi-hoa", "hoan"]
    for _n in range(5000):
        text = rng.choice(["", " ", ".", "-"]).join(
            rng.choice(pieces) for _m in range(rng.randrange(0, 8))
        )
        text = "".join(c if rng.random() > 0.05 else rng.choice(".,- /") for c in text)
        words = search.fragment_words(
            " ".join(rng.choice(["an", "thi", "hoa", "12", "nguyen"]) for _m in range(3))[
                : rng.randrange(2, 20)
            ]
        )
        if not words:
            continue
        expected = re.search(search.phrase_regex(words), text) is not None
        assert search.holds(text, words) is expected, (text, words)
