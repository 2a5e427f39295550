"""Pages to browse administrative units and to ask what became of an old commune."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ansinh.accounts.permissions import has_permission
from ansinh.core.audit import audit_export
from ansinh.core.jobs import job_enqueue
from ansinh.core.listing import paginate, query_without_page, wants_export, xlsx_response

from . import selectors
from .forms import UnitFilterForm, UnitLoadForm
from .models import AdminUnit

LOAD_PERMISSION = "geo.add_adminunit"


@login_required
def unit_list(request):
    form = UnitFilterForm(request.GET or None)
    filters: dict = {}
    if form.is_bound:
        # A bad value drops that filter only: cleaned_data keeps the valid fields.
        form.is_valid()
        filters = form.cleaned_data
    era = filters.get("era") or ""
    if "era" not in request.GET:
        era = AdminUnit.Era.POST_2025
    elif era == "all":
        era = ""
    units = selectors.unit_list(
        era=era,
        level=filters.get("level") or "",
        province_code=filters.get("province") or "",
        parent_id=filters.get("parent"),
        query=filters.get("q") or "",
    )
    if wants_export(request):
        audit_export(
            actor=request.user,
            object_type="geo.adminunit",
            count=units.count(),
            filters=request.GET.dict(),
        )
        return xlsx_response(
            filename="don-vi-hanh-chinh",
            sheet_title=_("Đơn vị hành chính"),
            headers=[
                _("Mã"),
                _("Tên"),
                _("Loại hình"),
                _("Cấp"),
                _("Thời kỳ"),
                _("Mã đơn vị cấp trên"),
                _("Đơn vị cấp trên"),
                _("Mã tỉnh"),
                _("Hiệu lực từ"),
                _("Hiệu lực đến"),
            ],
            rows=(
                (
                    unit.code,
                    unit.name,
                    unit.unit_type,
                    unit.get_level_display(),
                    unit.get_era_display(),
                    unit.parent.code if unit.parent else "",
                    unit.parent.name if unit.parent else "",
                    unit.province_code,
                    unit.valid_from,
                    unit.valid_to,
                )
                for unit in units.iterator(chunk_size=2000)
            ),
        )
    parent = None
    if filters.get("parent"):
        parent = AdminUnit.objects.filter(pk=filters["parent"]).first()
    return render(
        request,
        "geo/unit_list.html",
        {
            "form": form,
            "era": era or "all",
            "page": paginate(request, units),
            "query": query_without_page(request),
            "provinces": selectors.unit_provinces(era=era),
            "parent": parent,
            "levels": AdminUnit.Level.choices,
            "eras": AdminUnit.Era.choices,
            "can_load": has_permission(request.user, LOAD_PERMISSION),
        },
    )


@login_required
def unit_detail(request, pk: int):
    unit = get_object_or_404(AdminUnit.objects.select_related("parent__parent"), pk=pk)
    successions = selectors.unit_successions(unit=unit)
    return render(
        request,
        "geo/unit_detail.html",
        {
            "unit": unit,
            "children": selectors.unit_children(unit=unit),
            "successions": successions,
            "is_split": len(successions) > 1,
            "predecessions": selectors.unit_predecessions(unit=unit),
        },
    )


@login_required
def lookup(request):
    query = request.GET.get("q", "").strip()[:120]
    old_answers, new_answers = selectors.unit_lookup(query=query)
    return render(
        request,
        "geo/lookup.html",
        {"q": query, "old_answers": old_answers, "new_answers": new_answers},
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_load(request):
    """Queue a background job that loads a province's units (system administrators)."""
    if not has_permission(request.user, LOAD_PERMISSION):
        raise PermissionDenied
    form = UnitLoadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["province_code"]
        name = dict(form.fields["province_code"].choices)[code]
        job = job_enqueue(
            kind="geo.load_units",
            title=_("Nạp đơn vị hành chính: %(province)s") % {"province": name},
            user=request.user,
            params={"province_code": code},
        )
        return redirect("core:job_detail", pk=job.pk)
    return render(request, "geo/unit_load.html", {"form": form})
