"""Officer pages of the funds app (/quy/): campaigns, statements, donations, the review
queue, allocations, the ledger and the Decree 93 disclosure. Everything through the
user's scope: outside it a page answers 404 and nothing changes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.permissions import has_permission
from ansinh.core.audit import audit_export, audit_update, audit_view, snapshot
from ansinh.core.jobs import job_enqueue
from ansinh.core.listing import paginate, query_without_page, wants_export, xlsx_response
from ansinh.core.ratelimit import rate_limited, too_many_requests
from ansinh.core.scoping import get_scoped_or_404
from ansinh.core.text import fold, normalize_text

from . import documents, selectors, services
from .forms import AllocationForm, CampaignForm, DonationForm, ReviewForm, StatementForm
from .jobs import STATEMENT_JOB
from .models import Campaign, Donation, Donor, JournalEntry
from .search import SEARCH_TEXT_MAX, fragment_words, index_donation, matching


def _require(user, permission: str) -> None:
    if not has_permission(user, permission):
        raise Http404


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            form.add_error(field if field in form.fields else None, texts)
    else:
        form.add_error(None, error.messages)


@login_required
def campaign_list(request):
    _require(request.user, "funds.view_campaign")
    campaigns = Campaign.objects.restrict(request.user).select_related("unit")
    q = request.GET.get("q", "").strip()
    if q:
        folded = fold(q)
        campaigns = campaigns.filter(Q(slug__icontains=folded) | Q(title__icontains=q))
    if wants_export(request):
        rows = [
            (
                c.slug,
                c.title,
                c.unit.name,
                c.receive_from,
                c.receive_until,
                *(lambda t: (t.received, t.allocated, t.balance))(selectors.campaign_totals(c)),
            )
            for c in campaigns
        ]
        return xlsx_response(
            filename="cuoc-van-dong",
            sheet_title=_("Cuộc vận động"),
            headers=[
                _("Mã"),
                _("Tên"),
                _("Đơn vị"),
                _("Từ ngày"),
                _("Đến ngày"),
                _("Đã nhận (đồng)"),
                _("Đã phân bổ (đồng)"),
                _("Số dư (đồng)"),
            ],
            rows=rows,
        )
    page = paginate(request, campaigns)
    for campaign in page:
        campaign.totals = selectors.campaign_totals(campaign)
    return render(
        request,
        "funds/campaign_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "q": q,
            "can_add": has_permission(request.user, "funds.add_campaign"),
        },
    )


@login_required
def campaign_create(request):
    _require(request.user, "funds.add_campaign")
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=request.user,
                slug=data["slug"],
                title=data["title"],
                purpose=data["purpose"],
                unit=data["unit"],
                receive_from=data["receive_from"],
                receive_until=data["receive_until"],
                bank_account=data["bank_account"],
                bank_name=data["bank_name"],
                target=data["target"] or 0,
                is_public=data["is_public"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã tạo cuộc vận động."))
            for warning in selectors.campaign_warnings(campaign):
                messages.warning(request, warning)
            return redirect("funds:campaign_detail", slug=campaign.slug)
    return render(request, "funds/campaign_form.html", {"form": form})


def _campaign(request, slug, action="view") -> Campaign:
    return get_scoped_or_404(
        Campaign.objects.select_related("unit"), request.user, action, slug=slug
    )


@login_required
def campaign_detail(request, slug):
    campaign = _campaign(request, slug)
    user = request.user
    return render(
        request,
        "funds/campaign_detail.html",
        {
            "campaign": campaign,
            "totals": selectors.campaign_totals(campaign),
            "warnings": selectors.campaign_warnings(campaign),
            "imports": campaign.imports.select_related("imported_by")[:20],
            "allocations": campaign.allocations.select_related("round__programme", "round__unit")[
                :50
            ],
            "review_count": campaign.donations.filter(review=Donation.Review.PENDING).count(),
            "statement_form": StatementForm(),
            "allocation_form": AllocationForm(user=user),
            "can_change": has_permission(user, "funds.change_campaign"),
            "can_add_donation": has_permission(user, "funds.add_donation"),
            "can_allocate": has_permission(user, "funds.add_allocation"),
        },
    )


@login_required
@require_POST
def statement_upload(request, slug):
    campaign = _campaign(request, slug, "change")
    _require(request.user, "funds.add_statementimport")
    form = StatementForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("funds:campaign_detail", slug=slug)
    upload = form.cleaned_data["file"]
    storage_name = default_storage.save(f"statements/{uuid.uuid4().hex}-{upload.name}", upload)
    job = job_enqueue(
        kind=STATEMENT_JOB,
        title=_("Nhập sao kê %(file)s vào “%(campaign)s”")
        % {"file": upload.name, "campaign": campaign.title},
        user=request.user,
        scope_path=campaign.unit.path,
        params={
            "campaign_id": campaign.pk,
            "storage_name": storage_name,
            "file_name": upload.name,
            "bank": form.cleaned_data["bank"],
        },
    )
    return redirect("core:job_detail", pk=job.pk)


def _donations(request, campaign=None):
    donations = Donation.objects.restrict(request.user).select_related("campaign")
    if campaign is not None:
        donations = donations.filter(campaign=campaign)
    filters = {}
    for key in ("campaign", "kind", "review", "q", "from", "to", "amount"):
        filters[key] = request.GET.get(key, "").strip()
    if filters["campaign"]:
        donations = donations.filter(campaign__slug=filters["campaign"])
    if filters["kind"]:
        donations = donations.filter(kind=filters["kind"])
    if filters["review"] == "pending":
        donations = donations.filter(review=Donation.Review.PENDING)
    if filters["q"]:
        words = fragment_words(fold(filters["q"]))
        donations = matching(donations, words) if words else donations.none()
    if filters["amount"].isdigit():
        donations = donations.filter(amount=int(filters["amount"]))
    import datetime as dt

    from .forms import DATE_INPUT

    for key, lookup in (("from", "received_on__gte"), ("to", "received_on__lte")):
        if filters[key]:
            try:
                donations = donations.filter(
                    **{lookup: dt.datetime.strptime(filters[key], DATE_INPUT[0]).date()}
                )
            except ValueError:
                messages.error(
                    request,
                    _("Ngày “%(value)s” không hợp lệ (dd/mm/yyyy).") % {"value": filters[key]},
                )
    return donations, filters


@login_required
def donation_list(request):
    _require(request.user, "funds.view_donation")
    donations, filters = _donations(request)
    if wants_export(request):
        audit_export(
            actor=request.user,
            object_type="funds.donation",
            count=donations.count(),
            filters=filters,
        )
        return xlsx_response(
            filename="khoan-ung-ho",
            sheet_title=_("Khoản ủng hộ"),
            headers=[
                _("Ngày nhận"),
                _("Cuộc vận động"),
                _("Hình thức"),
                _("Số tiền (đồng)"),
                _("Người ủng hộ"),
                _("Tài khoản"),
                _("Nội dung"),
                _("Số biên nhận"),
            ],
            rows=(
                (
                    d.received_on,
                    d.campaign.slug,
                    d.get_kind_display(),
                    d.amount,
                    d.donor_name,
                    d.donor_account,
                    d.memo,
                    d.receipt_number,
                )
                for d in donations.iterator(chunk_size=5000)
            ),
        )
    page = paginate(request, donations)
    return render(
        request,
        "funds/donation_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "filters": filters,
            "kinds": Donation.Kind.choices,
            "campaigns": Campaign.objects.restrict(request.user).values_list("slug", "title"),
        },
    )


@login_required
def donation_create(request, slug):
    campaign = _campaign(request, slug)
    _require(request.user, "funds.add_donation")
    form = DonationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        donor = None
        try:
            with transaction.atomic():
                if data["donor_name"] and not data["shows_name_publicly"]:
                    donor = services.donor_create(
                        actor=request.user,
                        unit=campaign.unit,
                        name=data["donor_name"],
                        shows_name_publicly=False,
                    )
                items = []
                if data["kind"] == Donation.Kind.IN_KIND:
                    items = [
                        {
                            "item": data["item"],
                            "quantity": data["quantity"],
                            "unit_of_measure": data["unit_of_measure"],
                            "estimated_value": data["estimated_value"] or 0,
                        }
                    ]
                donation = services.donation_record(
                    actor=request.user,
                    campaign=campaign,
                    kind=data["kind"],
                    amount=data["amount"] or 0,
                    received_on=data["received_on"],
                    donor=donor,
                    donor_name=data["donor_name"],
                    memo=data["memo"],
                    items=items,
                )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã ghi nhận khoản ủng hộ."))
            if donation.receipt_number:
                return redirect("funds:donation_receipt", pk=donation.pk)
            return redirect("funds:campaign_detail", slug=slug)
    return render(request, "funds/donation_form.html", {"form": form, "campaign": campaign})


@login_required
def donation_receipt(request, pk):
    donation = get_scoped_or_404(
        Donation.objects.select_related("campaign__unit"), request.user, "view", pk=pk
    )
    if request.GET.get("format") == "pdf":
        audit_view(actor=request.user, obj=donation)
        response = HttpResponse(documents.receipt_pdf(donation), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="bien-nhan-{donation.campaign.slug}-{donation.receipt_number or donation.pk}.pdf"'
        )
        return response
    return render(request, "funds/donation_receipt.html", {"donation": donation})


@login_required
def review_queue(request, slug):
    campaign = _campaign(request, slug)
    _require(request.user, "funds.change_donation")
    pending = campaign.donations.filter(review=Donation.Review.PENDING).order_by(
        "received_on", "id"
    )
    page = paginate(request, pending)
    return render(
        request,
        "funds/review_queue.html",
        {
            "campaign": campaign,
            "page": page,
            "query": query_without_page(request),
            "form": ReviewForm(),
        },
    )


@login_required
@require_POST
def review_resolve(request, pk):
    donation = get_scoped_or_404(Donation.objects.all(), request.user, "change", pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        before = snapshot(donation, ["donor_name", "public_name", "review"])
        name = normalize_text(form.cleaned_data["donor_name"])
        Donation.objects.filter(pk=donation.pk).update(
            donor_name=name,
            public_name=name,
            search_text=fold(f"{name} {donation.memo}")[:SEARCH_TEXT_MAX],
            review=Donation.Review.RESOLVED,
        )
        donation.refresh_from_db()
        index_donation(donation)
        audit_update(
            actor=request.user,
            obj=donation,
            before=before,
            fields=["donor_name", "public_name", "review"],
        )
        messages.success(request, _("Đã xác định người ủng hộ."))
    else:
        messages.error(request, _("Cần nhập tên người ủng hộ."))
    return redirect("funds:review_queue", slug=donation.campaign.slug)


@login_required
@require_POST
def allocation_create(request, slug):
    campaign = _campaign(request, slug, "change")
    _require(request.user, "funds.add_allocation")
    form = AllocationForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.allocation_create(
                actor=request.user,
                campaign=campaign,
                round=form.cleaned_data["round"],
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã phân bổ cho đợt hỗ trợ."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("funds:campaign_detail", slug=slug)


@login_required
def disclosure(request, slug):
    campaign = _campaign(request, slug)
    if request.GET.get("format") == "docx":
        content = documents.disclosure_docx(campaign)
        mime, ext = (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        )
    else:
        content = documents.disclosure_xlsx(campaign)
        mime, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="cong-khai-{campaign.slug}.{ext}"'
    return response


@login_required
def ledger_page(request):
    _require(request.user, "funds.view_journalentry")
    entries = JournalEntry.objects.restrict(request.user).select_related("campaign")
    campaign = request.GET.get("campaign", "")
    if campaign:
        entries = entries.filter(campaign__slug=campaign)
    entries = entries.order_by("-seq")
    result = None
    if request.GET.get("verify") == "1":
        result = selectors.ledger_verify_database()
    page = paginate(request, entries)
    return render(
        request,
        "funds/ledger.html",
        {
            "page": page,
            "query": query_without_page(request),
            "head": selectors.ledger_head(),
            "result": result,
            "campaign": campaign,
        },
    )


# The chain export is public and reads every entry: a few downloads per client and window.
LEDGER_EXPORT_LIMIT = 10
LEDGER_EXPORT_WINDOW = 600


def ledger_export(request):
    """The whole chain as JSON lines: public (no personal data), anyone can verify it."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    limit = int(getattr(settings, "ANSINH_LEDGER_EXPORT_LIMIT", LEDGER_EXPORT_LIMIT))
    if rate_limited(request, key="ledger-export", limit=limit, window=LEDGER_EXPORT_WINDOW):
        return too_many_requests(request, window=LEDGER_EXPORT_WINDOW)
    response = StreamingHttpResponse(
        selectors.ledger_export_lines(), content_type="application/x-ndjson; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="so-cai.jsonl"'
    return response


__all__ = ["Donor"]
