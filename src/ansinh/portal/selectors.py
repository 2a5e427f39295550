"""Reads of the public transparency pages: what anyone may see of a public campaign.

Only campaigns marked public are ever read here. Figures come from the funds selectors
(`campaign_totals`, `daily_totals`), so the public page and the officers' page agree with the
ledger. What these functions return never holds a beneficiary's name (only counts of people)
nor the name or memo of a donor who asked not to be named (`_public_row`).

The donation search is keyset-paginated, newest first, on (received_on, id): a page costs
the same at the first result and at the millionth. On PostgreSQL it uses the indexes of
funds migrations 0003–0006 — `funds_donation_page_text` (campaign, received_on DESC, id DESC)
for the order and date ranges, `funds_donation_amount` (campaign, amount, received_on DESC,
id DESC) for an exact amount, the word index of `ansinh.funds.search` for a name fragment —
and runs under a statement timeout so that an unselective search cannot hold a worker.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core import prepared
from ansinh.funds import search
from ansinh.funds import selectors as funds_selectors
from ansinh.funds.models import Allocation, Campaign, Donation, InKindItem, JournalEntry

from .privacy import public_memo

PAGE_SIZE = 50
SEARCH_TIMEOUT_MS = 3000


def anonymous_donor() -> str:
    return _("Nhà hảo tâm ẩn danh")


# --- campaigns ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivingWindow:
    """Decree 93/2021: receiving lasts at most 90 days, distributing 20 days after it."""

    starts_on: dt.date
    ends_on: dt.date
    days: int
    distribute_by: dt.date
    status: str  # "upcoming" | "receiving" | "distributing" | "closed"
    days_left: int  # of receiving (receiving) or of distributing (distributing)
    too_long: bool


@dataclass(frozen=True)
class PublicCampaign:
    slug: str
    title: str
    purpose: str
    bank_account: str
    bank_name: str
    target: int
    received: int
    received_in_kind: int
    donation_count: int
    allocated: int
    delivered: int
    balance: int
    window: ReceivingWindow


def public_campaigns() -> list[Campaign]:
    return list(Campaign.objects.filter(is_public=True).order_by("-receive_from", "title"))


def public_campaign_or_none(slug: str) -> Campaign | None:
    return Campaign.objects.filter(is_public=True, slug=slug).first()


# Seconds a public campaign's record is kept in the cache for the search page.
CAMPAIGN_CACHE_SECONDS = 60


def public_campaign_cached(slug: str) -> Campaign | None:
    """`public_campaign_or_none`, kept in the cache for `CAMPAIGN_CACHE_SECONDS` (as long as
    the public pages themselves): the search page reads it on every uncached request."""
    key = f"portal:campaign:{slug}"
    found = cache.get(key)
    if found is None:
        found = public_campaign_or_none(slug) or False
        cache.set(key, found, CAMPAIGN_CACHE_SECONDS)
    return found or None


def receiving_window(campaign: Campaign, *, today: dt.date | None = None) -> ReceivingWindow:
    today = today or timezone.localdate()
    start, end = campaign.receive_from, campaign.receive_until
    distribute_by = end + dt.timedelta(days=funds_selectors.DISTRIBUTING_DAYS_MAX)
    if today < start:
        status, left = "upcoming", (start - today).days
    elif today <= end:
        status, left = "receiving", (end - today).days
    elif today <= distribute_by:
        status, left = "distributing", (distribute_by - today).days
    else:
        status, left = "closed", 0
    days = (end - start).days + 1
    return ReceivingWindow(
        starts_on=start,
        ends_on=end,
        days=days,
        distribute_by=distribute_by,
        status=status,
        days_left=left,
        too_long=days > funds_selectors.RECEIVING_DAYS_MAX,
    )


def public_campaign(campaign: Campaign, *, today: dt.date | None = None) -> PublicCampaign:
    totals = funds_selectors.campaign_totals(campaign)
    return PublicCampaign(
        slug=campaign.slug,
        title=campaign.title,
        purpose=campaign.purpose,
        bank_account=campaign.bank_account,
        bank_name=campaign.bank_name,
        target=campaign.target,
        received=totals.received,
        received_in_kind=totals.received_in_kind,
        donation_count=totals.donations,
        allocated=totals.allocated,
        delivered=totals.delivered,
        balance=totals.balance,
        window=receiving_window(campaign, today=today),
    )


def daily_chart(campaign: Campaign) -> list[dict]:
    return [
        {"date": day, "amount": amount, "count": count}
        for day, amount, count in funds_selectors.daily_totals(campaign)
    ]


# --- where the money went ---------------------------------------------------------------


@dataclass
class SpendingRow:
    """Money of the campaign per place and programme, with how many people were helped."""

    place: str
    programme: str
    allocated: int = 0
    delivered: int = 0
    people: int = 0
    delivery_ids: set = field(default_factory=set, repr=False)
    round_ids: set = field(default_factory=set, repr=False)


def campaign_spending(campaign: Campaign) -> list[SpendingRow]:
    """Cash allocations grouped by place and programme; never a person's name.

    An allocation to one delivery counts at that delivery's commune; an allocation to a
    whole round at the round's unit. "Delivered" follows `campaign_totals` (an allocation to
    a recorded delivery, or to a closed round). People helped are distinct people among the
    deliveries the group paid for (the named deliveries, and every delivery of the rounds
    it funded as a whole)."""
    from ansinh.programmes.models import Delivery

    rows: dict[tuple[str, str], SpendingRow] = {}
    allocations = (
        Allocation.objects.filter(campaign=campaign, item__isnull=True)
        .values_list(
            "amount",
            "round_id",
            "round__status",
            "round__unit__name",
            "round__programme__name",
            "delivery_id",
            "delivery__entitlement__commune_unit__name",
        )
        .order_by()
    )
    for amount, round_id, status, unit, programme, delivery_id, commune in allocations:
        place = (commune or unit) if delivery_id else unit
        row = rows.setdefault((place, programme), SpendingRow(place=place, programme=programme))
        row.allocated += amount
        if delivery_id or status == "closed":
            row.delivered += amount
        if delivery_id:
            row.delivery_ids.add(delivery_id)
        else:
            row.round_ids.add(round_id)
    by_delivery: dict[int, set] = defaultdict(set)
    by_round: dict[int, set] = defaultdict(set)
    for key, row in rows.items():
        for delivery_id in row.delivery_ids:
            by_delivery[delivery_id].add(key)
        for round_id in row.round_ids:
            by_round[round_id].add(key)
    people: dict[tuple[str, str], set] = defaultdict(set)
    if rows:
        reached = Delivery.objects.filter(
            Q(pk__in=Allocation.objects.filter(campaign=campaign).values("delivery_id"))
            | Q(entitlement__round_id__in=list(by_round))
        ).values_list("pk", "entitlement__round_id", "person_id")
        for delivery_id, round_id, person_id in reached:
            for key in by_delivery.get(delivery_id, set()) | by_round.get(round_id, set()):
                people[key].add(person_id)
    for key, row in rows.items():
        row.people = len(people[key])
    return sorted(rows.values(), key=lambda row: (row.place, row.programme))


def people_by_commune(campaign: Campaign) -> list[dict]:
    """People helped per commune and programme in what the campaign funded (counts only)."""
    from ansinh.programmes.models import Delivery

    funded_rounds = Allocation.objects.filter(
        campaign=campaign, item__isnull=True, delivery__isnull=True
    ).values("round_id")
    funded_deliveries = Allocation.objects.filter(campaign=campaign, delivery__isnull=False).values(
        "delivery_id"
    )
    rows = (
        Delivery.objects.filter(
            Q(entitlement__round_id__in=funded_rounds) | Q(pk__in=funded_deliveries)
        )
        .values("entitlement__commune_unit__name", "programme__name")
        .annotate(people=Count("person_id", distinct=True), deliveries=Count("id"))
        .order_by("entitlement__commune_unit__name", "programme__name")
    )
    return [
        {
            "commune": row["entitlement__commune_unit__name"] or "",
            "programme": row["programme__name"],
            "people": row["people"],
            "deliveries": row["deliveries"],
        }
        for row in rows
    ]


def in_kind_stock(campaign: Campaign) -> list[dict]:
    """Goods received and issued, per item and unit of measure."""
    received = (
        InKindItem.objects.filter(donation__campaign=campaign)
        .values_list("item", "unit_of_measure")
        .annotate(quantity=Sum("quantity"), value=Sum("estimated_value"))
        .order_by("item", "unit_of_measure")
    )
    issued_rows = (
        Allocation.objects.filter(campaign=campaign, item__isnull=False)
        .values_list("item__item", "item__unit_of_measure")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )
    issued = {(item, unit): quantity for item, unit, quantity in issued_rows}
    rows = []
    for item, unit, quantity, value in received:
        out = issued.get((item, unit), 0) or 0
        rows.append(
            {
                "item": item,
                "unit": unit,
                "received": quantity or 0,
                "issued": out,
                "in_stock": (quantity or 0) - out,
                "value": value or 0,
            }
        )
    return rows


def latest_entry() -> dict | None:
    """The last entry of the (single, global) chain: its number, time and hash."""
    return JournalEntry.objects.order_by("-seq").values("seq", "recorded_at", "hash").first()


# --- donation search ----------------------------------------------------------------------


@dataclass(frozen=True)
class DonationFilters:
    fragment: str = ""  # folded (accent-free, lower case)
    amount_min: int | None = None
    amount_max: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after (received_on, id); `position` rows came before."""

    received_on: dt.date
    donation_id: int
    position: int

    _FORMAT = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(\d{1,19})\.(\d{1,9})$")

    def __str__(self) -> str:
        return f"{self.received_on.isoformat()}.{self.donation_id}.{self.position}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        match = cls._FORMAT.match(text or "")
        if not match:
            return None
        try:
            day = dt.date.fromisoformat(match.group(1))
        except ValueError:
            return None
        return cls(day, int(match.group(2)), int(match.group(3)))


class PublicDonation(NamedTuple):
    """A donation as a public page shows it (a tuple: a page makes fifty of them)."""

    received_on: dt.date
    amount: int
    in_kind: bool
    donor: str
    memo: str


@dataclass(frozen=True)
class DonationPage:
    rows: list[PublicDonation]
    position: int  # rows before this page
    next_cursor: str  # "" on the last page

    @property
    def start(self) -> int:
        return self.position + 1

    @property
    def end(self) -> int:
        return self.position + len(self.rows)

    @property
    def has_more(self) -> bool:
        return bool(self.next_cursor)


class SearchTooBroad(Exception):
    """The database gave up on the search (statement timeout): the visitor must narrow it."""


_COLUMNS = (
    "id",
    "received_on",
    "amount",
    "kind",
    "public_name",
    "memo",
    "donor__shows_name_publicly",
)


# Rows read newest first before falling back to the word index (see `donation_search`).
ORDERED_WINDOW = 20_000
# A fragment of this many words is a full name: rare, so the word index answers it first.
FULL_NAME_WORDS = 3


def _base(campaign: Campaign, filters: DonationFilters, cursor: Cursor | None = None):
    """The search without the name fragment, newest first, after the cursor."""
    donations = Donation.objects.filter(campaign=campaign)
    if filters.amount_min is not None and filters.amount_min == filters.amount_max:
        donations = donations.filter(amount=filters.amount_min)
    else:
        if filters.amount_min is not None:
            donations = donations.filter(amount__gte=filters.amount_min)
        if filters.amount_max is not None:
            donations = donations.filter(amount__lte=filters.amount_max)
    if filters.date_from:
        donations = donations.filter(received_on__gte=filters.date_from)
    if filters.date_to:
        donations = donations.filter(received_on__lte=filters.date_to)
    if cursor is not None:
        donations = donations.filter(received_on__lte=cursor.received_on).filter(
            Q(received_on__lt=cursor.received_on) | Q(id__lt=cursor.donation_id)
        )
    return donations.order_by("-received_on", "-id")


def _private_hidden(donations):
    """Never a row of a donor who asked not to be named (not by her name, nor her memo)."""
    return donations.filter(Q(donor__isnull=True) | Q(donor__shows_name_publicly=True))


def _matching(donations, words: list[str]):
    """Rows whose folded text holds the words as a phrase of whole words (never a row of a
    donor who asked not to be named)."""
    return search.matching(_private_hidden(donations), words)


def _filtered(campaign: Campaign, filters: DonationFilters, cursor: Cursor | None = None):
    donations = _base(campaign, filters, cursor)
    words = search.fragment_words(filters.fragment)
    if words:
        donations = _matching(donations, words)
    return donations


def _public_row(row: tuple) -> PublicDonation:
    _pk, received_on, amount, kind, public_name, memo, shows_name = row
    if shows_name is False:  # a donor record that asked not to be named
        donor, memo = anonymous_donor(), ""
    else:
        donor, memo = public_name or anonymous_donor(), public_memo(memo)
    return PublicDonation(
        received_on=received_on,
        amount=amount,
        in_kind=kind == Donation.Kind.IN_KIND,
        donor=donor,
        memo=memo,
    )


def _bounded(filters: DonationFilters) -> bool:
    """True when an index bounds the search: no fragment, and no amount or an exact one
    (`funds_donation_page_text` / `funds_donation_amount` give the first page at once). Other
    searches run under a statement timeout, which costs a transaction's round trips."""
    return not filters.fragment and filters.amount_min == filters.amount_max


def _with_timeout(read):
    """Run `read()` under the public search's statement timeout (PostgreSQL)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {int(SEARCH_TIMEOUT_MS)}")
        return read()


def _recent_matches(campaign, filters, cursor, words: list[str], wanted: int) -> list[int]:
    """Ids of the first `wanted` matches among the newest `ORDERED_WINDOW` rows (PostgreSQL).

    The window is read from `funds_donation_page_text` (campaign, received_on DESC, id DESC)
    INCLUDE (amount, donor_id, search_text) as an index-only scan: no table page is read to
    test a row, which is what makes a common fragment cheap."""
    window = _base(campaign, filters, cursor).values_list(
        "id", "received_on", "search_text", "donor_id"
    )[:ORDERED_WINDOW]
    inner, params = window.query.sql_with_params()
    sql = (
        f"SELECT w.id FROM ({inner}) w "  # noqa: S608 (the ORM's own SQL, parameters apart)
        "WHERE w.search_text LIKE %s AND w.search_text ~ %s "
        "AND (w.donor_id IS NULL OR EXISTS (SELECT 1 FROM funds_donor o "
        "WHERE o.id = w.donor_id AND o.shows_name_publicly)) "
        "ORDER BY w.received_on DESC, w.id DESC LIMIT %s"
    )
    with connection.cursor() as db:
        db.execute(sql, [*params, search.in_order(words), search.phrase_regex(words), wanted])
        return [row[0] for row in db.fetchall()]


# The page's query written out (PostgreSQL), run as a prepared statement: the ORM would
# build and PostgreSQL plan it again on every request. `_filtered` is the same search.
_SELECT = (
    "SELECT d.id, d.received_on, d.amount, d.kind, d.public_name, d.memo, "
    "o.shows_name_publicly FROM funds_donation d LEFT JOIN funds_donor o ON o.id = d.donor_id "
    "WHERE d.campaign_id = %s"
)


def _conditions(filters: DonationFilters, cursor: Cursor | None) -> tuple[str, list]:
    """The amount, date and cursor conditions of `_base` as SQL on `funds_donation d`."""
    exact = filters.amount_min is not None and filters.amount_min == filters.amount_max
    given = [
        ("d.amount = %s", filters.amount_min if exact else None),
        ("d.amount >= %s", None if exact else filters.amount_min),
        ("d.amount <= %s", None if exact else filters.amount_max),
        ("d.received_on >= %s", filters.date_from),
        ("d.received_on <= %s", filters.date_to),
    ]
    sql = [condition for condition, value in given if value is not None]
    params = [value for _condition, value in given if value is not None]
    if cursor is not None:
        sql.append("(d.received_on, d.id) < (%s, %s)")
        params += [cursor.received_on, cursor.donation_id]
    return "".join(f" AND {condition}" for condition in sql), params


def _page_rows(campaign, filters: DonationFilters, cursor: Cursor | None, wanted: int):
    """The first `wanted` rows of a search without a fragment, newest first (PostgreSQL)."""
    where, params = _conditions(filters, cursor)
    return prepared.fetch(
        f"{_SELECT}{where} ORDER BY d.received_on DESC, d.id DESC LIMIT %s",
        [campaign.pk, *params, wanted],
        # a range of amounts is read through the amount index or the day index depending on
        # how wide it is: planned each time (one plan for all took a second on a narrow one)
        prepare=filters.amount_min == filters.amount_max,
    )


# The rows to check for a name search, with their search text: the phrase's order is
# checked here with LIKE, its whole words in Python (PostgreSQL's regex costs as much as
# reading the rows). A donor who asked not to be named is never among them.
_CHECK = (
    "SELECT d.id, d.received_on, d.amount, d.kind, d.public_name, d.memo, NULL::boolean, "
    "d.search_text FROM funds_donation d WHERE d.campaign_id = %s AND d.id = ANY(%s::bigint[]) "
    "AND d.search_text LIKE %s AND (d.donor_id IS NULL OR d.donor_id NOT IN "
    "(SELECT o.id FROM funds_donor o WHERE NOT o.shows_name_publicly))"
)


def _checker(campaign, filters: DonationFilters, cursor: Cursor | None, words: list[str]):
    """`check(ids)` for `search.ordered_matches`: the rows of those ids that `_filtered`
    keeps (the phrase, the filters, never a donor who asked not to be named)."""
    where, params = _conditions(filters, cursor)
    text = f"{_CHECK}{where}"
    params = [campaign.pk, None, search.in_order(words), *params]

    def check(ids: list[int]) -> list[tuple]:
        params[1] = ids
        return [row[:-1] for row in prepared.fetch(text, params) if search.holds(row[-1], words)]

    return check


def donation_search(
    campaign: Campaign,
    filters: DonationFilters,
    *,
    cursor: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> DonationPage:
    """One page of a public campaign's donations (see `_donation_page`); a search the
    database gave up on (its statement timeout, or the server's) raises SearchTooBroad."""
    try:
        return _donation_page(campaign, filters, cursor=cursor, limit=limit)
    except OperationalError as error:
        if "statement timeout" in str(error) or "canceling statement" in str(error):
            raise SearchTooBroad from error
        raise


def _donation_page(
    campaign: Campaign,
    filters: DonationFilters,
    *,
    cursor: Cursor | None,
    limit: int,
) -> DonationPage:
    """One page of a public campaign's donations, newest first (keyset pagination).

    A name fragment on PostgreSQL is answered through the ordered postings of its rarest
    key (`search.ordered_matches`, docs/adr/0009). When they cannot answer (no alphabetic
    word, an import of the campaign not caught up yet) one of two other ways, both exact: a
    common fragment ("nguyen van") is found among the newest `ORDERED_WINDOW` rows of the
    search (read in index order, so the first `limit` found are the page:
    `_recent_matches`); a rarer one — a full name of three words or more, or when that
    window holds fewer than a page — through the word index `funds_donationsearch_words`.
    Which way answers only changes the speed, never the answer (tests compare them)."""
    words = search.fragment_words(filters.fragment)
    position = cursor.position if cursor is not None else 0

    raw = None
    unbounded = filters.amount_min is not None or filters.amount_max is not None
    if words and connection.vendor == "postgresql":
        # Through the ordered postings of the fragment's rarest key (`search.ordered_matches`);
        # None when they cannot answer (no alphabetic word, an import not yet in them).
        def ordered() -> list[tuple] | None:
            return search.ordered_matches(
                _checker(campaign, filters, cursor, words),
                campaign_id=campaign.pk,
                words=words,
                wanted=limit + 1,
                date_from=filters.date_from,
                date_to=filters.date_to,
                after=(cursor.received_on, cursor.donation_id) if cursor is not None else None,
            )

        raw = _with_timeout(ordered) if unbounded else ordered()
    if raw is None and words and connection.vendor == "postgresql" and len(words) < FULL_NAME_WORDS:
        # Without an amount the window is bounded by the index (dates and cursor are its
        # keys): no statement timeout, so no transaction round trips.
        def recent() -> list[int]:
            return _recent_matches(campaign, filters, cursor, words, limit + 1)

        ids = _with_timeout(recent) if unbounded else recent()
        if len(ids) > limit:
            raw = list(
                Donation.objects.filter(id__in=ids)
                .order_by("-received_on", "-id")
                .values_list(*_COLUMNS)
            )
    if raw is None:

        def read() -> list[tuple]:
            if not words and connection.vendor == "postgresql":
                return _page_rows(campaign, filters, cursor, limit + 1)
            return list(_filtered(campaign, filters, cursor).values_list(*_COLUMNS)[: limit + 1])

        raw = read() if _bounded(filters) else _with_timeout(read)
    more = len(raw) > limit
    raw = raw[:limit]
    next_cursor = ""
    if more:
        last = raw[-1]
        next_cursor = str(Cursor(last[1], last[0], position + len(raw)))
    return DonationPage(
        rows=[_public_row(row) for row in raw], position=position, next_cursor=next_cursor
    )


def donation_rows(campaign: Campaign, filters: DonationFilters) -> Iterator[PublicDonation]:
    """Every donation the search matches, as public rows, read in chunks (CSV export)."""
    for row in _filtered(campaign, filters).values_list(*_COLUMNS).iterator(chunk_size=5000):
        yield _public_row(row)


__all__ = [
    "Cursor",
    "DonationFilters",
    "DonationPage",
    "PublicCampaign",
    "PublicDonation",
    "SearchTooBroad",
    "anonymous_donor",
    "campaign_spending",
    "daily_chart",
    "donation_rows",
    "donation_search",
    "in_kind_stock",
    "latest_entry",
    "people_by_commune",
    "public_campaign",
    "public_campaign_cached",
    "public_campaign_or_none",
    "public_campaigns",
    "receiving_window",
]
