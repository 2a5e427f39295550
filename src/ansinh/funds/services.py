"""Writes of the funds app: campaigns, donations, receipts, allocations, ledger entries.

Every money movement posts one balanced journal entry in the same transaction; the ledger head
row is locked while the entry is appended so the hash chain never forks. Amounts are integer
đồng and are never updated: a mistake is corrected by `journal_reverse`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.audit import audit_create
from ansinh.core.scoping import ensure_in_scope
from ansinh.core.text import fold, normalize_text

from . import ledger
from .models import (
    Account,
    Allocation,
    Campaign,
    Donation,
    Donor,
    InKindItem,
    JournalEntry,
    LedgerHead,
    Posting,
    ReceiptCounter,
)
from .search import SEARCH_TEXT_MAX, index_donation

RECEIVING_DAYS_MAX = 90  # Decree 93/2021, art. 8
DISTRIBUTING_DAYS_MAX = 20


class LedgerError(ValidationError):
    """An entry that cannot be written (unbalanced, empty); nothing was written."""


class BalanceError(ValidationError):
    """An allocation larger than what the campaign holds; nothing was written."""


def campaign_accounts(campaign: Campaign) -> dict[str, Account]:
    accounts = {account.kind: account for account in campaign.accounts.all()}
    for kind, label in Account.Kind.choices:
        if kind not in accounts:
            accounts[kind], _created = Account.objects.get_or_create(
                code=f"{campaign.slug}:{kind}",
                defaults={
                    "name": f"{label} — {campaign.title}",
                    "kind": kind,
                    "campaign": campaign,
                },
            )
    return accounts


def campaign_create(
    *,
    actor,
    slug: str,
    title: str,
    unit,
    receive_from: dt.date,
    receive_until: dt.date,
    bank_account: str = "",
    bank_name: str = "",
    target: int = 0,
    purpose: str = "",
    is_public: bool = True,
) -> Campaign:
    if Campaign.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("Mã cuộc vận động “%(slug)s” đã có.") % {"slug": slug}})
    if receive_until < receive_from:
        raise ValidationError(
            {"receive_until": _("Ngày kết thúc tiếp nhận phải sau ngày bắt đầu.")}
        )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            slug=slug,
            title=normalize_text(title),
            purpose=normalize_text(purpose),
            unit=unit,
            receive_from=receive_from,
            receive_until=receive_until,
            bank_account=bank_account.strip(),
            bank_name=bank_name.strip(),
            target=target,
            is_public=is_public,
            created_by=actor,
        )
        campaign_accounts(campaign)
        audit_create(
            actor=actor,
            obj=campaign,
            fields=["slug", "title", "receive_from", "receive_until", "bank_account", "target"],
        )
        if actor is not None and not actor.is_superuser:
            ensure_in_scope(campaign, actor, "add")
    return campaign


def donor_create(*, actor, unit, name: str, kind: str = Donor.Kind.PERSON, **fields) -> Donor:
    name = normalize_text(name)
    if not name:
        raise ValidationError({"name": _("Cần nhập tên nhà tài trợ.")})
    with transaction.atomic():
        donor = Donor.objects.create(
            unit=unit, name=name, name_folded=fold(name), kind=kind, **fields
        )
        audit_create(actor=actor, obj=donor, fields=["name", "kind", "shows_name_publicly"])
        if actor is not None and not actor.is_superuser:
            ensure_in_scope(donor, actor, "add")
    return donor


def _locked_head() -> LedgerHead:
    LedgerHead.objects.get_or_create(id=1)
    return LedgerHead.objects.select_for_update().get(id=1)


def journal_post(
    *,
    description: str,
    occurred_on: dt.date,
    postings: Sequence[tuple[Account, int]],
    reference: str = "",
    campaign: Campaign | None = None,
    donation: Donation | None = None,
    allocation: Allocation | None = None,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Append one balanced entry to the chain; refuse (writing nothing) otherwise."""
    if not postings:
        raise LedgerError(_("Bút toán phải có ít nhất hai định khoản."))
    if any(int(amount) == 0 for _account, amount in postings):
        raise LedgerError(_("Định khoản không được có số tiền bằng 0."))
    total = sum(int(amount) for _account, amount in postings)
    if total != 0:
        raise LedgerError(
            _("Bút toán không cân: tổng Nợ và Có lệch %(diff)s đồng.") % {"diff": total}
        )
    with transaction.atomic():
        head = _locked_head()
        seq = head.last_seq + 1
        recorded_at = timezone.now().replace(microsecond=0)
        digest = ledger.entry_hash(
            seq=seq,
            occurred_on=occurred_on,
            recorded_at=recorded_at,
            description=description,
            reference=reference,
            postings=[(account.code, amount) for account, amount in postings],
            previous_hash=head.last_hash,
        )
        entry = JournalEntry.objects.create(
            seq=seq,
            occurred_on=occurred_on,
            recorded_at=recorded_at,
            description=description,
            reference=reference,
            campaign=campaign,
            donation=donation,
            allocation=allocation,
            reverses=reverses,
            previous_hash=head.last_hash,
            hash=digest,
        )
        Posting.objects.bulk_create(
            [Posting(entry=entry, account=account, amount=amount) for account, amount in postings]
        )
        LedgerHead.objects.filter(id=1).update(last_seq=seq, last_hash=digest)
    return entry


def journal_reverse(*, actor, entry: JournalEntry, reason: str) -> JournalEntry:
    """Correct a mistake: a new entry with every posting negated (the original stays)."""
    if not reason.strip():
        raise LedgerError(_("Cần ghi lý do đảo bút toán."))
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise LedgerError(_("Bút toán này đã được đảo."))
    postings = [(p.account, -p.amount) for p in entry.postings.select_related("account")]
    reversal = journal_post(
        description=_("Đảo bút toán #%(seq)s: %(reason)s") % {"seq": entry.seq, "reason": reason},
        occurred_on=timezone.localdate(),
        postings=postings,
        reference=f"reverse:{entry.seq}",
        campaign=entry.campaign,
        reverses=entry,
    )
    audit_create(actor=actor, obj=reversal, fields=["seq", "description", "reference"])
    return reversal


def _next_receipt_number(campaign: Campaign) -> int:
    ReceiptCounter.objects.get_or_create(campaign=campaign)
    counter = ReceiptCounter.objects.select_for_update().get(campaign=campaign)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def donation_record(
    *,
    actor,
    campaign: Campaign,
    kind: str,
    amount: int,
    received_on: dt.date,
    donor: Donor | None = None,
    donor_name: str = "",
    memo: str = "",
    items: Sequence[dict] = (),
) -> Donation:
    """Record a cash, bank or in-kind gift; cash gets the next receipt number."""
    amount = int(amount)
    if kind == Donation.Kind.IN_KIND:
        if not items:
            raise ValidationError({"items": _("Ủng hộ hiện vật cần ít nhất một mặt hàng.")})
        amount = sum(int(item.get("estimated_value") or 0) for item in items) or 1
    if amount <= 0:
        raise ValidationError({"amount": _("Số tiền phải lớn hơn 0.")})
    name = normalize_text(donor.name if donor else donor_name)
    shown = donor.public_name if donor else name
    with transaction.atomic():
        donation = Donation(
            campaign=campaign,
            kind=kind,
            amount=amount,
            received_on=received_on,
            donor=donor,
            donor_name=name,
            public_name="" if donor and not donor.shows_name_publicly else shown,
            memo=normalize_text(memo),
            recorded_by=actor,
        )
        # A donor who asked not to be named is not findable by name: her memo (which
        # usually holds the name) stays out of the public search text.
        donation.search_text = (
            fold(f"{donation.public_name} {donation.memo}")[:SEARCH_TEXT_MAX]
            if donation.public_name
            else ""
        )
        if kind == Donation.Kind.CASH:
            donation.receipt_number = _next_receipt_number(campaign)
        donation.save()
        index_donation(donation)
        for item in items:
            InKindItem.objects.create(
                donation=donation,
                item=normalize_text(item["item"]),
                quantity=int(item["quantity"]),
                unit_of_measure=normalize_text(item.get("unit_of_measure", "")),
                estimated_value=int(item.get("estimated_value") or 0),
            )
        if kind != Donation.Kind.IN_KIND:
            accounts = campaign_accounts(campaign)
            debit = accounts["cash" if kind == Donation.Kind.CASH else "bank"]
            journal_post(
                description=_("Nhận ủng hộ"),
                occurred_on=received_on,
                postings=[(debit, amount), (accounts["fund"], -amount)],
                reference=f"donation:{donation.pk}",
                campaign=campaign,
                donation=donation,
            )
        audit_create(actor=actor, obj=donation, fields=["kind", "amount", "received_on"])
        if actor is not None and not actor.is_superuser:
            ensure_in_scope(donation, actor, "add")
    return donation


def campaign_balance(campaign: Campaign) -> int:
    """Cash and bank received minus cash allocated (đồng)."""
    received = (
        campaign.donations.exclude(kind=Donation.Kind.IN_KIND).aggregate(s=Sum("amount"))["s"] or 0
    )
    allocated = campaign.allocations.aggregate(s=Sum("amount"))["s"] or 0
    return received - allocated


def allocation_create(
    *,
    actor,
    campaign: Campaign,
    round,
    amount: int = 0,
    delivery=None,
    item: InKindItem | None = None,
    quantity: int = 0,
    note: str = "",
) -> Allocation:
    """Assign campaign money (or in-kind stock) to a round; never beyond the balance.

    The campaign row is locked first, so two allocations racing for the last đồng are
    serialised: the second sees the first's amount and is refused."""
    amount, quantity = int(amount or 0), int(quantity or 0)
    if item is None and amount <= 0:
        raise ValidationError({"amount": _("Số tiền phân bổ phải lớn hơn 0.")})
    if delivery is not None and delivery.entitlement.round_id != round.pk:
        raise ValidationError({"delivery": _("Lần trao không thuộc đợt hỗ trợ đã chọn.")})
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if item is not None:
            if item.donation.campaign_id != locked.pk:
                raise ValidationError({"item": _("Hiện vật không thuộc cuộc vận động này.")})
            issued = item.issues.aggregate(s=Sum("quantity"))["s"] or 0
            if quantity <= 0 or issued + quantity > item.quantity:
                raise BalanceError(
                    _("Chỉ còn %(left)s %(unit)s %(item)s trong kho.")
                    % {
                        "left": item.quantity - issued,
                        "unit": item.unit_of_measure,
                        "item": item.item,
                    }
                )
        else:
            balance = campaign_balance(locked)
            if amount > balance:
                raise BalanceError(
                    _(
                        "Số dư cuộc vận động chỉ còn %(balance)s đồng, không đủ phân bổ %(amount)s đồng."
                    )
                    % {
                        "balance": f"{balance:,}".replace(",", "."),
                        "amount": f"{amount:,}".replace(",", "."),
                    }
                )
        allocation = Allocation.objects.create(
            campaign=locked,
            round=round,
            delivery=delivery,
            amount=amount if item is None else 0,
            item=item,
            quantity=quantity if item is not None else 0,
            note=normalize_text(note),
            created_by=actor,
        )
        if item is None:
            accounts = campaign_accounts(locked)
            journal_post(
                description=_("Phân bổ cho đợt: %(round)s") % {"round": round.title},
                occurred_on=timezone.localdate(),
                postings=[(accounts["fund"], amount), (accounts["allocated"], -amount)],
                reference=f"allocation:{allocation.pk}",
                campaign=locked,
                allocation=allocation,
            )
        audit_create(actor=actor, obj=allocation, fields=["amount", "round", "quantity"])
        if actor is not None and not actor.is_superuser:
            ensure_in_scope(allocation, actor, "add")
    return allocation
