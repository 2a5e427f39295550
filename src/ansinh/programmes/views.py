"""Pages of the programmes module: thin views over services and selectors. Everything is
fetched through the user's scope: outside it a page answers 404 and nothing changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.permissions import has_permission
from ansinh.core.audit import audit_export
from ansinh.core.listing import (
    date_param,
    paginate,
    query_without_page,
    wants_export,
    xlsx_response,
)
from ansinh.core.scoping import get_scoped_or_404
from ansinh.registry.models import Person
from ansinh.rules.services import rule_parse

from . import selectors, services
from .forms import AddForm, DeliveryForm, ProgrammeForm, ReasonForm, RoundForm, RuleCheckForm
from .models import Delivery, Entitlement, Programme, Round


def _require(user, permission: str) -> None:
    if not has_permission(user, permission):
        raise Http404


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _flash_error(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def programme_list(request):
    _require(request.user, "programmes.view_programme")
    programmes = Programme.objects.select_related("owner").annotate(
        round_count=Count("rounds", filter=Q(rounds__in=Round.objects.restrict(request.user)))
    )
    kind = request.GET.get("kind", "")
    if kind:
        programmes = programmes.filter(benefit_kind=kind)
    if request.GET.get("active") == "1":
        programmes = programmes.filter(is_active=True)
    if wants_export(request):
        return xlsx_response(
            filename="chuong-trinh-ho-tro",
            sheet_title=_("Chương trình hỗ trợ"),
            headers=[
                _("Mã"),
                _("Chương trình"),
                _("Hình thức"),
                _("Ban phụ trách"),
                _("Điều kiện xét chọn"),
                _("Đang thực hiện"),
                _("Số đợt"),
            ],
            rows=(
                [
                    p.code,
                    p.name,
                    p.get_benefit_kind_display(),
                    str(p.owner or ""),
                    p.eligibility_rule,
                    _("Có") if p.is_active else _("Không"),
                    p.round_count,
                ]
                for p in programmes
            ),
        )
    return render(
        request,
        "programmes/programme_list.html",
        {
            "programmes": programmes,
            "kinds": Programme.BenefitKind.choices,
            "kind": kind,
            "can_add_round": has_permission(request.user, "programmes.add_round"),
            "can_loans": has_permission(request.user, "programmes.view_loanfacilitation"),
            "can_courses": has_permission(request.user, "programmes.view_trainingcourse"),
            "can_referrals": has_permission(request.user, "programmes.view_jobreferral"),
            "can_left_behind": has_permission(request.user, "programmes.count_delivery")
            or has_permission(request.user, "programmes.view_delivery"),
        },
    )


@login_required
def programme_detail(request, pk):
    _require(request.user, "programmes.view_programme")
    try:
        programme = Programme.objects.select_related("owner").get(pk=pk)
    except Programme.DoesNotExist as exc:
        raise Http404 from exc
    form = RuleCheckForm(request.GET or None, initial={"rule": programme.eligibility_rule})
    check = None
    if form.is_bound and form.is_valid() and has_permission(request.user, "registry.count_person"):
        try:
            services.rule_check(user=request.user, text=form.cleaned_data["rule"])
            rule = rule_parse(form.cleaned_data["rule"])
            people = Person.objects.restrict(request.user, "count").filter(
                status=Person.Status.ACTIVE
            )
            from ansinh.rules.selectors import person_select

            check = person_select(rule=rule, people=people).count()
        except ValidationError as error:
            form.add_error("rule", error.messages)
    rounds = Round.objects.restrict(request.user).filter(programme=programme)[:20]
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "form": form,
            "check": check,
            "rounds": rounds,
            "can_add_round": has_permission(request.user, "programmes.add_round"),
            "can_change": has_permission(request.user, "programmes.change_programme"),
        },
    )


PROGRAMME_FIELDS = ("name", "benefit_kind", "owner", "description", "eligibility_rule", "is_active")


@login_required
def programme_update(request, pk):
    """Edit a catalogue entry; the eligibility rule is checked before anything is saved."""
    _require(request.user, "programmes.change_programme")
    try:
        programme = Programme.objects.select_related("owner").get(pk=pk)
    except Programme.DoesNotExist as exc:
        raise Http404 from exc
    form = ProgrammeForm(
        request.POST or None,
        initial={name: getattr(programme, name) for name in PROGRAMME_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PROGRAMME_FIELDS}
        fields["name"] = fields["name"].strip()
        fields["eligibility_rule"] = fields["eligibility_rule"].strip()
        try:
            services.programme_update(user=request.user, programme=programme, **fields)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã lưu chương trình."))
            return redirect("programmes:programme_detail", pk=programme.pk)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": programme})


@login_required
def round_list(request):
    _require(request.user, "programmes.view_round")
    year = request.GET.get("year", "")
    filters = {
        "status": request.GET.get("status", ""),
        "programme": request.GET.get("programme", ""),
        "year": int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None,
        "q": request.GET.get("q", "").strip(),
    }
    rounds = selectors.round_list(user=request.user, **filters)
    if wants_export(request):
        return xlsx_response(
            filename="dot-ho-tro",
            sheet_title=_("Các đợt hỗ trợ"),
            headers=[
                _("Mã đợt"),
                _("Tên đợt"),
                _("Chương trình"),
                _("Đơn vị đề xuất"),
                _("Kinh phí (đồng)"),
                _("Mức mỗi người (đồng)"),
                _("Nguồn kinh phí"),
                _("Điều kiện xét chọn"),
                _("Trạng thái"),
                _("Từ ngày"),
                _("Đến ngày"),
            ],
            rows=(
                [
                    r.pk,
                    r.title,
                    r.programme.name,
                    r.unit.name,
                    r.budget,
                    r.amount_per_person,
                    r.funding_source,
                    r.rule,
                    r.get_status_display(),
                    r.starts_on,
                    r.ends_on,
                ]
                for r in rounds.iterator(chunk_size=2000)
            ),
        )
    return render(
        request,
        "programmes/round_list.html",
        {
            "page": paginate(request, rounds),
            "query": query_without_page(request),
            "statuses": Round.Status.choices,
            "programmes": Programme.objects.order_by("order", "name"),
            "filters": filters,
        },
    )


@login_required
def delivery_list(request):
    _require(request.user, "programmes.view_delivery")
    start, start_error = date_param(request, "from")
    end, end_error = date_param(request, "to")
    for error in (start_error, end_error):
        if error:
            messages.warning(request, error)
    round_id = request.GET.get("round", "")
    filters = {
        "programme": request.GET.get("programme", ""),
        "round_id": int(round_id) if round_id.isdigit() else None,
        "commune": request.GET.get("commune", "").strip(),
        "start": start,
        "end": end,
        "q": request.GET.get("q", "").strip(),
    }
    rows = selectors.delivery_list(user=request.user, **filters)
    if wants_export(request):
        audit_export(
            actor=request.user,
            object_type="programmes.delivery",
            count=rows.count(),
            filters=request.GET.dict(),
        )
        return xlsx_response(
            filename="luot-trao-ho-tro",
            sheet_title=_("Các lần trao hỗ trợ"),
            headers=[
                _("Ngày trao"),
                _("Mã số"),
                _("Họ và tên"),
                _("Xã/phường"),
                _("Chương trình"),
                _("Đợt"),
                _("Số tiền (đồng)"),
                _("Hiện vật"),
                _("Người nhận xác nhận"),
                _("Có minh chứng"),
                _("Người trao"),
            ],
            rows=(
                [
                    d.delivered_on,
                    d.person_id,
                    d.person.full_name,
                    d.person.household.commune.name if d.person.household else "",
                    d.programme.name,
                    d.entitlement.round.title,
                    d.amount,
                    d.items,
                    _("Có") if d.acknowledged else _("Chưa"),
                    _("Có") if d.evidence else _("Không"),
                    str(d.deliverer),
                ]
                for d in rows.iterator(chunk_size=2000)
            ),
        )
    return render(
        request,
        "programmes/delivery_list.html",
        {
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "programmes": Programme.objects.order_by("order", "name"),
            "filters": {
                **filters,
                "from": request.GET.get("from", ""),
                "to": request.GET.get("to", ""),
            },
        },
    )


@login_required
def round_create(request):
    _require(request.user, "programmes.add_round")
    programme = None
    programme_pk = request.GET.get("programme") or request.POST.get("programme")
    if programme_pk and str(programme_pk).isdigit():
        programme = Programme.objects.filter(pk=programme_pk, is_active=True).first()
    if programme is None:
        raise Http404
    initial = {
        "rule": programme.eligibility_rule,
        "title": f"{programme.name} {timezone.localdate().year}",
    }
    form = RoundForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.round_create(
                user=request.user,
                programme=programme,
                unit=data["unit"],
                title=data["title"],
                budget=data["budget"] or 0,
                funding_source=data["funding_source"],
                amount_per_person=data["amount_per_person"] or 0,
                items=data["items"],
                rule=data["rule"],
                quota_mode=data["quota_mode"],
                quotas=data["quotas"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reference_date=data["reference_date"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã tạo đợt hỗ trợ."))
            return redirect("programmes:round_detail", pk=round_.pk)
    return render(request, "programmes/round_form.html", {"form": form, "programme": programme})


def _round(request, pk, action="view"):
    return get_scoped_or_404(
        Round.objects.select_related("programme", "unit", "proposed_by", "approved_by"),
        request.user,
        action,
        pk=pk,
    )


@login_required
def round_detail(request, pk):
    round_ = _round(request, pk)
    user = request.user
    counts = dict(
        Entitlement.objects.restrict(user)
        .filter(round=round_)
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    can_change = Round.objects.restrict(user, "change").filter(pk=round_.pk).exists()
    can_approve = (
        Round.objects.restrict(user, "approve").filter(pk=round_.pk).exists()
        and round_.proposed_by_id != user.pk
    )
    return render(
        request,
        "programmes/round_detail.html",
        {
            "round": round_,
            "counts": counts,
            "quotas": round_.quotas.select_related("unit"),
            "can_change": can_change,
            "can_approve": can_approve,
            "is_proposer": round_.proposed_by_id == user.pk,
            "funding": _round_funding(round_),
        },
    )


def _round_funding(round_: Round) -> list[dict]:
    """Campaigns of the funds module that paid into the round (none when funds is absent)."""
    try:
        from ansinh.funds.selectors import round_funding
    except ImportError:
        return []
    return round_funding(round_id=round_.pk)


def _post_action(request, pk, action, service, success):
    round_ = _round(request, pk, action)
    try:
        result = service(user=request.user, round=round_)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        message = success(result) if callable(success) else success
        messages.success(request, message)
    return redirect("programmes:round_detail", pk=round_.pk)


@login_required
@require_POST
def round_generate(request, pk):
    return _post_action(
        request,
        pk,
        "change",
        services.round_generate_candidates,
        lambda n: _("Đã đưa %(n)s người vào danh sách đề xuất.") % {"n": n},
    )


@login_required
@require_POST
def round_submit(request, pk):
    return _post_action(request, pk, "change", services.round_submit, _("Đã trình duyệt."))


@login_required
@require_POST
def round_close(request, pk):
    return _post_action(request, pk, "change", services.round_close, _("Đã kết thúc đợt."))


@login_required
def round_approve(request, pk):
    round_ = _round(request, pk, "approve")
    if request.method == "POST":
        try:
            services.round_approve(user=request.user, round=round_)
        except ValidationError as error:
            _flash_error(request, error)
            return redirect("programmes:round_approve", pk=round_.pk)
        messages.success(request, _("Đã phê duyệt đợt hỗ trợ."))
        return redirect("programmes:round_detail", pk=round_.pk)
    return render(
        request,
        "programmes/round_approve.html",
        {
            "round": round_,
            "summary": services.round_summary(round_),
            "is_proposer": round_.proposed_by_id == request.user.pk,
        },
    )


@login_required
def round_summary(request, pk):
    round_ = _round(request, pk)
    summary = round_.summary if round_.status == Round.Status.CLOSED else None
    if not summary or not has_permission(request.user, "programmes.view_entitlement"):
        summary = services.round_summary(round_)
    return render(request, "programmes/round_summary.html", {"round": round_, "summary": summary})


@login_required
def candidate_list(request, pk):
    round_ = _round(request, pk)
    user = request.user
    rows = selectors.candidates(
        round_=round_,
        user=user,
        commune=request.GET.get("commune", ""),
        status=request.GET.get("status", ""),
        q=request.GET.get("q", "").strip(),
    )
    if wants_export(request):
        audit_export(
            actor=user,
            object_type="programmes.entitlement",
            count=rows.count(),
            filters={"round": round_.pk, **request.GET.dict()},
            scope_path=round_.scope_path,
        )
        return xlsx_response(
            filename=f"danh-sach-dot-{round_.pk}.xlsx",
            sheet_title=round_.title,
            headers=[
                _("Mã số"),
                _("Họ và tên"),
                _("Năm sinh"),
                _("Xã/phường"),
                _("Thứ tự"),
                _("Trạng thái"),
                _("Mức hỗ trợ"),
                _("Lý do"),
                _("Ngày trao"),
            ],
            rows=(
                [
                    e.person_id,
                    e.person.full_name,
                    e.person.birth_year,
                    e.commune_unit.name if e.commune_unit else "",
                    e.rank,
                    e.get_status_display(),
                    e.amount,
                    e.reason,
                    getattr(getattr(e, "delivery", None), "delivered_on", None),
                ]
                for e in rows.iterator(chunk_size=2000)
            ),
        )
    communes = round_.quotas.select_related("unit").order_by("unit__name")
    reviewable = round_.status == Round.Status.CANDIDATES and not round_.submitted_at
    return render(
        request,
        "programmes/candidate_list.html",
        {
            "round": round_,
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "communes": communes,
            "statuses": Entitlement.Status.choices,
            "can_review": reviewable and has_permission(user, "programmes.change_entitlement"),
            "can_add": reviewable and has_permission(user, "programmes.add_entitlement"),
            "can_deliver": round_.status in (Round.Status.APPROVED, Round.Status.DELIVERING)
            and has_permission(user, "programmes.add_delivery"),
            "add_form": AddForm(),
        },
    )


@login_required
@require_POST
def entitlement_add(request, pk):
    round_ = _round(request, pk)
    form = AddForm(request.POST)
    if form.is_valid():
        person = get_scoped_or_404(
            Person.objects, request.user, "view", pk=form.cleaned_data["person"]
        )
        try:
            services.entitlement_add(
                user=request.user, round=round_, person=person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _flash_error(request, error)
        else:
            messages.success(request, _("Đã bổ sung %(name)s.") % {"name": person.full_name})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("programmes:candidate_list", pk=round_.pk)


@login_required
def entitlement_remove(request, pk):
    entitlement = get_scoped_or_404(
        Entitlement.objects.select_related("round", "person"), request.user, "change", pk=pk
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entitlement_remove(
                user=request.user, entitlement=entitlement, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã đưa %(name)s ra khỏi danh sách.") % {"name": entitlement.person.full_name},
            )
            return redirect("programmes:candidate_list", pk=entitlement.round_id)
    return render(
        request,
        "programmes/entitlement_remove.html",
        {"entitlement": entitlement, "form": form},
    )


@login_required
def delivery_create(request, pk):
    entitlement = get_scoped_or_404(
        Entitlement.objects.select_related("round", "person"), request.user, "view", pk=pk
    )
    _require(request.user, "programmes.add_delivery")
    form = DeliveryForm(
        request.POST or None,
        request.FILES or None,
        initial={"amount": entitlement.amount, "items": entitlement.round.items},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delivery, created = services.delivery_record(
                user=request.user,
                entitlement=entitlement,
                delivered_on=data["delivered_on"],
                amount=data["amount"],
                items=data["items"],
                evidence=data["evidence"],
                acknowledged=data["acknowledged"],
                acknowledged_how=data["acknowledged_how"],
                note=data["note"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if created:
                messages.success(request, _("Đã ghi nhận việc trao hỗ trợ."))
            else:
                messages.info(request, _("Việc trao hỗ trợ này đã được ghi nhận trước đó."))
            return redirect("programmes:candidate_list", pk=entitlement.round_id)
    return render(
        request, "programmes/delivery_form.html", {"entitlement": entitlement, "form": form}
    )


@login_required
def left_behind(request):
    user = request.user
    can_list = has_permission(user, "programmes.view_delivery") and has_permission(
        user, "registry.view_person"
    )
    if not (can_list or has_permission(user, "programmes.count_delivery")):
        raise Http404
    try:
        months = max(0, min(120, int(request.GET.get("months", 12))))
    except ValueError:
        months = 12
    today = timezone.localdate()
    figures = selectors.left_behind_for(user=user, today=today, months=months)
    context = {"figures": figures, "months": months, "can_list": can_list}
    if can_list:
        people = selectors.unreached_people(
            people=Person.objects.restrict(user, "view"), today=today, months=months
        )
        if wants_export(request):
            audit_export(
                actor=user,
                object_type="programmes.left_behind",
                count=people.count(),
                filters=request.GET.dict(),
            )
            return xlsx_response(
                filename="chua-duoc-ho-tro.xlsx",
                sheet_title=_("Chưa được hỗ trợ"),
                headers=[
                    _("Mã số"),
                    _("Họ và tên"),
                    _("Năm sinh"),
                    _("Xã/phường"),
                    _("Diện"),
                    _("Nhu cầu chưa đáp ứng"),
                ],
                rows=(
                    [
                        p.pk,
                        p.full_name,
                        p.birth_year,
                        p.household.commune.name if p.household.commune_id else "",
                        ", ".join(v.category.name for v in p.open_categories),
                        ", ".join(n.category.name for n in p.open_needs_list),
                    ]
                    for p in people.iterator(chunk_size=2000)
                ),
            )
        context["page"] = paginate(
            request,
            selectors.unreached_rows(user=user, today=today, months=months, figures=figures),
        )
        context["query"] = query_without_page(request)
    context["chart"] = {
        "labels": [row["name"] for row in figures.by_commune],
        "reached": [row["reached"] for row in figures.by_commune],
        "unreached": [row["unreached"] for row in figures.by_commune],
    }
    return render(request, "programmes/left_behind.html", context)


@login_required
def delivery_evidence(request, pk):
    """The evidence file of a delivery, only through the user's scope (never a public URL)."""
    delivery = get_scoped_or_404(Delivery.objects, request.user, "view", pk=pk)
    if not delivery.evidence:
        raise Http404
    name = delivery.evidence.name.rsplit("/", 1)[-1]
    return FileResponse(delivery.evidence.open("rb"), filename=name)
