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

On PostgreSQL the catch-up also writes the ordered postings of the public name search
(`DonationKey`, with `DonationKeyCount`): for each search key — an alphabetic word, or a
run of two or three of them — the ids of each day's donations holding it, newest first
(docs/adr/0009).
`ordered_matches` reads the blocks of a fragment's rarest key newest day first and checks
the phrase on a page's worth of donations at a time: a page of "thi hoa" costs about as
much as the page itself, however many donations match, where the word index must fetch and
sort every match first.
"""

from __future__ import annotations

import datetime as dt
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from ansinh.core import prepared

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


def holds(text: str, words: list[str]) -> bool:
    """Whether the folded `text` holds `words` as a phrase of whole words (what
    `phrase_regex` matches, without compiling a pattern per fragment)."""
    found = WORD.findall(text)
    first, size = words[0], len(words)
    return any(
        found[at : at + size] == words for at in range(len(found) - size + 1) if found[at] == first
    )


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
    if connection.vendor != "postgresql":
        longest = max(words, key=len)
        return donations.filter(
            search_text__contains=longest, search_text__regex=phrase_regex(words)
        )
    pending = _pending_imports()
    sql, params = _PG_INDEXED, [words]
    if pending:
        sql, params = f"{sql} UNION ALL {_PG_PENDING}", [*params, pending, in_order(words)]
    candidates = RawSQL(f"funds_donation.id IN ({sql})", params, BooleanField())  # noqa: S611
    return donations.filter(candidates, phrase_filter(words))


def index_donation(donation: Donation) -> None:
    """Put one donation's search text in the word index (a donation saved one by one)."""
    DonationSearch.objects.update_or_create(
        donation_id=donation.pk, defaults={"search_text": donation.search_text}
    )
    if connection.vendor == "postgresql":
        write_keys(
            [(donation.pk, donation.campaign_id, donation.received_on, donation.search_text)]
        )


# An import's donations into the word index (those not in it yet).
_INDEX_IMPORT = (
    "INSERT INTO funds_donationsearch (donation_id, search_text) "
    "SELECT d.id, d.search_text FROM funds_donation d "
    "WHERE d.statement_import_id = %s AND NOT EXISTS "
    "(SELECT 1 FROM funds_donationsearch s WHERE s.donation_id = d.id)"
)


def _catch_up_postgresql(import_id: int) -> int:
    """An import's rows into the word index and the postings, KEYS_CHUNK at a time. The
    postings' keys are made in a thread while the database fills the word index (a wait
    for this thread), so the two take about as long as the longer one."""
    writer = KeyWriter()
    done = 0
    with connection.cursor() as cursor, ThreadPoolExecutor(max_workers=1) as thread:
        for rows in _donation_chunks("d.statement_import_id = %s", [import_id]):
            keys = thread.submit(writer.add, rows)
            try:
                cursor.execute(
                    f"{_INDEX_IMPORT} AND d.id BETWEEN %s AND %s",
                    [import_id, rows[0][0], rows[-1][0]],
                )
                done += cursor.rowcount
            finally:
                keys.result()  # its error, if any, is raised here
    writer.write()
    return done


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
            if connection.vendor == "postgresql":
                done += _catch_up_postgresql(pending.pk)
            else:
                with connection.cursor() as cursor:
                    cursor.execute(_INDEX_IMPORT, [pending.pk])
                    done += cursor.rowcount
            StatementImport.objects.filter(pk=pending.pk).update(searchable=True)
        if progress:
            progress(done, None)


# --- ordered postings (PostgreSQL) --------------------------------------------------------


def search_keys(text: str) -> set[str]:
    """The search keys of a folded text: its alphabetic words, and each two and three of
    them that stand next to each other ("mbvcb 12 nguyen thi hoa" → mbvcb, nguyen, thi, hoa,
    "nguyen thi", "thi hoa", "nguyen thi hoa"): a full name is one key, held by few. Words
    with digits (references, accounts) are not keys and break the runs: they are rare, and
    the phrase check finds them among the rows a key gives."""
    keys: set[str] = set()
    before = previous = ""
    for word in WORD.findall(text):
        if word.isalpha():
            keys.add(word)
            if previous:
                keys.add(f"{previous} {word}")
                if before:
                    keys.add(f"{before} {previous} {word}")
            before, previous = previous, word
        else:
            before = previous = ""
    return keys


class KeyWriter:
    """The postings of (id, campaign id, day received, search text) rows, gathered with
    `add` and written by `write`: one block per key, campaign and day, ids newest first;
    the keys' counts added to."""

    def __init__(self) -> None:
        # (campaign id, day) → key → ids, in the order added
        self.days: defaultdict[tuple[int, dt.date], dict[str, array]] = defaultdict(dict)
        self.last = 0  # the highest id added: while ids only grow, no block needs a sort
        self.ascending = True

    def add(self, rows: Iterable[tuple[int, int, dt.date, str]]) -> None:
        days = self.days
        last, ascending = self.last, self.ascending
        for pk, campaign_id, day, text in rows:
            if pk <= last:
                ascending = False
            last = max(last, pk)
            keys = days[(campaign_id, day)]
            for key in search_keys(text):
                ids = keys.get(key)
                if ids is None:
                    keys[key] = array("q", (pk,))
                else:
                    ids.append(pk)
        self.last, self.ascending = last, ascending

    def write(self) -> int:
        """Write what was gathered (one binary COPY, one upsert of the counts); returns how
        many blocks."""
        if not self.days:
            return 0
        counts: Counter[tuple[int, str]] = Counter()
        blocks = 0
        with connection.cursor() as cursor:
            columns = "key, campaign_id, received_on, size, ids"
            with cursor.copy(
                f"COPY funds_donationkey ({columns}) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["text", "int8", "date", "int4", "bytea"])
                for (campaign_id, day), keys in self.days.items():
                    for key, ids in keys.items():
                        if self.ascending:
                            ids.reverse()
                        else:
                            ids = array("q", sorted(set(ids), reverse=True))
                        copy.write_row((key, campaign_id, day, len(ids), ids.tobytes()))
                        counts[(campaign_id, key)] += len(ids)
                        blocks += 1
            _add_counts(cursor, counts)
        self.__init__()
        return blocks


_UPSERT_COUNTS = (
    "INSERT INTO funds_donationkeycount (campaign_id, key, donations) {source} "
    "ON CONFLICT (campaign_id, key) DO UPDATE "
    "SET donations = funds_donationkeycount.donations + EXCLUDED.donations"
)
# Counts written through a temporary table (binary COPY) past this many keys: building one
# array literal of an import's 270,000 keys cost more than the upsert.
COUNTS_COPY_FROM = 1000


def _add_counts(cursor, counts: Counter[tuple[int, str]]) -> None:
    """Add to the keys' counts, in (campaign, key) order so that two writers lock them in
    the same order."""
    ordered = sorted(counts.items())
    if len(ordered) < COUNTS_COPY_FROM:
        cursor.execute(
            _UPSERT_COUNTS.format(
                source="SELECT * FROM unnest(%s::bigint[], %s::text[], %s::bigint[])"
            ),
            [
                [campaign_id for (campaign_id, _key), _n in ordered],
                [key for (_campaign_id, key), _n in ordered],
                [n for _ck, n in ordered],
            ],
        )
        return
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS funds_keycount_new "
        "(campaign_id bigint, key text, donations bigint) ON COMMIT DELETE ROWS"
    )
    with cursor.copy(
        "COPY funds_keycount_new (campaign_id, key, donations) FROM STDIN (FORMAT BINARY)"
    ) as copy:
        copy.set_types(["int8", "text", "int8"])
        for (campaign_id, key), donations in ordered:
            copy.write_row((campaign_id, key, donations))
    cursor.execute(
        _UPSERT_COUNTS.format(
            source="SELECT campaign_id, key, donations FROM funds_keycount_new "
            "ORDER BY campaign_id, key"
        )
    )
    cursor.execute("DELETE FROM funds_keycount_new")


def write_keys(rows: Iterable[tuple[int, int, dt.date, str]]) -> int:
    """Write the postings of these rows (see `KeyWriter`); returns how many blocks."""
    writer = KeyWriter()
    writer.add(rows)
    return writer.write()


# Donations read at a time to write the postings of many (memory, not speed).
KEYS_CHUNK = 100_000


def _donation_chunks(where: str, params: list) -> Iterator[list[tuple]]:
    """(id, campaign id, day received, search text) of the donations `where` selects (SQL
    on `funds_donation d`), KEYS_CHUNK at a time in id order."""
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT d.id, d.campaign_id, d.received_on, d.search_text "  # noqa: S608 (constants)
                f"FROM funds_donation d WHERE ({where}) AND d.id > %s ORDER BY d.id LIMIT %s",
                [*params, last, KEYS_CHUNK],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]


def write_all_keys(where: str, params: list) -> int:
    """Write the postings of the donations `where` selects, read KEYS_CHUNK at a time and
    written once; returns how many blocks."""
    writer = KeyWriter()
    for rows in _donation_chunks(where, params):
        writer.add(rows)
    return writer.write()


def fragment_keys(words: list[str]) -> set[str]:
    """The keys every text holding the phrase `words` holds."""
    return search_keys(" ".join(words))


# Every key's count and, for keys fewer than `SMALL_KEY` donations hold, their blocks in
# the day range; a row without a key when an import of the campaign is not in the postings.
_KEYS_AND_BLOCKS = (
    "SELECT c.key, c.donations, b.received_on, b.ids FROM funds_donationkeycount c "
    "LEFT JOIN LATERAL (SELECT k.received_on, k.ids FROM funds_donationkey k "
    "WHERE k.key = c.key AND k.campaign_id = c.campaign_id AND k.received_on BETWEEN %s AND %s "
    "AND c.donations <= %s) b ON true WHERE c.campaign_id = %s AND c.key = ANY(%s::text[]) "
    "UNION ALL SELECT NULL, i.id, NULL, NULL FROM funds_statementimport i "
    "WHERE i.campaign_id = %s AND NOT i.searchable"
)
# Keys fewer donations hold than this are read with the counts (a name's runs of words).
SMALL_KEY = 12_000


def key_blocks(
    campaign_id: int, keys: set[str], low: dt.date, high: dt.date
) -> tuple[dict[str, int], dict[str, list]] | None:
    """(donations holding each key, blocks of the small keys between low and high), in one
    round trip; a key no donation holds has no count. None when an import of the campaign
    is not in the postings yet."""
    counts: dict[str, int] = {}
    blocks: defaultdict[str, list] = defaultdict(list)
    rows = prepared.fetch(
        _KEYS_AND_BLOCKS, [low, high, SMALL_KEY, campaign_id, list(keys), campaign_id]
    )
    for key, donations, day, packed in rows:
        if key is None:
            return None
        counts[key] = donations
        if day is not None:
            blocks[key].append((day, packed))
    return counts, blocks


_BLOCKS = (
    "SELECT received_on, ids FROM funds_donationkey WHERE key = %s AND campaign_id = %s "
    "AND received_on BETWEEN %s AND %s ORDER BY received_on DESC"
)
# Blocks read in the first round trip of a common key; each further one reads twice as
# many. A key fewer donations hold than `WHOLE_KEY` is read in one round trip.
FIRST_BLOCKS = 2
WHOLE_KEY = 50_000
# A second key is read to narrow the rows to check only when fewer donations hold it.
SECOND_KEY_MAX = 200_000


def _days(rows) -> list[tuple[dt.date, list[int]]]:
    """Blocks (day, packed ids) → (day, ids newest first), newest day first."""
    days: dict[dt.date, list[int]] = {}
    merged: set[dt.date] = set()
    for day, packed in rows:
        ids = array("q", bytes(packed)).tolist()
        if day in days:
            days[day].extend(ids)
            merged.add(day)
        else:
            days[day] = ids
    for day in merged:  # several writes on this day
        days[day] = sorted(set(days[day]), reverse=True)
    return sorted(days.items(), reverse=True)


def key_days(
    campaign_id: int, key: str, low: dt.date, high: dt.date, *, whole: bool = False
) -> Iterator[tuple[dt.date, list[int]]]:
    """(day, ids of that day holding `key`, newest first), newest day first, low..high:
    in one round trip when `whole`, else a few blocks first and more each time."""
    if whole:
        yield from _days(prepared.fetch(_BLOCKS, [key, campaign_id, low, high]))
        return
    limit = FIRST_BLOCKS
    while low <= high:
        rows = prepared.fetch(f"{_BLOCKS} LIMIT %s", [key, campaign_id, low, high, limit])
        if len(rows) == limit:
            # The last day read may have more blocks: read it again next time, or whole
            # now when it is the only day read.
            last_day = rows[-1][0]
            rows = [row for row in rows if row[0] != last_day]
            if not rows:
                rows = prepared.fetch(_BLOCKS, [key, campaign_id, last_day, last_day])
                high = last_day - dt.timedelta(days=1)
            else:
                high = last_day
        else:
            high = low - dt.timedelta(days=1)
        if not rows:
            return
        yield from _days(rows)
        limit *= 2


def _key_ids(campaign_id: int, key: str, low: dt.date, high: dt.date) -> set[int]:
    return {
        pk
        for _day, ids in _days(prepared.fetch(_BLOCKS, [key, campaign_id, low, high]))
        for pk in ids
    }


def phrase_filter(words: list[str]) -> RawSQL:
    """The exact check: the folded text holds `words` as a phrase of whole words (PG)."""
    # `|| ''` keeps the planner from looking for an index on the phrase check.
    return RawSQL(
        "(funds_donation.search_text || '') LIKE %s AND (funds_donation.search_text || '') ~ %s",
        [in_order(words), phrase_regex(words)],
        BooleanField(),
    )


# The widest day range the ordered search reads when the visitor gives none.
_EARLIEST, _LATEST = dt.date(1900, 1, 1), dt.date(9999, 12, 31)


def _implied(key: str, by: str) -> bool:
    """Whether every text holding `by` holds `key`: its words run inside `by`'s ("thi hoa"
    by "nguyen thi hoa")."""
    return holds(by, key.split())


def ordered_matches(
    check: Callable[[list[int]], list[tuple]],
    *,
    campaign_id: int,
    words: list[str],
    wanted: int,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    after: tuple[dt.date, int] | None = None,
) -> list[tuple] | None:
    """The first `wanted` donations of the campaign, newest first by (received_on, id), whose
    text holds the phrase `words` and that `check` keeps, read through the postings
    (PostgreSQL). `check(ids)` returns the rows of those ids that match (the phrase and
    every other filter), each starting with (id, received_on); `after` is a keyset cursor.

    The ids of the fragment's rarest key are checked newest first, a batch at a time, kept
    to those its second rarest key (one the first does not imply) holds too: for a full
    name, "tran thi" beside "thi lan". A small second key comes with the counts; a larger
    one is read only when the first batch shows few ids match. None when the postings
    cannot answer: no alphabetic word in the fragment, or an import not yet in them
    (`search_catch_up`); the caller then reads another way."""
    keys = fragment_keys(words)
    if not keys or connection.vendor != "postgresql":
        return None
    low, high = date_from or _EARLIEST, date_to or _LATEST
    if after is not None:
        high = min(high, after[0])
    read = key_blocks(campaign_id, keys, low, high)
    if read is None:
        return None
    counts, blocks = read
    if len(counts) < len(keys):
        return []  # a key no donation holds
    rarest = sorted(keys, key=lambda key: (counts[key], key))
    first = rarest[0]
    second = next((key for key in rarest[1:] if not _implied(key, first)), None)
    if counts[first] <= SMALL_KEY:
        days = iter(_days(blocks[first]))
    else:
        days = key_days(campaign_id, first, low, high, whole=counts[first] <= WHOLE_KEY)
    also: set[int] | None = None
    if second is not None and counts[second] <= SMALL_KEY:
        also = {pk for _day, ids in _days(blocks[second]) for pk in ids}
    narrowed = also is not None or second is None or counts[second] > SECOND_KEY_MAX

    found: list[tuple] = []
    pending: list[tuple[dt.date, int]] = []  # (day, id) not checked yet, newest first
    # Nearly every id left matches, and every id checked is a table page read: a batch is
    # barely more than what the page still needs.
    size = wanted + wanted // 4 + 1
    exhausted = False
    while len(found) < wanted:
        while len(pending) < size and not exhausted:
            day_ids = next(days, None)
            if day_ids is None:
                exhausted = True
                break
            day, ids = day_ids
            if after is not None and day == after[0]:
                ids = [pk for pk in ids if pk < after[1]]
            if also is not None:
                ids = [pk for pk in ids if pk in also]
            pending.extend((day, pk) for pk in ids)
        if not pending:
            break
        batch, pending = pending[:size], pending[size:]
        rows = check([pk for _day, pk in batch])
        rows.sort(key=lambda row: (row[1], row[0]), reverse=True)
        found.extend(rows)
        if len(found) >= wanted or (exhausted and not pending):
            break
        missing = wanted - len(found)
        if not narrowed and len(rows) * 4 < len(batch):
            # Few match: keep only the ids the second key holds as well, over the days
            # still to read (those pending and those after them).
            narrowed = True
            while not exhausted:
                day_ids = next(days, None)
                if day_ids is None:
                    exhausted = True
                else:
                    pending.extend((day_ids[0], pk) for pk in day_ids[1])
            if pending:
                also = _key_ids(campaign_id, second, pending[-1][0], pending[0][0])
                pending = [(day, pk) for day, pk in pending if pk in also]
            size = missing + missing // 4 + 1
        else:
            # Grow with how few matched.
            rate = max(len(rows), 1) / len(batch)
            size = min(int(missing / rate * 1.25) + 1, 16 * size)
    return found[:wanted]
