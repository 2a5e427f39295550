"""Funds: donors, campaigns, donations, bank statements, allocations and the ledger.

Money is integer đồng everywhere and is never edited in place: a donation's amount cannot be
updated (PostgreSQL trigger), journal entries and postings can be neither updated nor deleted
(trigger), and a correction is a reversing entry.

Every cash or bank donation and every allocation posts one balanced journal entry. Entries
form a hash chain: `hash = SHA-256(canonical JSON of the entry, including previous_hash)`
(see `ledger.py`), so anyone holding a published export can check that no entry was changed,
removed or inserted (docs/ledger-verify.md).

In-kind gifts are kept as stock (`InKindItem`), outside the cash ledger, with an estimated
value for the Decree 93 disclosure.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ansinh.core.scoping import ScopedManager

ANONYMOUS_DONOR = _("Nhà hảo tâm")


class Donor(models.Model):
    """Someone who gives: a person, an organisation or a foreign donor."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Cá nhân")
        ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")
        FOREIGN = "foreign", _("Cá nhân, tổ chức nước ngoài")

    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("tên"), max_length=255)
    name_folded = models.CharField(_("tên không dấu"), max_length=255, editable=False, blank=True)
    shows_name_publicly = models.BooleanField(_("đồng ý công khai tên"), default=True)
    account_number = models.CharField(_("số tài khoản"), max_length=40, blank=True)
    bank = models.CharField(_("ngân hàng"), max_length=100, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("đơn vị quản lý"),
        on_delete=models.PROTECT,
        related_name="donors",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "unit__path"

    class Meta:
        verbose_name = _("nhà tài trợ")
        verbose_name_plural = _("nhà tài trợ")
        ordering = ["name"]
        indexes = [models.Index(fields=["name_folded"], name="funds_donor_name_folded")]

    def __str__(self) -> str:
        return self.name

    @property
    def public_name(self) -> str:
        return self.name if self.shows_name_publicly else str(ANONYMOUS_DONOR)


class Campaign(models.Model):
    """A fundraising campaign (cuộc vận động): purpose, receiving window, account, target.

    Decree 93/2021 art. 8: receiving lasts at most 90 days and distribution must be done within
    20 days after it closes (`funds.selectors.campaign_warnings`)."""

    slug = models.SlugField(_("mã"), max_length=60, unique=True)
    title = models.CharField(_("tên cuộc vận động"), max_length=255)
    purpose = models.TextField(_("mục đích"), blank=True)
    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("đơn vị tổ chức"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    receive_from = models.DateField(_("tiếp nhận từ ngày"))
    receive_until = models.DateField(_("tiếp nhận đến ngày"))
    bank_account = models.CharField(_("số tài khoản tiếp nhận"), max_length=40, blank=True)
    bank_name = models.CharField(_("ngân hàng"), max_length=100, blank=True)
    target = models.BigIntegerField(_("mục tiêu (đồng)"), default=0)
    is_public = models.BooleanField(_("công khai trên trang minh bạch"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "unit__path"

    class Meta:
        verbose_name = _("cuộc vận động")
        verbose_name_plural = _("cuộc vận động")
        ordering = ["-receive_from", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(receive_until__gte=models.F("receive_from")),
                name="funds_campaign_window_order",
            ),
            models.CheckConstraint(condition=Q(target__gte=0), name="funds_campaign_target"),
        ]

    def __str__(self) -> str:
        return self.title


class Pledge(models.Model):
    """A promise to give an amount, paid in instalments."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("cuộc vận động"), on_delete=models.PROTECT, related_name="pledges"
    )
    donor = models.ForeignKey(
        Donor, verbose_name=_("nhà tài trợ"), on_delete=models.PROTECT, related_name="pledges"
    )
    amount = models.BigIntegerField(_("số tiền cam kết (đồng)"))
    pledged_on = models.DateField(_("ngày cam kết"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    objects = ScopedManager()
    scope_field = "campaign__unit__path"

    class Meta:
        verbose_name = _("cam kết ủng hộ")
        verbose_name_plural = _("cam kết ủng hộ")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="funds_pledge_pos")]

    def __str__(self) -> str:
        return f"{self.donor} — {self.amount}"


class PledgeInstalment(models.Model):
    """One scheduled payment of a pledge; `donation` is set when it arrives."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("cam kết"), on_delete=models.CASCADE, related_name="instalments"
    )
    due_on = models.DateField(_("hạn"))
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    donation = models.OneToOneField(
        "Donation",
        verbose_name=_("khoản ủng hộ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instalment",
    )

    objects = ScopedManager()
    scope_field = "pledge__campaign__unit__path"

    class Meta:
        verbose_name = _("đợt thanh toán cam kết")
        verbose_name_plural = _("đợt thanh toán cam kết")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.pledge_id}: {self.due_on:%d/%m/%Y}"


class StatementImport(models.Model):
    """One bank statement file imported into a campaign (all-or-nothing)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("cuộc vận động"), on_delete=models.PROTECT, related_name="imports"
    )
    file_name = models.CharField(_("tệp"), max_length=255)
    sha256 = models.CharField(_("mã băm tệp"), max_length=64)
    bank = models.CharField(_("ngân hàng"), max_length=40)
    lines_read = models.PositiveIntegerField(_("số dòng đọc"), default=0)
    lines_added = models.PositiveIntegerField(_("số dòng mới"), default=0)
    amount_added = models.BigIntegerField(_("số tiền mới (đồng)"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    imported_at = models.DateTimeField(_("nhập lúc"), auto_now_add=True)
    # False from the import's commit until its donations are in DonationSearch.
    searchable = models.BooleanField(_("đã vào chỉ mục tìm kiếm"), default=True)

    objects = ScopedManager()
    scope_field = "campaign__unit__path"

    class Meta:
        verbose_name = _("lần nhập sao kê")
        verbose_name_plural = _("lần nhập sao kê")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.file_name


class BankColumnMapping(models.Model):
    """Which statement columns hold date, amount and memo, per bank: saved and reused."""

    bank = models.CharField(_("ngân hàng"), max_length=40, unique=True)
    date_column = models.CharField(_("cột ngày"), max_length=80)
    amount_column = models.CharField(_("cột số tiền"), max_length=80)
    memo_column = models.CharField(_("cột nội dung"), max_length=80)
    reference_column = models.CharField(_("cột số chứng từ"), max_length=80, blank=True)
    date_format = models.CharField(_("định dạng ngày"), max_length=20, default="%d/%m/%Y")
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("cấu hình cột sao kê")
        verbose_name_plural = _("cấu hình cột sao kê")
        ordering = ["bank"]

    def __str__(self) -> str:
        return self.bank


class Donation(models.Model):
    """One gift: cash (with a receipt), a bank transfer (often a statement line) or in kind.

    A statement line's identity is `line_key`: SHA-256 over (receiving account, date, amount,
    memo, occurrence), where occurrence numbers identical lines within one file (the real
    statement has legitimately identical lines — same day, amount and memo — that are different
    gifts). Re-importing the same file yields the same keys and adds nothing.

    `donor_name` is what the memo or the officer says; what public pages may show is
    `public_name` (empty when the donor asked not to be named). In-kind gifts carry an estimated
    value in `amount` but are not in the cash ledger (`InKindItem` is the stock)."""

    class Kind(models.TextChoices):
        CASH = "cash", _("Tiền mặt")
        BANK = "bank", _("Chuyển khoản")
        IN_KIND = "in_kind", _("Hiện vật")

    class Review(models.TextChoices):
        NONE = "", _("Đã xác định")
        PENDING = "pending", _("Chờ xác định người ủng hộ")
        RESOLVED = "resolved", _("Đã xác định thủ công")

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("cuộc vận động"),
        on_delete=models.PROTECT,
        related_name="donations",
        db_index=False,  # every index below starts with campaign
    )
    kind = models.CharField(_("hình thức"), max_length=8, choices=Kind.choices)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    received_on = models.DateField(_("ngày nhận"))
    donor = models.ForeignKey(
        Donor,
        verbose_name=_("nhà tài trợ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donations",
        db_index=False,  # partial index below: most gifts have no donor record
    )
    donor_name = models.CharField(_("tên người ủng hộ"), max_length=255, blank=True)
    donor_account = models.CharField(_("tài khoản người ủng hộ"), max_length=40, blank=True)
    public_name = models.CharField(_("tên công khai"), max_length=255, blank=True)
    memo = models.TextField(_("nội dung"), blank=True)
    # Folded (accent-free, lower-case) memo + donor name: what the public search matches.
    search_text = models.TextField(_("chuỗi tìm kiếm"), blank=True, editable=False)
    line_key = models.CharField(_("khóa dòng sao kê"), max_length=64, null=True, blank=True)
    statement_import = models.ForeignKey(
        StatementImport,
        verbose_name=_("lần nhập sao kê"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donations",
        db_index=False,  # partial index below
    )
    receipt_number = models.PositiveIntegerField(_("số biên nhận"), null=True, blank=True)
    review = models.CharField(
        _("xác định người ủng hộ"), max_length=8, choices=Review.choices, blank=True, default=""
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "campaign__unit__path"

    class Meta:
        verbose_name = _("khoản ủng hộ")
        verbose_name_plural = _("khoản ủng hộ")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["line_key"], name="funds_donation_line_key"),
            models.UniqueConstraint(
                fields=["campaign", "receipt_number"],
                condition=Q(receipt_number__isnull=False),
                name="funds_donation_receipt_number",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_donation_amount_pos"),
        ]
        # Few, chosen indexes: a statement import writes 200,000 rows at once. Both engines
        # also have the paging order (campaign, received_on DESC, id DESC) — on PostgreSQL
        # with amount, donor and search text included —, PostgreSQL (campaign, amount, ...)
        # (migrations 0003, 0005, 0006). The word index of the search is on DonationSearch.
        indexes = [
            models.Index(
                fields=["campaign"],
                condition=Q(review="pending"),
                name="funds_donation_review",
            ),
            models.Index(
                fields=["donor"], condition=Q(donor__isnull=False), name="funds_donation_donor"
            ),
            models.Index(
                fields=["statement_import"],
                condition=Q(statement_import__isnull=False),
                name="funds_donation_import",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_on:%d/%m/%Y} {self.amount}"


class DonationSearch(models.Model):
    """What the donation search looks words up in: a donation's folded search text, with
    (PostgreSQL) a GIN index over its words (migration 0006).

    Kept apart from `Donation` so that a statement import does not pay for the word index
    inside its transaction, where the ledger head is locked: the import writes its
    donations with `StatementImport.searchable` false and fills these rows right after its
    commit (`statements.search_catch_up`). Until then the search reads that import's rows
    directly (`portal.selectors`), so the answer is the same, only slower. Donations are
    never deleted (a trigger refuses it), hence no foreign-key constraint to check per row."""

    donation = models.OneToOneField(
        Donation,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="search",
        verbose_name=_("khoản ủng hộ"),
    )
    search_text = models.TextField(_("chuỗi tìm kiếm"), blank=True)

    class Meta:
        verbose_name = _("chỉ mục tìm kiếm khoản ủng hộ")
        verbose_name_plural = _("chỉ mục tìm kiếm khoản ủng hộ")

    def __str__(self) -> str:
        return str(self.donation_id)


class DonationKey(models.Model):
    """Ordered postings of the public name search (PostgreSQL; see `ansinh.funds.search`).

    One row per search key (an alphabetic word of a donation's folded search text, or a run
    of two or three of them: "thi", "thi hoa", "nguyen thi hoa"), campaign, day received, and write
    (an import's catch-up, or one donation): the ids of the donations of that day holding
    the key, packed as 8-byte integers, newest first. A search reads the blocks of its
    rarest key newest day first and checks the phrase on a page's worth of donations, so it
    never sorts every match. Written after the donations' commit, never updated: a key a
    donation no longer holds only costs a check, the phrase is always checked on the row."""

    key = models.TextField(_("khoá tìm kiếm"))
    campaign_id = models.BigIntegerField(_("đợt vận động"))
    received_on = models.DateField(_("ngày nhận"))
    size = models.PositiveIntegerField(_("số khoản"))
    ids = models.BinaryField(_("các khoản"))

    class Meta:
        verbose_name = _("khoá tìm kiếm khoản ủng hộ")
        verbose_name_plural = _("khoá tìm kiếm khoản ủng hộ")
        indexes = [
            models.Index(
                "key", "campaign_id", models.F("received_on").desc(), name="funds_donationkey_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.received_on:%d/%m/%Y}"


class DonationKeyCount(models.Model):
    """How many donations of a campaign hold a search key: picks a search's rarest key.
    Only chooses the way a search reads, never its answer."""

    campaign_id = models.BigIntegerField(_("đợt vận động"))
    key = models.TextField(_("khoá tìm kiếm"))
    donations = models.BigIntegerField(_("số khoản"), default=0)

    class Meta:
        verbose_name = _("số khoản theo khoá tìm kiếm")
        verbose_name_plural = _("số khoản theo khoá tìm kiếm")
        constraints = [
            models.UniqueConstraint(fields=["campaign_id", "key"], name="funds_keycount_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.donations}"


class InKindItem(models.Model):
    """Goods given in kind: kept as stock (quantity in, issued out), not as cash."""

    donation = models.ForeignKey(
        Donation, verbose_name=_("khoản ủng hộ"), on_delete=models.PROTECT, related_name="items"
    )
    item = models.CharField(_("hiện vật"), max_length=200)
    quantity = models.PositiveIntegerField(_("số lượng"))
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=30)
    estimated_value = models.BigIntegerField(_("giá trị ước tính (đồng)"), default=0)

    objects = ScopedManager()
    scope_field = "donation__campaign__unit__path"

    class Meta:
        verbose_name = _("hiện vật ủng hộ")
        verbose_name_plural = _("hiện vật ủng hộ")

    def __str__(self) -> str:
        return f"{self.item} ({self.quantity} {self.unit_of_measure})"


class ReceiptCounter(models.Model):
    """The next receipt number of a campaign: locked while a number is taken (no gaps)."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.last_number}"


class Allocation(models.Model):
    """Campaign money assigned to a programme round (optionally one delivery), or in-kind
    stock issued to a delivery. The campaign's balance never goes below zero."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("cuộc vận động"),
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    round = models.ForeignKey(
        "programmes.Round",
        verbose_name=_("đợt hỗ trợ"),
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    delivery = models.ForeignKey(
        "programmes.Delivery",
        verbose_name=_("lần trao"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    amount = models.BigIntegerField(_("số tiền (đồng)"), default=0)
    item = models.ForeignKey(
        InKindItem,
        verbose_name=_("hiện vật"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
    )
    quantity = models.PositiveIntegerField(_("số lượng hiện vật"), default=0)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phân bổ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    created_at = models.DateTimeField(_("phân bổ lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "campaign__unit__path"

    class Meta:
        verbose_name = _("phân bổ")
        verbose_name_plural = _("phân bổ")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(amount__gt=0) & Q(item__isnull=True) & Q(quantity=0))
                | (Q(amount=0) & Q(item__isnull=False) & Q(quantity__gt=0)),
                name="funds_allocation_cash_or_items",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.round_id}: {self.amount}"


class Account(models.Model):
    """A ledger account. Codes are `<campaign slug>:<kind>` for campaign accounts."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Tiền gửi ngân hàng")
        CASH = "cash", _("Tiền mặt")
        FUND = "fund", _("Quỹ cuộc vận động (nguồn đã nhận)")
        ALLOCATED = "allocated", _("Đã phân bổ cho đợt hỗ trợ")

    code = models.CharField(_("mã tài khoản"), max_length=80, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("cuộc vận động"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )

    class Meta:
        verbose_name = _("tài khoản sổ cái")
        verbose_name_plural = _("tài khoản sổ cái")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class LedgerHead(models.Model):
    """The one row locked while entries are appended: the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


class JournalEntry(models.Model):
    """A balanced, hash-chained journal entry. Never updated or deleted."""

    seq = models.BigIntegerField(_("số thứ tự"), unique=True)
    occurred_on = models.DateField(_("ngày nghiệp vụ"))
    recorded_at = models.DateTimeField(_("ghi sổ lúc (UTC)"))
    description = models.CharField(_("diễn giải"), max_length=255)
    reference = models.CharField(_("tham chiếu"), max_length=80, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("cuộc vận động"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    donation = models.OneToOneField(
        Donation,
        verbose_name=_("khoản ủng hộ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entry",
    )
    allocation = models.ForeignKey(
        Allocation,
        verbose_name=_("phân bổ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,  # partial unique constraint below
    )
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("bút toán đảo của"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        db_index=False,  # partial unique constraint below
    )
    previous_hash = models.CharField(_("mã băm bút toán trước"), max_length=64)
    hash = models.CharField(_("mã băm"), max_length=64)

    objects = ScopedManager()
    scope_field = "campaign__unit__path"

    class Meta:
        verbose_name = _("bút toán")
        verbose_name_plural = _("bút toán")
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["allocation"],
                condition=Q(allocation__isnull=False),
                name="funds_entry_one_per_allocation",
            ),
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(reverses__isnull=False),
                name="funds_entry_reversed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.description}"


class Posting(models.Model):
    """One line of an entry: a signed amount (debit > 0, credit < 0) on an account."""

    entry = models.ForeignKey(
        JournalEntry, verbose_name=_("bút toán"), on_delete=models.PROTECT, related_name="postings"
    )
    account = models.ForeignKey(
        Account,
        verbose_name=_("tài khoản"),
        on_delete=models.PROTECT,
        related_name="postings",
        db_index=False,  # a handful of accounts: an index over millions of rows buys nothing
    )
    amount = models.BigIntegerField(_("số tiền (đồng)"))

    class Meta:
        verbose_name = _("định khoản")
        verbose_name_plural = _("định khoản")
        ordering = ["entry_id", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="funds_posting_nonzero")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount}"
