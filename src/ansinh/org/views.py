"""Pages of the union's structure: units, their dashboards, the 01/07/2025 merger,
departments, branches and affiliated units. Every read goes through the user's scope (404
outside it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.models import RoleAssignment
from ansinh.core.audit import audit_export
from ansinh.core.listing import paginate, query_without_page, wants_export, xlsx_response
from ansinh.core.scoping import get_scoped_or_404

from . import selectors, services
from .forms import AffiliatedCreateForm, BranchCreateForm, BranchUpdateForm
from .models import UnionUnit, UnionUnitSuccession


def _filters(request, names) -> dict:
    return {name: request.GET.get(name, "").strip() for name in names}


def _can(user, action: str, unit: UnionUnit) -> bool:
    return UnionUnit.objects.restrict(user, action).filter(pk=unit.pk).exists()


@login_required
def unit_list(request):
    filters = _filters(request, ("kind", "status", "q", "parent"))
    filters["status"] = filters["status"] if filters["status"] in selectors.STATUSES else "current"
    units = selectors.union_unit_list(user=request.user, filters=filters)
    if wants_export(request):
        audit_export(
            actor=request.user, object_type="org.unionunit", count=units.count(), filters=filters
        )
        return xlsx_response(
            filename="co-so-hoi",
            sheet_title=_("Cơ sở Hội"),
            headers=[
                _("Mã"),
                _("Tên"),
                _("Cấp"),
                _("Đơn vị cấp trên"),
                _("Đơn vị hành chính"),
                _("Hoạt động từ"),
                _("Hoạt động đến"),
            ],
            rows=(
                (
                    unit.code,
                    unit.name,
                    unit.get_kind_display(),
                    unit.parent.name if unit.parent else "",
                    unit.admin_unit.name if unit.admin_unit else "",
                    unit.valid_from,
                    unit.valid_to,
                )
                for unit in units.iterator(chunk_size=1000)
            ),
        )
    parent = None
    if filters["parent"]:
        parent = (
            UnionUnit.objects.restrict(request.user, "view")
            .filter(pk=filters["parent"] if filters["parent"].isdigit() else 0)
            .first()
        )
    return render(
        request,
        "org/unit_list.html",
        {
            "page": paginate(request, units),
            "query": query_without_page(request),
            "filters": filters,
            "parent": parent,
            "kinds": UnionUnit.Kind.choices,
            "statuses": [
                ("current", _("Đang hoạt động")),
                ("closed", _("Đã ngừng, đã sáp nhập")),
                ("all", _("Tất cả")),
            ],
        },
    )


@login_required
def unit_detail(request, pk: int):
    unit = selectors.union_unit_get(user=request.user, pk=pk)
    user = request.user
    context = {
        "unit": unit,
        "summary": selectors.union_unit_summary(unit=unit),
        "history": selectors.union_unit_history(user=user, unit=unit),
        "role_count": RoleAssignment.objects.filter(unit=unit).count(),
        "can_add_branch": unit.kind == UnionUnit.Kind.COMMUNE
        and unit.is_current
        and _can(user, "add", unit),
        "can_change": _can(user, "change", unit),
        "can_add_affiliated": unit.kind == UnionUnit.Kind.CITY and _can(user, "add", unit),
    }
    if unit.kind == UnionUnit.Kind.COMMUNE:
        context["branches"] = list(selectors.branch_list(unit=unit))
    if unit.kind == UnionUnit.Kind.CITY:
        context["departments"] = list(selectors.department_list(user=user, union=unit))
        context["commune_types"] = selectors.commune_type_counts(unit=unit)
    if unit.kind == UnionUnit.Kind.DISTRICT:
        context["children"] = list(unit.children.order_by("code"))
    if unit.kind == UnionUnit.Kind.BRANCH:
        context["can_change_branch"] = context["can_change"]
    return render(request, "org/unit_detail.html", context)


@login_required
def merger(request):
    filters = _filters(request, ("q", "kind"))
    unions = selectors.merger_list(user=request.user, filters=filters)
    if wants_export(request):
        successions = (
            UnionUnitSuccession.objects.filter(new__in=unions.values("pk"))
            .select_related("new", "old", "old__parent")
            .order_by("new__code", "old__code")
        )
        audit_export(
            actor=request.user,
            object_type="org.unionunitsuccession",
            count=successions.count(),
            filters=filters,
        )
        return xlsx_response(
            filename="sap-nhap-01-07-2025",
            sheet_title=_("Sáp nhập 01-7-2025"),
            headers=[
                _("Mã Hội mới"),
                _("Hội mới"),
                _("Mã Hội cũ"),
                _("Hội cũ"),
                _("Thuộc (cũ)"),
                _("Hình thức"),
                _("Ghi chú"),
                _("Ngày hiệu lực"),
            ],
            rows=(
                (
                    row.new.code,
                    row.new.name,
                    row.old.code,
                    row.old.name,
                    row.old.parent.name if row.old.parent else "",
                    row.get_kind_display(),
                    row.note,
                    row.effective,
                )
                for row in successions
            ),
        )
    page = paginate(request, unions, per_page=25)
    old_ids = {row.old_id for union in page for row in union.predecessions.all()}
    # Old unions sit under their old district: a commune officer may see the new union but
    # not the old ones, so only visible ones are links.
    visible_old = set(
        UnionUnit.objects.restrict(request.user, "view")
        .filter(pk__in=old_ids)
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "org/merger.html",
        {
            "page": page,
            "visible_old": visible_old,
            "query": query_without_page(request),
            "filters": filters,
            "kinds": UnionUnitSuccession.Kind.choices,
        },
    )


@login_required
def department_list(request):
    departments = selectors.department_list(user=request.user)
    if wants_export(request):
        audit_export(
            actor=request.user,
            object_type="org.department",
            count=departments.count(),
            filters={},
        )
        return xlsx_response(
            filename="ban-don-vi",
            sheet_title=_("Ban, đơn vị"),
            headers=[_("Mã"), _("Tên"), _("Loại"), _("Thuộc")],
            rows=(
                (item.code, item.name, item.get_kind_display(), item.union.name)
                for item in departments
            ),
        )
    return render(
        request,
        "org/department_list.html",
        {"page": paginate(request, departments), "query": query_without_page(request)},
    )


@login_required
def branch_create(request, pk: int):
    parent = get_scoped_or_404(
        UnionUnit.objects.select_related("admin_unit"), request.user, "add", pk=pk
    )
    form = BranchCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            branch = services.branch_create(user=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã thêm %(name)s.") % {"name": branch.name})
            return redirect("org:unit_detail", pk=parent.pk)
    return render(
        request,
        "org/branch_form.html",
        {"form": form, "parent": parent, "title": _("Thêm chi hội")},
    )


@login_required
def branch_update(request, pk: int):
    branch = get_scoped_or_404(
        UnionUnit.objects.select_related("parent", "locality"),
        request.user,
        "change",
        pk=pk,
        kind=UnionUnit.Kind.BRANCH,
    )
    initial = {
        "name": branch.name,
        "locality_name": branch.locality.name if branch.locality else "",
    }
    form = BranchUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.branch_update(
                user=request.user,
                branch=branch,
                name=form.cleaned_data["name"],
                locality_name=form.cleaned_data["locality_name"] or None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã lưu chi hội."))
            return redirect("org:unit_detail", pk=branch.pk)
    return render(
        request,
        "org/branch_form.html",
        {"form": form, "parent": branch.parent, "branch": branch, "title": _("Sửa chi hội")},
    )


@login_required
@require_POST
def branch_close(request, pk: int):
    branch = get_scoped_or_404(
        UnionUnit.objects.all(), request.user, "change", pk=pk, kind=UnionUnit.Kind.BRANCH
    )
    try:
        services.branch_close(user=request.user, branch=branch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Chi hội đã ngừng hoạt động; lịch sử vẫn được giữ."))
    return redirect("org:unit_detail", pk=branch.pk)


@login_required
def affiliated_create(request, pk: int):
    """Add an affiliated unit (đơn vị trực thuộc) under the city union.

    Only for whoever may add units at the city union itself (system admin, city leader): for
    anyone else, a commune officer included, the page does not exist (404).
    """
    city = get_scoped_or_404(
        UnionUnit.objects.select_related("admin_unit"),
        request.user,
        "add",
        pk=pk,
        kind=UnionUnit.Kind.CITY,
    )
    form = AffiliatedCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            unit = services.affiliated_create(
                user=request.user, city=city, code=code, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã thêm %(name)s.") % {"name": unit.name})
            return redirect("org:unit_detail", pk=unit.pk)
    return render(
        request,
        "org/affiliated_form.html",
        {"form": form, "parent": city, "title": _("Thêm đơn vị trực thuộc")},
    )
