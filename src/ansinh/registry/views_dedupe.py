"""The review queue of likely duplicates: list, side-by-side comparison, merge or "distinct".

A pair is shown only when the user holds `registry.merge_person` over *both* records; anything
else answers 404. Every comparison page is a view of two people's data: one audit event each.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ansinh.accounts.permissions import ALL, scope_paths
from ansinh.core.audit import audit_export, audit_view
from ansinh.core.listing import paginate, query_without_page, wants_export, xlsx_response
from ansinh.core.validators import format_phone_display
from ansinh.geo.models import AdminUnit
from ansinh.org.models import UnionUnit

from .dedupe import duplicate_decide_distinct
from .dedupe_jobs import dedupe_enqueue
from .merging import person_merge
from .models import DuplicateCandidate, Person
from .services import can_see_sensitive

MERGE_PERMISSION = "registry.merge_person"

# Score bands offered in the filter: (value, label, lower bound, upper bound).
BANDS = [
    ("high", gettext_lazy("Rất giống (≥ 0,95)"), 0.95, None),
    ("medium", gettext_lazy("Khá giống (0,8–0,95)"), 0.8, 0.95),
    ("low", gettext_lazy("Cần xem kỹ (< 0,8)"), None, 0.8),
]


def _merge_paths(user):
    paths = scope_paths(user, MERGE_PERMISSION)
    if paths is not ALL and not paths:
        raise Http404("registry.merge_person not held")
    return paths


def candidates_for(user):
    """Pairs whose two records are both in the user's merge scope (404 without the right)."""
    paths = _merge_paths(user)
    queryset = DuplicateCandidate.objects.all()
    if paths is ALL:
        return queryset
    in_a = Q()
    in_b = Q()
    for path in paths:
        in_a |= Q(person_a__scope_path__startswith=path)
        in_b |= Q(person_b__scope_path__startswith=path)
    return queryset.filter(in_a & in_b)


def _communes_for(user):
    paths = _merge_paths(user)
    communes = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE, households__isnull=False)
    if paths is not ALL:
        inside = Q()
        for path in paths:
            inside |= Q(households__scope_path__startswith=path)
        communes = communes.filter(inside)
    return communes.distinct().order_by("name")


def _units_for(user):
    """City and commune unions the user may run a deduplication over."""
    paths = _merge_paths(user)
    units = UnionUnit.objects.filter(
        kind__in=(UnionUnit.Kind.CITY, UnionUnit.Kind.COMMUNE), valid_to__isnull=True
    )
    if paths is not ALL:
        inside = Q()
        for path in paths:
            inside |= Q(path__startswith=path)
        units = units.filter(inside)
    return units.order_by("path")


@login_required
def duplicate_list(request):
    candidates = candidates_for(request.user).select_related(
        "person_a__household__commune", "person_b__household__commune"
    )
    status = request.GET.get("status") or DuplicateCandidate.Status.PENDING
    if status in DuplicateCandidate.Status.values:
        candidates = candidates.filter(status=status)
    band = request.GET.get("band", "")
    for value, _label, low, high in BANDS:
        if band == value:
            if low is not None:
                candidates = candidates.filter(score__gte=low)
            if high is not None:
                candidates = candidates.filter(score__lt=high)
    commune = request.GET.get("commune", "")
    if commune.isdigit():
        candidates = candidates.filter(
            Q(person_a__household__commune_id=int(commune))
            | Q(person_b__household__commune_id=int(commune))
        )
    candidates = candidates.order_by("-score", "id")
    if wants_export(request):
        rows = [
            (
                pair.person_a_id,
                pair.person_a.full_name,
                pair.person_a.household.commune.name,
                pair.person_b_id,
                pair.person_b.full_name,
                pair.person_b.household.commune.name,
                round(pair.score, 4),
                "; ".join(pair.reasons),
                pair.get_status_display(),
            )
            for pair in candidates
        ]
        audit_export(
            actor=request.user,
            object_type="registry.duplicatecandidate",
            count=len(rows),
            filters={"status": status, "band": band, "commune": commune},
        )
        return xlsx_response(
            filename="nghi-trung",
            sheet_title=_("Nghi trùng"),
            headers=[
                _("Mã hồ sơ A"),
                _("Họ tên A"),
                _("Xã/phường A"),
                _("Mã hồ sơ B"),
                _("Họ tên B"),
                _("Xã/phường B"),
                _("Điểm giống nhau"),
                _("Lý do"),
                _("Trạng thái"),
            ],
            rows=rows,
        )
    return render(
        request,
        "registry/dedupe/list.html",
        {
            "page": paginate(request, candidates),
            "query": query_without_page(request),
            "status": status,
            "statuses": DuplicateCandidate.Status.choices,
            "band": band,
            "bands": [(value, label) for value, label, _low, _high in BANDS],
            "commune": commune,
            "communes": _communes_for(request.user),
            "units": _units_for(request.user),
        },
    )


@login_required
@require_POST
def duplicate_run(request):
    units = _units_for(request.user)
    unit_id = request.POST.get("unit", "")
    unit = units.filter(pk=int(unit_id)).first() if unit_id.isdigit() else None
    if unit is None:
        raise Http404("No such unit in scope")
    job = dedupe_enqueue(user=request.user, unit=unit)
    messages.success(request, _("Đã bắt đầu tìm hồ sơ trùng trong %(unit)s.") % {"unit": unit})
    return redirect("core:job_detail", pk=job.pk)


def _side(person: Person, user) -> dict:
    sensitive_ok = can_see_sensitive(user, person.scope_path)
    vulnerabilities = person.vulnerabilities.select_related("category")
    if not sensitive_ok:
        vulnerabilities = vulnerabilities.filter(category__is_sensitive=False)
    household = person.household
    return {
        "person": person,
        "household": household,
        "phone": format_phone_display(person.phone) if person.phone else "",
        "vulnerabilities": list(vulnerabilities),
        "needs": list(person.needs.select_related("category")),
        "consents": list(person.consents.all()),
        "members": list(household.members.exclude(pk=person.pk).order_by("id")),
    }


def _field_rows(a: Person, b: Person) -> list[dict]:
    def birth(person):
        if person.birth_date:
            return person.birth_date.strftime("%d/%m/%Y")
        return str(person.birth_year or "—")

    def address(person):
        household = person.household
        parts = [household.address_line, household.locality.name if household.locality else ""]
        return ", ".join(p for p in [*parts, household.commune.name] if p)

    specs = [
        (_("Họ và tên"), lambda p: p.full_name),
        (_("Giới tính"), lambda p: p.get_sex_display()),
        (_("Ngày sinh"), birth),
        (_("Số CCCD"), lambda p: p.citizen_id or "—"),
        (_("Điện thoại"), lambda p: format_phone_display(p.phone) if p.phone else "—"),
        (_("Dân tộc"), lambda p: p.get_ethnicity_display()),
        (_("Quan hệ với chủ hộ"), lambda p: p.get_relation_display()),
        (_("Nghề nghiệp"), lambda p: p.occupation or "—"),
        (_("Hội viên"), lambda p: _("Có") if p.is_union_member else _("Không")),
        (_("Mã hồ sơ"), lambda p: p.record_number or "—"),
        (_("Địa chỉ"), address),
        (_("Cơ sở Hội quản lý"), lambda p: p.unit.name),
        (_("Tình trạng"), lambda p: p.get_status_display()),
    ]
    rows = []
    for label, value in specs:
        left, right = value(a), value(b)
        rows.append({"label": label, "a": left, "b": right, "differs": left != right})
    return rows


@login_required
def duplicate_detail(request, pk: int):
    candidates = candidates_for(request.user).select_related(
        "person_a__household__commune",
        "person_a__household__locality",
        "person_a__unit",
        "person_b__household__commune",
        "person_b__household__locality",
        "person_b__unit",
    )
    pair = candidates.filter(pk=pk).first()
    if pair is None:
        raise Http404("No such pair in scope")
    a, b = pair.person_a, pair.person_b
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("keep_a", "keep_b"):
                kept, merged = (a, b) if action == "keep_a" else (b, a)
                person_merge(user=request.user, kept=kept, merged=merged)
                messages.success(
                    request,
                    _("Đã gộp hồ sơ số %(merged)s vào hồ sơ số %(kept)s.")
                    % {"merged": merged.pk, "kept": kept.pk},
                )
                return redirect("registry:duplicate_list")
            if action == "distinct":
                duplicate_decide_distinct(user=request.user, candidate=pair)
                messages.success(request, _("Đã ghi nhận: hai hồ sơ không phải cùng một người."))
                return redirect("registry:duplicate_list")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("registry:duplicate_detail", pk=pair.pk)
        messages.error(request, _("Thao tác không hợp lệ."))
        return redirect("registry:duplicate_detail", pk=pair.pk)
    audit_view(actor=request.user, obj=a)
    audit_view(actor=request.user, obj=b)
    return render(
        request,
        "registry/dedupe/detail.html",
        {
            "pair": pair,
            "a": _side(a, request.user),
            "b": _side(b, request.user),
            "rows": _field_rows(a, b),
            "pending": pair.status == DuplicateCandidate.Status.PENDING,
        },
    )
