"""Officer pages of the oversight module: supervisions, recommendations, feedback.
Everything is fetched through the user's scope; outside it a page answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.permissions import has_permission
from ansinh.core.audit import audit_export, audit_view
from ansinh.core.files import scoped_file_response
from ansinh.core.listing import paginate, query_without_page, wants_export, xlsx_response
from ansinh.core.scoping import get_scoped_or_404
from ansinh.core.text import accent_insensitive_regex
from ansinh.org.models import UnionUnit

from . import selectors, services
from .forms import (
    ActivityForm,
    DecideForm,
    DocumentForm,
    OfficerFeedbackForm,
    RecommendationForm,
    ResolveForm,
    ResponseForm,
)
from .models import (
    Feedback,
    FeedbackCategory,
    Recommendation,
    SupervisionActivity,
    SupervisionDocument,
)


def _require(user, permission: str) -> None:
    if not has_permission(user, permission):
        raise Http404


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, msgs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, error.messages)


# --- supervision activities -------------------------------------------------------------


@login_required
def activity_list(request):
    _require(request.user, "oversight.view_supervisionactivity")
    activities = (
        SupervisionActivity.objects.restrict(request.user)
        .select_related("unit")
        .annotate(
            rec_count=Count("recommendations"),
            overdue_count=Count(
                "recommendations",
                filter=Q(
                    recommendations__status=Recommendation.Status.PENDING,
                    recommendations__deadline__lt=timezone.localdate(),
                ),
            ),
        )
        .order_by("-starts_on", "-pk")
    )
    kind = request.GET.get("kind", "")
    if kind in SupervisionActivity.Kind.values:
        activities = activities.filter(kind=kind)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        pattern = accent_insensitive_regex(q)
        activities = activities.filter(
            Q(topic__iregex=pattern)
            | Q(policy_area__iregex=pattern)
            | Q(subject_body__iregex=pattern)
        )
    if wants_export(request):
        rows = list(activities)
        audit_export(
            actor=request.user,
            object_type="oversight.supervisionactivity",
            count=len(rows),
            filters={"kind": kind, "q": q},
        )
        return xlsx_response(
            filename="giam-sat",
            sheet_title=_("Giám sát"),
            headers=[
                _("Loại"),
                _("Chủ đề"),
                _("Lĩnh vực"),
                _("Đối tượng"),
                _("Đơn vị chủ trì"),
                _("Bắt đầu"),
                _("Kết thúc"),
                _("Số kiến nghị"),
                _("Quá hạn"),
            ],
            rows=[
                [
                    a.get_kind_display(),
                    a.topic,
                    a.policy_area,
                    a.subject_body,
                    a.unit.name,
                    a.starts_on,
                    a.ends_on,
                    a.rec_count,
                    a.overdue_count,
                ]
                for a in rows
            ],
        )
    return render(
        request,
        "oversight/activity_list.html",
        {
            "page": paginate(request, activities),
            "query": query_without_page(request),
            "kinds": SupervisionActivity.Kind.choices,
            "kind": kind,
            "q": q,
            "can_add": has_permission(request.user, "oversight.add_supervisionactivity"),
        },
    )


@login_required
def activity_create(request):
    _require(request.user, "oversight.add_supervisionactivity")
    form = ActivityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã lưu hoạt động giám sát."))
            return redirect("oversight:activity_detail", activity.pk)
    return render(request, "oversight/activity_form.html", {"form": form})


@login_required
def activity_detail(request, pk: int):
    activity = get_scoped_or_404(
        SupervisionActivity.objects.select_related("unit"), request.user, pk=pk
    )
    can_change = SupervisionActivity.objects.restrict(request.user, "change").filter(pk=pk).exists()
    rec_form = RecommendationForm(prefix="rec")
    doc_form = DocumentForm(prefix="doc")
    if request.method == "POST":
        if not can_change:
            raise Http404
        if "rec-text" in request.POST:
            rec_form = RecommendationForm(request.POST, prefix="rec")
            if rec_form.is_valid():
                services.recommendation_create(
                    user=request.user, activity=activity, **rec_form.cleaned_data
                )
                messages.success(request, _("Đã thêm kiến nghị."))
                return redirect("oversight:activity_detail", pk)
        else:
            doc_form = DocumentForm(request.POST, request.FILES, prefix="doc")
            if doc_form.is_valid():
                try:
                    services.activity_add_document(
                        user=request.user, activity=activity, **doc_form.cleaned_data
                    )
                except ValidationError as error:
                    _form_errors(doc_form, error)
                else:
                    return redirect("oversight:activity_detail", pk)
    return render(
        request,
        "oversight/activity_detail.html",
        {
            "activity": activity,
            "recommendations": activity.recommendations.prefetch_related("responses"),
            "documents": activity.documents.all(),
            "rec_form": rec_form,
            "doc_form": doc_form,
            "response_form": ResponseForm(),
            "decide_form": DecideForm(),
            "can_change": can_change,
        },
    )


@login_required
def document_download(request, pk: int):
    """A supervision document, only through the user's scope (out of scope: 404); audited."""
    return scoped_file_response(request, SupervisionDocument.objects, pk=pk)


@login_required
@require_POST
def recommendation_respond(request, pk: int):
    rec = get_scoped_or_404(Recommendation.objects, request.user, "change", pk=pk)
    form = ResponseForm(request.POST)
    if form.is_valid():
        services.recommendation_respond(user=request.user, rec=rec, **form.cleaned_data)
        messages.success(request, _("Đã ghi nhận trả lời."))
    else:
        messages.error(request, _("Vui lòng nhập ngày nhận và nội dung trả lời."))
    return redirect("oversight:activity_detail", rec.activity_id)


@login_required
@require_POST
def recommendation_decide(request, pk: int):
    rec = get_scoped_or_404(Recommendation.objects, request.user, "change", pk=pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        services.recommendation_decide(
            user=request.user, rec=rec, status=form.cleaned_data["status"]
        )
        messages.success(request, _("Đã cập nhật kết quả và thông báo đến hội viên."))
    else:
        messages.error(request, _("Kết quả không hợp lệ."))
    return redirect("oversight:activity_detail", rec.activity_id)


@login_required
def recommendation_list(request):
    _require(request.user, "oversight.view_recommendation")
    recs = Recommendation.objects.restrict(request.user).select_related("activity__unit")
    state = request.GET.get("state", "")
    today = timezone.localdate()
    if state == "overdue":
        recs = recs.filter(status=Recommendation.Status.PENDING, deadline__lt=today)
    elif state == "open":
        recs = recs.exclude(status__in=Recommendation.DONE).exclude(
            status=Recommendation.Status.PENDING, deadline__lt=today
        )
    elif state == "done":
        recs = recs.filter(status__in=Recommendation.DONE)
    if wants_export(request):
        rows = list(recs)
        audit_export(
            actor=request.user,
            object_type="oversight.recommendation",
            count=len(rows),
            filters={"state": state},
        )
        return xlsx_response(
            filename="kien-nghi",
            sheet_title=_("Kiến nghị"),
            headers=[
                _("Hoạt động"),
                _("Đơn vị"),
                _("Kiến nghị"),
                _("Gửi"),
                _("Hạn"),
                _("Trạng thái"),
                _("Quá hạn"),
            ],
            rows=[
                [
                    r.activity.topic,
                    r.activity.unit.name,
                    r.text,
                    r.addressed_to,
                    r.deadline,
                    r.get_status_display(),
                    _("Có") if r.is_overdue else "",
                ]
                for r in rows
            ],
        )
    return render(
        request,
        "oversight/recommendation_list.html",
        {"page": paginate(request, recs), "query": query_without_page(request), "state": state},
    )


@login_required
def unit_follow_up(request, pk: int):
    """Follow-up of the recommendations of activities a unit leads: open, overdue, done."""
    unit = get_scoped_or_404(UnionUnit.objects, request.user, pk=pk)
    _require(request.user, "oversight.view_recommendation")
    follow = services.unit_follow_up(unit)
    return render(request, "oversight/unit_follow_up.html", {"unit": unit, **follow})


# --- feedback ---------------------------------------------------------------------------


@login_required
def feedback_list(request):
    _require(request.user, "oversight.view_feedback")
    items = selectors.feedback_visible(request.user)
    status = request.GET.get("status", "")
    if status in Feedback.Status.values:
        items = items.filter(status=status)
    category = request.GET.get("category", "")
    if category.isdigit():
        items = items.filter(category_id=int(category))
    if request.GET.get("overdue") == "1":
        items = items.filter(status__in=Feedback.OPEN, deadline__lt=timezone.now())
    if wants_export(request):
        rows = list(items)
        audit_export(
            actor=request.user,
            object_type="oversight.feedback",
            count=len(rows),
            filters={"status": status, "category": category},
        )
        return xlsx_response(
            filename="gop-y",
            sheet_title=_("Góp ý"),
            headers=[
                _("Số"),
                _("Ngày nhận"),
                _("Kênh"),
                _("Loại"),
                _("Đơn vị"),
                _("Trạng thái"),
                _("Hạn xử lý"),
                _("Nội dung"),
                _("Kết quả"),
            ],
            rows=[
                [
                    f.pk,
                    f.created_at,
                    f.get_channel_display(),
                    f.category.name,
                    f.unit.name,
                    f.get_status_display(),
                    f.deadline,
                    f.text,
                    f.resolution,
                ]
                for f in rows
            ],
        )
    return render(
        request,
        "oversight/feedback_list.html",
        {
            "page": paginate(request, items),
            "query": query_without_page(request),
            "statuses": Feedback.Status.choices,
            "status": status,
            "categories": FeedbackCategory.objects.all(),
            "category": category,
            "now": timezone.now(),
            "can_add": has_permission(request.user, "oversight.add_feedback"),
        },
    )


@login_required
def feedback_create(request):
    _require(request.user, "oversight.add_feedback")
    form = OfficerFeedbackForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            feedback, code = services.feedback_submit(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, _("Đã tiếp nhận. Mã tra cứu cho người gửi: %(code)s") % {"code": code}
            )
            if selectors.feedback_visible(request.user).filter(pk=feedback.pk).exists():
                return redirect("oversight:feedback_detail", feedback.pk)
            return redirect("oversight:feedback_list")
    return render(request, "oversight/feedback_form.html", {"form": form})


@login_required
def feedback_detail(request, pk: int):
    feedback = selectors.feedback_get_or_404(request.user, pk)
    can_change = selectors.feedback_visible(request.user, "change").filter(pk=pk).exists()
    form = ResolveForm(request.POST or None)
    if request.method == "POST":
        if not can_change:
            raise Http404
        try:
            if request.POST.get("action") == "start":
                services.feedback_start(user=request.user, feedback=feedback)
                return redirect("oversight:feedback_detail", pk)
            if form.is_valid():
                services.feedback_resolve(
                    user=request.user, feedback=feedback, resolution=form.cleaned_data["resolution"]
                )
                messages.success(request, _("Đã cập nhật kết quả giải quyết."))
                return redirect("oversight:feedback_detail", pk)
        except ValidationError as error:
            _form_errors(form, error)
    if feedback.sender_name or feedback.sender_phone:
        audit_view(actor=request.user, obj=feedback)
    return render(
        request,
        "oversight/feedback_detail.html",
        {
            "feedback": feedback,
            "events": feedback.events.select_related("actor", "from_unit"),
            "form": form,
            "can_change": can_change,
        },
    )


@login_required
def feedback_counts(request):
    """Feedback counts by category and status, in the user's scope."""
    _require(request.user, "oversight.count_feedback")
    F = Feedback  # noqa: N806

    rows = (
        F.objects.restrict(request.user, "count")
        .values("category__name")
        .annotate(
            total=Count("pk"),
            resolved=Count("pk", filter=Q(status=F.Status.RESOLVED)),
            open=Count("pk", filter=Q(status__in=F.OPEN)),
            overdue=Count("pk", filter=Q(status__in=F.OPEN, deadline__lt=timezone.now())),
        )
        .order_by("category__name")
    )
    return render(request, "oversight/feedback_counts.html", {"rows": rows})
