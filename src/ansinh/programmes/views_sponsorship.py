"""Pages for sponsorships (Mẹ đỡ đầu): the list (filters, pagination, audited XLSX export),
taking a child, and the sponsorship's page where each month's support is logged or reversed
and the sponsorship is ended. Read through the user's scope: 404 outside it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import has_permission
from ansinh.core.audit import audit_view
from ansinh.core.listing import paginate, query_without_page, wants_export
from ansinh.core.scoping import get_scoped_or_404
from ansinh.funds import services as funds_services
from ansinh.registry.models import Person

from . import selectors, sponsorship
from .forms import (
    SponsorshipEndForm,
    SponsorshipForm,
    SponsorshipPaymentForm,
    SponsorshipReverseForm,
)
from .models import Sponsorship, SponsorshipPayment
from .views import _form_errors, _require
from .views_livelihood import _commune, _export


@login_required
def sponsorship_list(request):
    _require(request.user, "programmes.view_sponsorship")
    filters = {
        "q": request.GET.get("q", "").strip(),
        "sponsor": request.GET.get("sponsor", "").strip(),
        "status": request.GET.get("status", ""),
    }
    rows = selectors.sponsorship_list(user=request.user, **filters)
    if wants_export(request):
        return _export(
            request,
            rows=rows,
            object_type="programmes.sponsorship",
            filename="me-do-dau",
            title=_("Mẹ đỡ đầu"),
            headers=[
                _("Mã số trẻ"),
                _("Họ và tên trẻ"),
                _("Xã/phường"),
                _("Mẹ đỡ đầu, nhà tài trợ"),
                _("Mức hằng tháng (đồng)"),
                _("Từ ngày"),
                _("Đến ngày"),
                _("Lý do kết thúc"),
                _("Đã hỗ trợ (đồng)"),
            ],
            row=lambda item: [
                item.child_id,
                item.child.full_name,
                _commune(item.child),
                item.sponsor.name,
                item.monthly_amount,
                item.starts_on,
                item.ends_on,
                item.get_end_reason_display(),
                item.given,
            ],
        )
    return render(
        request,
        "programmes/sponsorship_list.html",
        {
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "filters": filters,
            "can_add": has_permission(request.user, "programmes.add_sponsorship"),
        },
    )


def _sponsor_for(request, form, child: Person):
    """The chosen sponsor, or a new donor created in the union unit that manages the child."""
    data = form.cleaned_data
    if data.get("sponsor"):
        return data["sponsor"]
    return funds_services.donor_create(
        actor=request.user,
        unit=child.unit,
        name=data["sponsor_name"],
        kind=data.get("sponsor_kind") or "person",
        shows_name_publicly=bool(data.get("sponsor_public")),
    )


@login_required
def sponsorship_create(request):
    _require(request.user, "programmes.add_sponsorship")
    form = SponsorshipForm(
        request.POST or None, user=request.user, initial={"child": request.GET.get("person")}
    )
    if request.method == "POST" and form.is_valid():
        child = get_scoped_or_404(
            Person.objects, request.user, "view", pk=form.cleaned_data["child"]
        )
        try:
            with transaction.atomic():
                item = sponsorship.sponsorship_create(
                    user=request.user,
                    sponsor=_sponsor_for(request, form, child),
                    child=child,
                    monthly_amount=form.cleaned_data["monthly_amount"],
                    starts_on=form.cleaned_data["starts_on"],
                    note=form.cleaned_data["note"],
                )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã ghi nhận đỡ đầu."))
            return redirect("programmes:sponsorship_detail", pk=item.pk)
    return render(request, "programmes/sponsorship_form.html", {"form": form})


def _post(request, item: Sponsorship, forms: dict):
    """Run the action the page posted; returns a redirect, or None to show the errors."""
    action = request.POST.get("action")
    if action not in forms:
        raise Http404
    form = forms[action]
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if action == "pay":
            sponsorship.sponsorship_payment_log(user=request.user, sponsorship=item, **data)
            messages.success(
                request, _("Đã ghi hỗ trợ tháng %s.") % data["month"].strftime("%m/%Y")
            )
        elif action == "reverse":
            payment = get_scoped_or_404(
                SponsorshipPayment.objects.filter(sponsorship=item),
                request.user,
                "change",
                pk=data["payment"],
            )
            sponsorship.sponsorship_payment_reverse(
                user=request.user, payment=payment, reason=data["reason"]
            )
            messages.success(request, _("Đã hủy dòng hỗ trợ."))
        else:
            sponsorship.sponsorship_end(
                user=request.user,
                sponsorship=item,
                ends_on=data["ends_on"],
                reason=data["end_reason"],
                note=data["end_note"],
            )
            messages.success(request, _("Đã kết thúc việc đỡ đầu."))
    except ValidationError as error:
        _form_errors(form, error)
        return None
    return redirect("programmes:sponsorship_detail", pk=item.pk)


@login_required
def sponsorship_detail(request, pk):
    item = get_scoped_or_404(
        Sponsorship.objects.select_related("sponsor", "child__household__commune", "programme"),
        request.user,
        "view",
        pk=pk,
    )
    audit_view(actor=request.user, obj=item)
    can_change = Sponsorship.objects.restrict(request.user, "change").filter(pk=pk).exists()
    posted = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if posted else None
    forms = {
        "pay": SponsorshipPaymentForm(
            posted if action == "pay" else None, initial={"amount": item.monthly_amount}
        ),
        "reverse": SponsorshipReverseForm(posted if action == "reverse" else None),
        "end": SponsorshipEndForm(posted if action == "end" else None),
    }
    if posted is not None:
        if not can_change:
            raise Http404
        response = _post(request, item, forms)
        if response is not None:
            return response
    lines = selectors.sponsorship_months(sponsorship=item)
    return render(
        request,
        "programmes/sponsorship_detail.html",
        {
            "item": item,
            "lines": lines,
            "given": sum(entry["line"].amount for entry in lines),
            "forms": forms,
            "can_change": can_change and item.is_active,
            "can_reverse": can_change,
        },
    )
