"""Officer pages of the outreach module: communication activities and their totals, community
models, commendations. Everything is fetched through the user's scope; outside it a page (and
a file) answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import has_permission
from ansinh.core.audit import audit_export, audit_view
from ansinh.core.files import scoped_file_response
from ansinh.core.listing import paginate, query_without_page, wants_export, xlsx_response
from ansinh.core.scoping import get_scoped_or_404
from ansinh.registry.models import Person

from . import selectors, services
from .forms import (
    ActivityFilterForm,
    ActivityForm,
    CommendationFilterForm,
    CommendationForm,
    CommunityModelForm,
    ListItemForm,
    MaterialForm,
    ModelFilterForm,
    PhotoForm,
    ResultForm,
    StatusForm,
)
from .models import (
    Commendation,
    CommunicationActivity,
    CommunicationMaterial,
    CommunicationTopic,
    CommunityModel,
    CommunityModelKind,
    CommunityModelPhoto,
)

PHOTOS_ON_PAGE = 12


def _require(user, permission: str) -> None:
    if not has_permission(user, permission):
        raise Http404


def _can(user, queryset, pk: int, action: str) -> bool:
    return queryset.restrict(user, action).filter(pk=pk).exists()


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, msgs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, error.messages)


def _tabs(user) -> dict:
    return {
        "activities": has_permission(user, "outreach.view_communicationactivity"),
        "totals": has_permission(user, "outreach.count_communicationactivity"),
        "models": has_permission(user, "outreach.view_communitymodel"),
        "commendations": has_permission(user, "outreach.view_commendation"),
        "lists": has_permission(user, services.CONFIGURE_LISTS),
    }


def _filter_values(filters: dict) -> dict:
    """Filters as plain values for the export audit event."""
    return {key: getattr(value, "pk", None) or str(value) for key, value in filters.items()}


@login_required
def index(request):
    """The menu entry: the list for those who may see records, the totals for the others."""
    if has_permission(request.user, "outreach.view_communicationactivity"):
        return redirect("outreach:activity_list")
    _require(request.user, "outreach.count_communicationactivity")
    return redirect("outreach:totals")


# --- communication activities -----------------------------------------------------------


@login_required
def activity_list(request):
    _require(request.user, "outreach.view_communicationactivity")
    filter_form = ActivityFilterForm(request.GET or None, user=request.user)
    filters = filter_form.filters()
    activities = selectors.activity_list(user=request.user, filters=filters)
    if wants_export(request):
        rows = list(activities)
        audit_export(
            actor=request.user,
            object_type="outreach.communicationactivity",
            count=len(rows),
            filters=_filter_values(filters),
        )
        return xlsx_response(
            filename="tuyen-truyen",
            sheet_title=_("Tuyên truyền"),
            headers=[
                _("Ngày"),
                _("Đơn vị"),
                _("Chủ đề"),
                _("Hình thức"),
                _("Tên hoạt động, bài viết"),
                _("Số người tham dự"),
                _("Lượt tiếp cận trực tuyến"),
                _("Tài liệu"),
                _("Ghi chú"),
            ],
            rows=[
                [
                    a.held_on,
                    a.unit.name,
                    a.topic.name,
                    a.get_channel_display(),
                    a.title,
                    a.participants,
                    a.reach,
                    a.materials,
                    a.notes,
                ]
                for a in rows
            ],
        )
    return render(
        request,
        "outreach/activity_list.html",
        {
            "tabs": _tabs(request.user),
            "active": "activities",
            "page": paginate(request, activities),
            "query": query_without_page(request),
            "filter_form": filter_form,
            "can_add": has_permission(request.user, "outreach.add_communicationactivity"),
            "can_count": has_permission(request.user, "outreach.count_communicationactivity"),
        },
    )


@login_required
def activity_create(request):
    _require(request.user, "outreach.add_communicationactivity")
    form = ActivityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã lưu hoạt động tuyên truyền."))
            if _can(request.user, CommunicationActivity.objects, activity.pk, "view"):
                return redirect("outreach:activity_detail", activity.pk)
            return redirect("outreach:activity_list")
    return render(
        request,
        "outreach/form.html",
        {"form": form, "title": _("Ghi nhận hoạt động tuyên truyền"), "testid": "activity-form"},
    )


@login_required
def activity_update(request, pk: int):
    activity = get_scoped_or_404(
        CommunicationActivity.objects.select_related("unit"), request.user, "change", pk=pk
    )
    form = ActivityForm(request.POST or None, instance=activity, user=request.user, action="change")
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(user=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã cập nhật hoạt động tuyên truyền."))
            return redirect("outreach:activity_detail", pk)
    return render(
        request,
        "outreach/form.html",
        {"form": form, "title": _("Sửa hoạt động tuyên truyền"), "testid": "activity-form"},
    )


@login_required
def activity_detail(request, pk: int):
    activity = get_scoped_or_404(
        CommunicationActivity.objects.select_related("unit", "topic", "created_by"),
        request.user,
        pk=pk,
    )
    can_change = _can(request.user, CommunicationActivity.objects, pk, "change")
    material_form = MaterialForm()
    if request.method == "POST":
        if not can_change:
            raise Http404
        material_form = MaterialForm(request.POST, request.FILES)
        if material_form.is_valid():
            try:
                services.activity_add_material(
                    user=request.user, activity=activity, **material_form.cleaned_data
                )
            except ValidationError as error:
                _form_errors(material_form, error)
            else:
                messages.success(request, _("Đã tải lên tài liệu."))
                return redirect("outreach:activity_detail", pk)
    return render(
        request,
        "outreach/activity_detail.html",
        {
            "tabs": _tabs(request.user),
            "active": "activities",
            "activity": activity,
            "files": activity.files.all(),
            "material_form": material_form,
            "can_change": can_change,
        },
    )


@login_required
def material_download(request, pk: int):
    return scoped_file_response(request, CommunicationMaterial.objects, pk=pk)


@login_required
def totals(request):
    """Totals by channel and topic (and the models and commendations counts) for the user's
    scope: numbers only, so an aggregate viewer may see them."""
    _require(request.user, "outreach.count_communicationactivity")
    filter_form = ActivityFilterForm(request.GET or None, user=request.user, action="count")
    figures = selectors.activity_totals(user=request.user, filters=filter_form.filters())
    chart = {
        "labels": [row["label"] for row in figures["by_channel"]],
        "participants": [row["participants"] for row in figures["by_channel"]],
        "reach": [row["reach"] for row in figures["by_channel"]],
        "sessions": [row["sessions"] for row in figures["by_channel"]],
        "participants_label": _("Người tham dự trực tiếp"),
        "reach_label": _("Lượt tiếp cận trực tuyến"),
    }
    context = {
        "tabs": _tabs(request.user),
        "active": "totals",
        "filter_form": filter_form,
        "figures": figures,
        "chart": chart,
        "can_list": has_permission(request.user, "outreach.view_communicationactivity"),
    }
    if has_permission(request.user, "outreach.count_communitymodel"):
        context["model_totals"] = selectors.community_model_totals(user=request.user)
    if has_permission(request.user, "outreach.count_commendation"):
        levels = dict(Commendation.Level.choices)
        rows = selectors.commendation_totals(user=request.user)
        for row in rows:
            row["label"] = levels.get(row["level"], row["level"])
        context["commendation_totals"] = rows
    return render(request, "outreach/totals.html", context)


# --- community models -------------------------------------------------------------------


@login_required
def model_list(request):
    _require(request.user, "outreach.view_communitymodel")
    filter_form = ModelFilterForm(request.GET or None, user=request.user)
    filters = filter_form.filters()
    models = selectors.community_model_list(user=request.user, filters=filters)
    if wants_export(request):
        rows = list(models)
        audit_export(
            actor=request.user,
            object_type="outreach.communitymodel",
            count=len(rows),
            filters=_filter_values(filters),
        )
        return xlsx_response(
            filename="mo-hinh",
            sheet_title=_("Mô hình"),
            headers=[
                _("Tên mô hình"),
                _("Loại"),
                _("Đơn vị"),
                _("Ngày thành lập"),
                _("Số thành viên"),
                _("Tình trạng"),
                _("Nhân rộng từ"),
                _("Số nơi nhân rộng"),
            ],
            rows=[
                [
                    m.name,
                    m.kind.name,
                    m.unit.name,
                    m.established_on,
                    m.members_count,
                    m.get_status_display(),
                    f"{m.copied_from.name} ({m.copied_from.unit.name})" if m.copied_from else "",
                    m.copies_count,
                ]
                for m in rows
            ],
        )
    return render(
        request,
        "outreach/model_list.html",
        {
            "tabs": _tabs(request.user),
            "active": "models",
            "page": paginate(request, models),
            "query": query_without_page(request),
            "filter_form": filter_form,
            "can_add": has_permission(request.user, "outreach.add_communitymodel"),
        },
    )


@login_required
def model_create(request):
    _require(request.user, "outreach.add_communitymodel")
    form = CommunityModelForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            model = services.community_model_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã lưu mô hình."))
            return redirect("outreach:model_detail", model.pk)
    return render(
        request,
        "outreach/form.html",
        {"form": form, "title": _("Thêm mô hình"), "testid": "model-form"},
    )


@login_required
def model_update(request, pk: int):
    model = get_scoped_or_404(
        CommunityModel.objects.select_related("unit"), request.user, "change", pk=pk
    )
    form = CommunityModelForm(
        request.POST or None, instance=model, user=request.user, action="change"
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.community_model_update(user=request.user, model=model, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã cập nhật mô hình."))
            return redirect("outreach:model_detail", pk)
    return render(
        request,
        "outreach/form.html",
        {"form": form, "title": _("Sửa mô hình"), "testid": "model-form"},
    )


@login_required
def model_detail(request, pk: int):
    model = get_scoped_or_404(
        CommunityModel.objects.select_related("unit", "kind", "copied_from__unit"),
        request.user,
        pk=pk,
    )
    user = request.user
    can_change = _can(user, CommunityModel.objects, pk, "change")
    today = timezone.localdate()
    status_form = StatusForm(prefix="status", initial={"changed_on": today}, current=model.status)
    result_form = ResultForm(prefix="result", initial={"reported_on": today})
    photo_form = PhotoForm(prefix="photo")
    if request.method == "POST":
        if not can_change:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "status":
                status_form = StatusForm(request.POST, prefix="status", current=model.status)
                if status_form.is_valid():
                    services.community_model_change_status(
                        user=user, model=model, **status_form.cleaned_data
                    )
                    messages.success(request, _("Đã cập nhật tình trạng mô hình."))
                    return redirect("outreach:model_detail", pk)
            elif action == "result":
                result_form = ResultForm(request.POST, prefix="result")
                if result_form.is_valid():
                    services.community_model_add_result(
                        user=user, model=model, **result_form.cleaned_data
                    )
                    messages.success(request, _("Đã ghi kết quả."))
                    return redirect("outreach:model_detail", pk)
            elif action == "photo":
                photo_form = PhotoForm(request.POST, request.FILES, prefix="photo")
                if photo_form.is_valid():
                    services.community_model_add_photo(
                        user=user, model=model, **photo_form.cleaned_data
                    )
                    messages.success(request, _("Đã tải ảnh lên."))
                    return redirect("outreach:model_detail", pk)
        except ValidationError as error:
            target = {"status": status_form, "result": result_form, "photo": photo_form}
            _form_errors(target.get(action, status_form), error)
    copies = list(model.copies.select_related("unit").order_by("established_on", "pk"))
    visible_copies = set(
        CommunityModel.objects.restrict(user, "view")
        .filter(pk__in=[c.pk for c in copies])
        .values_list("pk", flat=True)
    )
    source_visible = bool(
        model.copied_from_id and _can(user, CommunityModel.objects, model.copied_from_id, "view")
    )
    return render(
        request,
        "outreach/model_detail.html",
        {
            "tabs": _tabs(request.user),
            "active": "models",
            "model": model,
            "history": model.status_changes.select_related("actor"),
            "results": model.results.select_related("actor"),
            "photos": model.photos.all()[:PHOTOS_ON_PAGE],
            "copies": [(c, c.pk in visible_copies) for c in copies],
            "source_visible": source_visible,
            "commendations": model.commendations.all(),
            "status_form": status_form,
            "result_form": result_form,
            "photo_form": photo_form,
            "can_change": can_change,
            "can_commend": has_permission(user, "outreach.add_commendation"),
        },
    )


@login_required
def photo_download(request, pk: int):
    return scoped_file_response(request, CommunityModelPhoto.objects, pk=pk)


# --- commendations ----------------------------------------------------------------------


def _recipient_label(commendation: Commendation, visible_people: set[int]) -> str:
    if commendation.recipient_person_id:
        if commendation.recipient_person_id in visible_people:
            return commendation.recipient_person.full_name
        return _("Cá nhân (không hiển thị)")
    if commendation.recipient_unit_id:
        return commendation.recipient_unit.name
    return f"{commendation.recipient_model.name} ({commendation.recipient_model.unit.name})"


def _audit_people(user, people) -> None:
    """A registered person's name was shown to `user`: one view event per person."""
    for person in people:
        audit_view(actor=user, obj=person)


@login_required
def commendation_list(request):
    _require(request.user, "outreach.view_commendation")
    filter_form = CommendationFilterForm(request.GET or None, user=request.user)
    filters = filter_form.filters()
    items = selectors.commendation_list(user=request.user, filters=filters)
    if wants_export(request):
        rows = list(items)
        visible = selectors.visible_person_ids(
            user=request.user, person_ids=[c.recipient_person_id for c in rows]
        )
        audit_export(
            actor=request.user,
            object_type="outreach.commendation",
            count=len(rows),
            filters=_filter_values(filters),
        )
        return xlsx_response(
            filename="khen-thuong",
            sheet_title=_("Khen thưởng"),
            headers=[
                _("Ngày khen"),
                _("Số quyết định"),
                _("Cấp khen"),
                _("Hình thức"),
                _("Khen cho"),
                _("Người, tập thể, mô hình được khen"),
                _("Đơn vị quản lý"),
                _("Thành tích, lý do"),
            ],
            rows=[
                [
                    c.awarded_on,
                    c.decision_number,
                    c.get_level_display(),
                    c.get_form_display(),
                    c.recipient_kind_label,
                    _recipient_label(c, visible),
                    c.unit.name,
                    c.reason,
                ]
                for c in rows
            ],
        )
    page = paginate(request, items)
    visible = selectors.visible_person_ids(
        user=request.user, person_ids=[c.recipient_person_id for c in page]
    )
    _audit_people(
        request.user, [c.recipient_person for c in page if c.recipient_person_id in visible]
    )
    return render(
        request,
        "outreach/commendation_list.html",
        {
            "tabs": _tabs(request.user),
            "active": "commendations",
            "page": page,
            "rows": [(c, _recipient_label(c, visible)) for c in page],
            "query": query_without_page(request),
            "filter_form": filter_form,
            "can_add": has_permission(request.user, "outreach.add_commendation"),
        },
    )


def _commendation_initial(request) -> dict:
    """Pre-fill from a link on a person's, unit's or model's page (?person=, ?model=, ?unit=)."""
    initial = {"awarded_on": timezone.localdate()}
    for key, kind in (
        ("person", Commendation.RecipientKind.PERSON),
        ("unit", Commendation.RecipientKind.UNIT),
        ("model", Commendation.RecipientKind.MODEL),
    ):
        value = request.GET.get(key, "")
        if value.isdigit():
            initial["recipient_kind"] = kind
            initial[f"recipient_{key}"] = int(value)
    return initial


@login_required
def commendation_create(request):
    _require(request.user, "outreach.add_commendation")
    form = CommendationForm(
        request.POST or None, user=request.user, initial=_commendation_initial(request)
    )
    if request.method == "POST" and form.is_valid():
        try:
            commendation = services.commendation_create(user=request.user, **form.service_data())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã lưu khen thưởng."))
            return redirect("outreach:commendation_detail", commendation.pk)
    return render(
        request,
        "outreach/commendation_form.html",
        {"form": form, "title": _("Ghi nhận khen thưởng")},
    )


@login_required
def commendation_update(request, pk: int):
    commendation = get_scoped_or_404(Commendation.objects, request.user, "change", pk=pk)
    initial = {
        "recipient_kind": commendation.recipient_kind,
        "recipient_person": commendation.recipient_person_id or "",
        "recipient_unit": commendation.recipient_unit_id,
        "recipient_model": commendation.recipient_model_id,
        "level": commendation.level,
        "form": commendation.form,
        "reason": commendation.reason,
        "awarded_on": commendation.awarded_on,
        "decision_number": commendation.decision_number,
    }
    if commendation.recipient_person_id and not selectors.visible_person_ids(
        user=request.user, person_ids=[commendation.recipient_person_id]
    ):
        raise Http404  # one may not edit what one may not see
    form = CommendationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.commendation_update(
                user=request.user, commendation=commendation, **form.service_data()
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã cập nhật khen thưởng."))
            return redirect("outreach:commendation_detail", pk)
    return render(
        request,
        "outreach/commendation_form.html",
        {"form": form, "title": _("Sửa khen thưởng")},
    )


@login_required
def commendation_detail(request, pk: int):
    commendation = get_scoped_or_404(
        Commendation.objects.select_related(
            "unit", "recipient_unit", "recipient_model__unit", "recipient_person__unit"
        ),
        request.user,
        pk=pk,
    )
    person_visible = bool(
        commendation.recipient_person_id
        and Person.objects.restrict(request.user, "view")
        .filter(pk=commendation.recipient_person_id)
        .exists()
    )
    if person_visible:
        audit_view(actor=request.user, obj=commendation.recipient_person)
    model_visible = bool(
        commendation.recipient_model_id
        and _can(request.user, CommunityModel.objects, commendation.recipient_model_id, "view")
    )
    can_change = _can(request.user, Commendation.objects, pk, "change") and (
        person_visible or not commendation.recipient_person_id
    )
    return render(
        request,
        "outreach/commendation_detail.html",
        {
            "tabs": _tabs(request.user),
            "active": "commendations",
            "commendation": commendation,
            "recipient": _recipient_label(
                commendation, {commendation.recipient_person_id} if person_visible else set()
            ),
            "person_visible": person_visible,
            "model_visible": model_visible,
            "can_change": can_change,
        },
    )


# --- configurable lists -----------------------------------------------------------------

LISTS = {"chu-de": CommunicationTopic, "loai-mo-hinh": CommunityModelKind}


@login_required
def lists(request):
    """Topics and model kinds: add, rename, reorder, switch off (city staff only)."""
    _require(request.user, services.CONFIGURE_LISTS)
    forms_by_list = {}
    if request.method == "POST":
        model = LISTS.get(request.POST.get("list", ""))
        if model is None:
            raise Http404
        pk = request.POST.get("pk", "")
        item = model.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
        if pk and item is None:
            raise Http404
        form = ListItemForm(request.POST, prefix=f"{request.POST['list']}-{pk or 'new'}")
        if form.is_valid():
            try:
                services.list_item_save(
                    user=request.user, model=model, item=item, **form.cleaned_data
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Đã lưu danh mục."))
                return redirect("outreach:lists")
        forms_by_list[(request.POST["list"], pk or "new")] = form
    sections = []
    for key, model in LISTS.items():
        rows = []
        for item in model.objects.order_by("order", "name"):
            form = forms_by_list.get((key, str(item.pk))) or ListItemForm(
                prefix=f"{key}-{item.pk}",
                initial={
                    "code": item.code,
                    "name": item.name,
                    "order": item.order,
                    "is_active": item.is_active,
                },
            )
            rows.append((item, form))
        new = forms_by_list.get((key, "new")) or ListItemForm(
            prefix=f"{key}-new", initial={"order": 100, "is_active": True}
        )
        sections.append(
            {"key": key, "title": model._meta.verbose_name_plural, "rows": rows, "new": new}
        )
    return render(
        request,
        "outreach/lists.html",
        {"sections": sections, "tabs": _tabs(request.user), "active": "lists"},
    )
