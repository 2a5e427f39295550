"""Donation search by words: the word index (`DonationSearch`) and the match itself.

A fragment ("nguyen van", "Nguyễn Văn") matches a donation whose folded search text (donor
name + memo, see `Donation.search_text`) holds its words, in order, each a whole word.
On PostgreSQL the GIN index `funds_donationsearch_words` over the words of
`DonationSearch.search_text` narrows the rows first; the exact phrase is then checked on the
donation's own text. Both the public search (`ansinh.portal.selectors`) and the officers'
donation list use `matching`.

A statement import writes its donations without touching the word index (its transaction
holds the ledger head) and `search_catch_up` indexes them right after the commit. Until it
has, the import is marked not `searchable` and `matching` reads that import's rows directly,
so a search never misses a committed donation.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from .models import Donation, DonationSearch, StatementImport

WORD = re.compile(r"[a-z0-9]+")
# Characters of folded text kept for the search: a bank memo is a few hundred at most, and
# the text is in a b-tree entry of `funds_donation_page_text` (about 2,700 bytes at most), so
# a freak memo must not refuse a whole statement. The memo itself is kept whole.
SEARCH_TEXT_MAX = 1000
# The words of a folded text as PostgreSQL splits them for `funds_donationsearch_words`
# (migration 0006): the SQL must spell the expression exactly so for the index to answer.
PG_WORDS = "regexp_split_to_array(s.search_text, '[^a-z0-9]+')"


def fragment_words(fragment: str) -> list[str]:
    """The whole words of a folded fragment ("nguyen van" → ["nguyen", "van"])."""
    return WORD.findall(fragment)


def phrase_regex(words: list[str]) -> str:
    """The words, in order, each a whole word, with any separators between them."""
    return "(^|[^a-z0-9])" + "[^a-z0-9]+".join(words) + "([^a-z0-9]|$)"


def in_order(words: list[str]) -> str:
    """A LIKE pattern for the words in order (a cheap test before the exact regex)."""
    return "%" + "%".join(words) + "%"


# Rows whose words hold all the fragment's words, from the word index ...
_PG_INDEXED = f"SELECT s.donation_id FROM funds_donationsearch s WHERE {PG_WORDS} @> %s::text[]"  # noqa: S608 (constants only)
# ... and from imports whose rows are not in it yet (`funds_donation_import` finds them).
_PG_PENDING = (
    "SELECT u.id FROM funds_donation u WHERE u.statement_import_id = ANY(%s) "
    "AND (u.search_text || '') LIKE %s"
)


def _pending_imports() -> list[int]:
    """Imports committed but not yet in the word index: normally none. Asked apart (one
    small query) so that the planner never weighs reading donations for them."""
    return list(StatementImport.objects.filter(searchable=False).values_list("id", flat=True))


def matching(donations: QuerySet, words: list[str]) -> QuerySet:
    """`donations` whose folded text holds `words` as a phrase of whole words."""
    if not words:
        return donations
    regex = phrase_regex(words)
    if connection.vendor != "postgresql":
        longest = max(words, key=len)
        return donations.filter(search_text__contains=longest, search_text__regex=regex)
    # `|| ''` keeps the planner from looking for an index on the phrase check: the word
    # index has already narrowed the rows.
    pending = _pending_imports()
    sql, params = _PG_INDEXED, [words]
    if pending:
        sql, params = f"{sql} UNION ALL {_PG_PENDING}", [*params, pending, in_order(words)]
    candidates = RawSQL(f"funds_donation.id IN ({sql})", params, BooleanField())  # noqa: S611
    phrase = RawSQL(
        "(funds_donation.search_text || '') LIKE %s AND (funds_donation.search_text || '') ~ %s",
        [in_order(words), regex],
        BooleanField(),
    )
    return donations.filter(candidates, phrase)


def index_donation(donation: Donation) -> None:
    """Put one donation's search text in the word index (a donation saved one by one)."""
    DonationSearch.objects.update_or_create(
        donation_id=donation.pk, defaults={"search_text": donation.search_text}
    )


def search_catch_up(progress: Callable[[int, int | None], None] | None = None) -> int:
    """Index the donations of every import not yet `searchable`; returns how many.

    Each import in its own transaction, its row locked (SKIP LOCKED: two catch-ups running
    at once share the work), the rows and the flag committed together."""
    done = 0
    while True:
        with transaction.atomic():
            pending = (
                StatementImport.objects.select_for_update(skip_locked=True)
                .filter(searchable=False)
                .order_by("id")
                .first()
            )
            if pending is None:
                return done
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO funds_donationsearch (donation_id, search_text) "
                    "SELECT d.id, d.search_text FROM funds_donation d "
                    "WHERE d.statement_import_id = %s AND NOT EXISTS "
                    "(SELECT 1 FROM funds_donationsearch s WHERE s.donation_id = d.id)",
                    [pending.pk],
                )
                done += cursor.rowcount
            StatementImport.objects.filter(pk=pending.pk).update(searchable=True)
        if progress:
            progress(done, None)
