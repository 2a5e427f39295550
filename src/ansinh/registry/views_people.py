"""Pages of households and people: registration (with the duplicate warning), the 360° page
and the small forms that change a person (status, categories, needs, consent, data-subject
requests). Every object is fetched through the user's scope for the action at hand, so an
out-of-scope household or person answers 404 to GET and POST alike and nothing changes."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.permissions import has_permission
from ansinh.core.audit import audit_view
from ansinh.core.scoping import get_scoped_or_404
from ansinh.core.validators import format_phone_display

from . import selectors, services
from .forms import (
    ConsentForm,
    ConsentWithdrawForm,
    DataRequestForm,
    DeidentifyForm,
    HouseholdForm,
    HouseholdUpdateForm,
    MemberFormSet,
    NeedMeetForm,
    NeedOpenForm,
    PersonCorrectForm,
    PersonUpdateForm,
    StatusChangeForm,
    VulnerabilityAddForm,
    VulnerabilityCloseForm,
    apply_errors,
    members_signature,
)
from .models import Consent, DataSubjectRequest, Need, Person, PersonVulnerability
from .panels import panels_for

FORM_TEMPLATE = "registry/people/action_form.html"


def _can(user, permission: str, scope_path: str) -> bool:
    return selectors.holds_over(user, permission, scope_path)


def _registration_errors(form, kept, error: ValidationError) -> list[str]:
    """Put a registration error where it belongs: `members[i].field` on member row i, household
    fields on the household form; returns what fits nowhere (shown above the form)."""
    leftover = []
    for key, errors in error.message_dict.items():
        if key.startswith("members[") and "]." in key:
            index_text, name = key[len("members[") :].split("].", 1)
            index = int(index_text)
            if index < len(kept) and name in kept[index].fields:
                for message in errors:
                    kept[index].add_error(name, message)
                continue
        elif key in form.fields:
            for message in errors:
                form.add_error(key, message)
            continue
        leftover.extend(errors)
    return leftover


def _not_found():
    raise Http404("not visible to this user")


# --------------------------------------------------------------------------------------
# Households
# --------------------------------------------------------------------------------------


@login_required
def household_create(request):
    user = request.user
    if not has_permission(user, "registry.add_household"):
        # Nothing to register into: the page does not exist for her.
        _not_found()
    form = HouseholdForm(request.POST or None, user=user)
    formset = MemberFormSet(request.POST or None, prefix="members", form_kwargs={"user": user})
    page_errors: list[str] = []
    duplicates = None
    signature = ""
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        kept = formset.kept_forms()
        members = [member_form.member_data() for member_form in kept]
        unit = form.cleaned_data["unit"]
        signature = members_signature(unit.pk, members)
        if request.POST.get("confirm_duplicates") != signature:
            commune = unit.admin_unit or (unit.parent.admin_unit if unit.parent else None)
            duplicates = []
            for index, member in enumerate(members):
                hits = selectors.duplicate_hits(
                    user=user,
                    full_name=member.full_name,
                    birth_date=member.birth_date,
                    birth_year=member.birth_year,
                    citizen_id=member.citizen_id,
                    phone=member.phone,
                    commune_id=commune.pk if commune else None,
                )
                if hits:
                    duplicates.append({"index": index + 1, "member": member, "hits": hits})
        if not duplicates:
            try:
                household = services.household_register(
                    user=user,
                    unit=unit,
                    locality=form.cleaned_data.get("locality"),
                    address_line=form.cleaned_data.get("address_line") or "",
                    poverty_status=form.cleaned_data["poverty_status"],
                    poverty_standard=form.cleaned_data.get("poverty_standard") or "",
                    poverty_year=form.cleaned_data.get("poverty_year"),
                    members=members,
                )
            except ValidationError as error:
                page_errors = _registration_errors(form, kept, error)
            else:
                messages.success(
                    request,
                    _("Đã đăng ký hộ với %(count)d thành viên.") % {"count": len(members)},
                )
                return redirect("registry:household_detail", household.pk)
    return render(
        request,
        "registry/people/household_form.html",
        {
            "form": form,
            "formset": formset,
            "page_errors": page_errors,
            "duplicates": duplicates,
            "signature": signature,
        },
    )


@login_required
def household_detail(request, pk: int):
    user = request.user
    household = selectors.household_get(user=user, pk=pk)
    members = selectors.household_members(user=user, household=household)
    return render(
        request,
        "registry/people/household_detail.html",
        {
            "household": household,
            "members": members,
            "has_head": any(m.relation == Person.Relation.HEAD for m in members),
            "can_change": _can(user, "registry.change_household", household.scope_path),
            "can_add_member": _can(user, "registry.add_person", household.scope_path),
        },
    )


@login_required
def household_update(request, pk: int):
    user = request.user
    household = selectors.household_get(user=user, pk=pk, action="change")
    form = HouseholdUpdateForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(user=user, household=household, **form.cleaned_data)
        except ValidationError as error:
            for message in apply_errors(form, error):
                form.add_error(None, message)
        else:
            messages.success(request, _("Đã lưu thông tin hộ."))
            return redirect("registry:household_detail", household.pk)
    return _action_page(
        request,
        form,
        title=_("Sửa thông tin hộ"),
        back=reverse("registry:household_detail", args=[household.pk]),
        household=household,
    )


@login_required
def household_member_add(request, pk: int):
    user = request.user
    household = selectors.household_get(user=user, pk=pk, action="change")
    formset = MemberFormSet(request.POST or None, prefix="members", form_kwargs={"user": user})
    form = formset.forms[0]
    if request.method == "POST" and form.is_valid():
        try:
            services.person_add_to_household(
                user=user, household=household, member=form.member_data()
            )
        except ValidationError as error:
            for message in apply_errors(form, error):
                form.add_error(None, message)
        else:
            messages.success(request, _("Đã thêm thành viên."))
            return redirect("registry:household_detail", household.pk)
    return render(
        request,
        "registry/people/member_add.html",
        {"household": household, "formset": formset, "form": form},
    )


# --------------------------------------------------------------------------------------
# A person
# --------------------------------------------------------------------------------------


@login_required
def person_detail(request, pk: int):
    user = request.user
    person = selectors.person_get(user=user, pk=pk)
    page = selectors.person_page(user=user, person=person)
    audit_view(actor=user, obj=person)
    scope = person.scope_path
    editable = not person.is_deidentified and person.status != Person.Status.MERGED
    return render(
        request,
        "registry/people/person_detail.html",
        {
            "person": person,
            "household": person.household,
            "page": page,
            "panels": panels_for(request, person),
            "phone_display": format_phone_display(person.phone),
            "can_change": editable and _can(user, "registry.change_person", scope),
            "can_add_vulnerability": editable
            and _can(user, "registry.add_personvulnerability", scope),
            "can_change_vulnerability": _can(user, "registry.change_personvulnerability", scope),
            "can_add_need": editable and _can(user, "registry.add_need", scope),
            "can_change_need": _can(user, "registry.change_need", scope),
            "can_add_consent": editable and _can(user, "registry.add_consent", scope),
            "can_change_consent": _can(user, "registry.change_consent", scope),
            "can_requests": _can(user, "registry.view_datasubjectrequest", scope),
        },
    )


def _action_page(request, form, *, title, back, person=None, household=None, intro=""):
    return render(
        request,
        FORM_TEMPLATE,
        {
            "form": form,
            "title": title,
            "back": back,
            "person": person,
            "household": household,
            "intro": intro,
        },
    )


def _person_back(person: Person) -> str:
    return reverse("registry:person_detail", args=[person.pk])


def _run(form, call) -> bool:
    """Run a service with the form's data; on ValidationError put the messages on the form."""
    try:
        call()
    except ValidationError as error:
        for message in apply_errors(form, error):
            form.add_error(None, message)
        return False
    return True


def _person_action(request, form, *, person, service, success, title, intro=""):
    """A small form about one person: on a valid POST run `service(**cleaned_data)` (its
    ValidationErrors land on the form), say `success` and go back to her page; otherwise show
    the form (again)."""
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, lambda: service(**form.cleaned_data))
    ):
        messages.success(request, success)
        return redirect(_person_back(person))
    return _action_page(
        request, form, title=title, back=_person_back(person), person=person, intro=intro
    )


@login_required
def person_update(request, pk: int):
    user = request.user
    person = selectors.person_get(user=user, pk=pk, action="change")
    form = PersonUpdateForm(request.POST or None, person=person)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, lambda: services.person_update(user=user, person=person, **form.changes()))
    ):
        messages.success(request, _("Đã lưu thông tin."))
        return redirect(_person_back(person))
    return _action_page(
        request, form, title=_("Sửa thông tin cá nhân"), back=_person_back(person), person=person
    )


@login_required
def person_status(request, pk: int):
    user = request.user
    person = selectors.person_get(user=user, pk=pk, action="change")
    form = StatusChangeForm(request.POST or None, person=person)
    return _person_action(
        request,
        form,
        person=person,
        service=partial(services.person_status_change, user=user, person=person),
        success=_("Đã ghi nhận tình trạng mới."),
        title=_("Thay đổi tình trạng"),
        intro=_("Tình trạng hiện tại: %(status)s.") % {"status": person.get_status_display()},
    )


@login_required
def vulnerability_add(request, pk: int):
    user = request.user
    person = selectors.person_get(user=user, pk=pk, action="change")
    form = VulnerabilityAddForm(request.POST or None, user=user, person=person)
    return _person_action(
        request,
        form,
        person=person,
        service=partial(services.vulnerability_add, user=user, person=person),
        success=_("Đã thêm diện đối tượng."),
        title=_("Thêm diện đối tượng"),
    )


@login_required
def vulnerability_close(request, pk: int):
    user = request.user
    link = get_scoped_or_404(
        PersonVulnerability.objects.select_related("person", "category"), user, "change", pk=pk
    )
    if link.category.is_sensitive and not services.can_see_sensitive(user, link.person.scope_path):
        _not_found()
    form = VulnerabilityCloseForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(
            form,
            lambda: services.vulnerability_close(
                user=user, vulnerability=link, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, _("Đã kết thúc diện “%(name)s”.") % {"name": link.category.name})
        return redirect(_person_back(link.person))
    return _action_page(
        request,
        form,
        title=_("Kết thúc diện “%(name)s”") % {"name": link.category.name},
        back=_person_back(link.person),
        person=link.person,
    )


@login_required
def need_open(request, pk: int):
    user = request.user
    person = selectors.person_get(user=user, pk=pk, action="change")
    form = NeedOpenForm(request.POST or None)
    return _person_action(
        request,
        form,
        person=person,
        service=partial(services.need_open, user=user, person=person),
        success=_("Đã ghi nhận nhu cầu."),
        title=_("Ghi nhận nhu cầu"),
    )


@login_required
def need_meet(request, pk: int):
    user = request.user
    need = get_scoped_or_404(
        Need.objects.select_related("person", "category"), user, "change", pk=pk
    )
    form = NeedMeetForm(request.POST or None)
    return _person_action(
        request,
        form,
        person=need.person,
        service=partial(services.need_meet, user=user, need=need),
        success=_("Đã đánh dấu nhu cầu đã được đáp ứng."),
        title=_("Đáp ứng nhu cầu “%(name)s”") % {"name": need.category.name},
    )


@login_required
def consent_record(request, pk: int):
    user = request.user
    person = selectors.person_get(user=user, pk=pk, action="change")
    form = ConsentForm(request.POST or None)
    return _person_action(
        request,
        form,
        person=person,
        service=partial(services.consent_record, user=user, person=person),
        success=_("Đã ghi nhận sự đồng ý."),
        title=_("Ghi nhận đồng ý xử lý dữ liệu"),
        intro=_(
            "Trẻ dưới 7 tuổi: người giám hộ đồng ý. Trẻ từ đủ 7 tuổi: cả trẻ và người giám hộ. "
            "Người thành niên: bản thân (hoặc người giám hộ nếu có)."
        ),
    )


@login_required
def consent_withdraw(request, pk: int):
    user = request.user
    consent = get_scoped_or_404(Consent.objects.select_related("person"), user, "change", pk=pk)
    form = ConsentWithdrawForm(request.POST or None)
    return _person_action(
        request,
        form,
        person=consent.person,
        service=partial(services.consent_withdraw, user=user, consent=consent),
        success=_("Đã ghi nhận việc rút lại sự đồng ý."),
        title=_("Rút lại sự đồng ý: %(purpose)s") % {"purpose": consent.get_purpose_display()},
    )


# --------------------------------------------------------------------------------------
# Data-subject requests
# --------------------------------------------------------------------------------------


def _open_requests(person: Person, kind: str):
    return DataSubjectRequest.objects.filter(person=person, kind=kind, handled_at__isnull=True)


@login_required
def person_requests(request, pk: int):
    user = request.user
    person = selectors.person_get(user=user, pk=pk)
    if not _can(user, "registry.view_datasubjectrequest", person.scope_path):
        _not_found()
    can_add = _can(user, "registry.add_datasubjectrequest", person.scope_path)
    form = DataRequestForm(request.POST or None)
    if request.method == "POST":
        person = selectors.person_get(user=user, pk=pk, action="change")
        if form.is_valid() and _run(
            form,
            lambda: services.data_request_record(user=user, person=person, **form.cleaned_data),
        ):
            messages.success(request, _("Đã ghi nhận yêu cầu."))
            return redirect("registry:person_requests", person.pk)
    requests = DataSubjectRequest.objects.restrict(user, "view").filter(person=person)
    return render(
        request,
        "registry/people/person_requests.html",
        {
            "person": person,
            "form": form,
            "can_add": can_add and not person.is_deidentified,
            "can_export": _can(user, "registry.export_person", person.scope_path),
            "can_change": _can(user, "registry.change_person", person.scope_path),
            "requests": requests.select_related("handled_by"),
        },
    )


@login_required
@require_POST
def person_export(request, pk: int):
    """The person's own data as JSON (a data-subject request for a copy)."""
    user = request.user
    person = selectors.person_get(user=user, pk=pk)
    if not _can(user, "registry.export_person", person.scope_path):
        _not_found()
    data_request = None
    if request.POST.get("request"):
        data_request = get_scoped_or_404(
            DataSubjectRequest.objects, user, "change", pk=request.POST["request"], person=person
        )
    try:
        content = services.person_data_export(user=user, person=person, request=data_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("registry:person_requests", person.pk)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="du-lieu-{person.pk}-{stamp}.json"'
    return response


@login_required
def person_correct(request, pk: int):
    user = request.user
    person = selectors.person_get(user=user, pk=pk, action="change")
    requests = _open_requests(person, DataSubjectRequest.Kind.CORRECT)
    form = PersonCorrectForm(request.POST or None, person=person, requests=requests)
    if request.method == "POST" and form.is_valid():
        data_request = form.cleaned_data["request"]
        if _run(
            form,
            lambda: services.person_correct(
                user=user, person=person, request=data_request, **form.changes()
            ),
        ):
            messages.success(request, _("Đã chỉnh sửa theo yêu cầu."))
            return redirect("registry:person_requests", person.pk)
    return _action_page(
        request,
        form,
        title=_("Chỉnh sửa dữ liệu theo yêu cầu"),
        back=reverse("registry:person_requests", args=[person.pk]),
        person=person,
        intro=""
        if requests.exists()
        else _("Chưa có yêu cầu chỉnh sửa nào đang chờ: ghi nhận yêu cầu trước."),
    )


@login_required
def person_deidentify(request, pk: int):
    user = request.user
    person = selectors.person_get(user=user, pk=pk, action="change")
    requests = _open_requests(person, DataSubjectRequest.Kind.DELETE)
    form = DeidentifyForm(request.POST or None, requests=requests)
    if request.method == "POST" and form.is_valid():
        data_request = form.cleaned_data["request"]
        with transaction.atomic():
            done = _run(
                form,
                lambda: services.person_deidentify(user=user, person=person, request=data_request),
            )
        if done:
            messages.success(request, _("Đã khử định danh hồ sơ."))
            return redirect(_person_back(person))
    return _action_page(
        request,
        form,
        title=_("Khử định danh hồ sơ"),
        back=reverse("registry:person_requests", args=[person.pk]),
        person=person,
        intro=_(
            "Thao tác này không hoàn tác được. Giữ lại giới tính, năm sinh, xã/phường, diện "
            "đối tượng và nhu cầu để số liệu tổng hợp không thay đổi."
        )
        if requests.exists()
        else _("Chưa có yêu cầu xóa dữ liệu nào đang chờ: ghi nhận yêu cầu trước."),
    )


__all__ = [
    "consent_record",
    "consent_withdraw",
    "household_create",
    "household_detail",
    "household_member_add",
    "household_update",
    "need_meet",
    "need_open",
    "person_correct",
    "person_deidentify",
    "person_detail",
    "person_export",
    "person_requests",
    "person_status",
    "person_update",
    "vulnerability_add",
    "vulnerability_close",
]
