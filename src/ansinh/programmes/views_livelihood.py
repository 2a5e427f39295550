"""Pages for loans facilitated, vocational training and job referrals: lists that filter,
paginate and export XLSX (audited), create and edit forms over the services, detail pages
(audited views of personal data). Everything is read through the user's scope (404 outside).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import has_permission
from ansinh.core.audit import audit_export, audit_view
from ansinh.core.listing import paginate, query_without_page, wants_export, xlsx_response
from ansinh.core.scoping import get_scoped_or_404
from ansinh.registry.models import Person

from . import livelihood, selectors
from .forms import (
    CourseForm,
    EnrolForm,
    EnrolmentForm,
    LoanEditForm,
    LoanForm,
    LoanStatusForm,
    ReferralEditForm,
    ReferralForm,
)
from .models import (
    JobOutcome,
    JobReferral,
    LoanFacilitation,
    TrainingCourse,
    TrainingEnrolment,
)
from .views import _form_errors, _require


def _commune(person) -> str:
    household = person.household
    return household.commune.name if household and household.commune_id else ""


def _export(request, *, rows, object_type, filename, title, headers, row):
    audit_export(
        actor=request.user,
        object_type=object_type,
        count=rows.count(),
        filters=request.GET.dict(),
    )
    return xlsx_response(
        filename=filename,
        sheet_title=title,
        headers=headers,
        rows=(row(obj) for obj in rows.iterator(chunk_size=2000)),
    )


def _person_from(request, form) -> Person:
    """The person named in the form, through the user's scope (404 outside)."""
    return get_scoped_or_404(Person.objects, request.user, "view", pk=form.cleaned_data["person"])


def _year(request) -> int | None:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 1990 <= int(value) <= 2100 else None


# -- loans -------------------------------------------------------------------------------


@login_required
def loan_list(request):
    _require(request.user, "programmes.view_loanfacilitation")
    filters = {
        "q": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", ""),
        "bank": request.GET.get("bank", ""),
    }
    rows = selectors.loan_list(user=request.user, **filters)
    if wants_export(request):
        return _export(
            request,
            rows=rows,
            object_type="programmes.loanfacilitation",
            filename="ho-tro-vay-von",
            title=_("Hỗ trợ vay vốn"),
            headers=[
                _("Mã số"),
                _("Họ và tên"),
                _("Xã/phường"),
                _("Ngân hàng"),
                _("Tổ tiết kiệm và vay vốn"),
                _("Số tiền (đồng)"),
                _("Mục đích"),
                _("Ngày nộp hồ sơ"),
                _("Ngày giải ngân"),
                _("Thời hạn (tháng)"),
                _("Tình trạng"),
            ],
            row=lambda loan: [
                loan.person_id,
                loan.person.full_name,
                _commune(loan.person),
                loan.bank_label,
                loan.group_name,
                loan.amount,
                loan.purpose,
                loan.applied_on,
                loan.disbursed_on,
                loan.term_months,
                loan.get_status_display(),
            ],
        )
    return render(
        request,
        "programmes/loan_list.html",
        {
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "filters": filters,
            "statuses": LoanFacilitation.Status.choices,
            "banks": LoanFacilitation.Bank.choices,
            "can_add": has_permission(request.user, "programmes.add_loanfacilitation"),
        },
    )


@login_required
def loan_create(request):
    _require(request.user, "programmes.add_loanfacilitation")
    form = LoanForm(request.POST or None, initial={"person": request.GET.get("person")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person = _person_from(request, form)
        data.pop("person")
        try:
            loan = livelihood.loan_create(user=request.user, person=person, **data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã ghi khoản vay."))
            return redirect("programmes:loan_detail", pk=loan.pk)
    return render(request, "programmes/loan_form.html", {"form": form, "loan": None})


@login_required
def loan_detail(request, pk):
    loan = get_scoped_or_404(
        LoanFacilitation.objects.select_related("person__household__commune", "created_by"),
        request.user,
        "view",
        pk=pk,
    )
    audit_view(actor=request.user, obj=loan)
    can_change = LoanFacilitation.objects.restrict(request.user, "change").filter(pk=pk).exists()
    form = LoanStatusForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                livelihood.loan_set_status(
                    user=request.user,
                    loan=loan,
                    status=data["status"],
                    changed_on=data["changed_on"],
                    note=data["note"],
                    disbursed_on=data["disbursed_on"],
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Đã ghi tình trạng khoản vay."))
                return redirect("programmes:loan_detail", pk=loan.pk)
    return render(
        request,
        "programmes/loan_detail.html",
        {
            "loan": loan,
            "history": loan.history.select_related("changed_by"),
            "form": form,
            "can_change": can_change,
        },
    )


@login_required
def loan_update(request, pk):
    loan = get_scoped_or_404(
        LoanFacilitation.objects.select_related("person"), request.user, "change", pk=pk
    )
    initial = {
        name: getattr(loan, name)
        for name in (
            "bank",
            "bank_name",
            "group_name",
            "amount",
            "purpose",
            "applied_on",
            "disbursed_on",
            "term_months",
            "note",
        )
    }
    form = LoanEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changed:
                livelihood.loan_update(user=request.user, loan=loan, **changed)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã lưu khoản vay."))
            return redirect("programmes:loan_detail", pk=loan.pk)
    return render(request, "programmes/loan_form.html", {"form": form, "loan": loan})


# -- training ----------------------------------------------------------------------------


@login_required
def course_list(request):
    _require(request.user, "programmes.view_trainingcourse")
    q = request.GET.get("q", "").strip()
    rows = selectors.course_list(user=request.user, q=q, year=_year(request))
    if wants_export(request):
        audit_export(
            actor=request.user,
            object_type="programmes.trainingcourse",
            count=rows.count(),
            filters=request.GET.dict(),
        )
        return xlsx_response(
            filename="lop-day-nghe",
            sheet_title=_("Lớp dạy nghề"),
            headers=[
                _("Tên lớp"),
                _("Nghề"),
                _("Cơ sở đào tạo"),
                _("Đơn vị tổ chức"),
                _("Khai giảng"),
                _("Kết thúc"),
                _("Học viên"),
                _("Hoàn thành"),
            ],
            rows=(
                [
                    c.title,
                    c.occupation,
                    c.provider,
                    c.unit.name,
                    c.starts_on,
                    c.ends_on,
                    c.enrolled,
                    c.finished,
                ]
                for c in rows
            ),
        )
    return render(
        request,
        "programmes/course_list.html",
        {
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "q": q,
            "year": request.GET.get("year", ""),
            "can_add": has_permission(request.user, "programmes.add_trainingcourse"),
        },
    )


@login_required
def course_create(request):
    _require(request.user, "programmes.add_trainingcourse")
    form = CourseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            course = livelihood.course_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã tạo lớp."))
            return redirect("programmes:course_detail", pk=course.pk)
    return render(request, "programmes/course_form.html", {"form": form, "course": None})


@login_required
def course_update(request, pk):
    course = get_scoped_or_404(TrainingCourse.objects, request.user, "change", pk=pk)
    initial = {
        name: getattr(course, name)
        for name in ("title", "provider", "occupation", "unit", "starts_on", "ends_on", "note")
    }
    form = CourseForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changed:
                livelihood.course_update(user=request.user, course=course, **changed)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã lưu lớp."))
            return redirect("programmes:course_detail", pk=course.pk)
    return render(request, "programmes/course_form.html", {"form": form, "course": course})


@login_required
def course_detail(request, pk):
    course = get_scoped_or_404(
        TrainingCourse.objects.select_related("unit"), request.user, "view", pk=pk
    )
    filters = {
        "q": request.GET.get("q", "").strip(),
        "completed": request.GET.get("completed", ""),
        "outcome": request.GET.get("outcome", ""),
    }
    rows = selectors.enrolment_list(user=request.user, course=course, **filters)
    if wants_export(request):
        return _export(
            request,
            rows=rows,
            object_type="programmes.trainingenrolment",
            filename=f"hoc-vien-lop-{course.pk}",
            title=course.title,
            headers=[
                _("Mã số"),
                _("Họ và tên"),
                _("Xã/phường"),
                _("Hoàn thành"),
                _("Ngày hoàn thành"),
                _("Chứng chỉ"),
                _("Việc làm sau 3 tháng"),
                _("Ngày kiểm tra (3 tháng)"),
                _("Việc làm sau 6 tháng"),
                _("Ngày kiểm tra (6 tháng)"),
            ],
            row=lambda e: [
                e.person_id,
                e.person.full_name,
                _commune(e.person),
                _("Có") if e.completed else _("Chưa"),
                e.completed_on,
                e.certificate,
                e.get_outcome_3m_display(),
                e.outcome_3m_checked_on,
                e.get_outcome_6m_display(),
                e.outcome_6m_checked_on,
            ],
        )
    return render(
        request,
        "programmes/course_detail.html",
        {
            "course": course,
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "filters": filters,
            "outcomes": JobOutcome.choices,
            "can_change": TrainingCourse.objects.restrict(request.user, "change")
            .filter(pk=pk)
            .exists(),
            "can_enrol": has_permission(request.user, "programmes.add_trainingenrolment"),
            "can_record": has_permission(request.user, "programmes.change_trainingenrolment"),
            "enrol_form": EnrolForm(),
        },
    )


@login_required
def enrolment_create(request, pk):
    course = get_scoped_or_404(TrainingCourse.objects, request.user, "view", pk=pk)
    _require(request.user, "programmes.add_trainingenrolment")
    if request.method != "POST":
        return redirect("programmes:course_detail", pk=course.pk)
    form = EnrolForm(request.POST)
    if form.is_valid():
        person = _person_from(request, form)
        try:
            livelihood.enrolment_create(user=request.user, course=course, person=person)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã ghi danh %(name)s.") % {"name": person.full_name})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("programmes:course_detail", pk=course.pk)


@login_required
def enrolment_update(request, pk):
    enrolment = get_scoped_or_404(
        TrainingEnrolment.objects.select_related("course", "person"),
        request.user,
        "change",
        pk=pk,
    )
    fields = (
        "completed",
        "completed_on",
        "certificate",
        "outcome_3m",
        "outcome_3m_checked_on",
        "outcome_6m",
        "outcome_6m_checked_on",
        "note",
    )
    form = EnrolmentForm(
        request.POST or None, initial={name: getattr(enrolment, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changed:
                livelihood.enrolment_update(user=request.user, enrolment=enrolment, **changed)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã lưu kết quả học nghề."))
            return redirect("programmes:course_detail", pk=enrolment.course_id)
    return render(request, "programmes/enrolment_form.html", {"form": form, "enrolment": enrolment})


# -- job referrals -----------------------------------------------------------------------


@login_required
def referral_list(request):
    _require(request.user, "programmes.view_jobreferral")
    filters = {"q": request.GET.get("q", "").strip(), "outcome": request.GET.get("outcome", "")}
    rows = selectors.referral_list(user=request.user, **filters)
    if wants_export(request):
        return _export(
            request,
            rows=rows,
            object_type="programmes.jobreferral",
            filename="gioi-thieu-viec-lam",
            title=_("Giới thiệu việc làm"),
            headers=[
                _("Mã số"),
                _("Họ và tên"),
                _("Xã/phường"),
                _("Nơi tuyển dụng"),
                _("Vị trí"),
                _("Ngày giới thiệu"),
                _("Kết quả"),
                _("Ngày bắt đầu làm"),
            ],
            row=lambda r: [
                r.person_id,
                r.person.full_name,
                _commune(r.person),
                r.employer,
                r.position,
                r.referred_on,
                r.get_outcome_display(),
                r.starts_on,
            ],
        )
    return render(
        request,
        "programmes/referral_list.html",
        {
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "filters": filters,
            "outcomes": JobReferral.Outcome.choices,
            "can_add": has_permission(request.user, "programmes.add_jobreferral"),
        },
    )


@login_required
def referral_create(request):
    _require(request.user, "programmes.add_jobreferral")
    form = ReferralForm(request.POST or None, initial={"person": request.GET.get("person")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person = _person_from(request, form)
        data.pop("person")
        try:
            referral = livelihood.referral_create(user=request.user, person=person, **data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã ghi giới thiệu việc làm."))
            return redirect("programmes:referral_detail", pk=referral.pk)
    return render(request, "programmes/referral_form.html", {"form": form, "referral": None})


@login_required
def referral_detail(request, pk):
    referral = get_scoped_or_404(
        JobReferral.objects.select_related("person__household__commune", "created_by"),
        request.user,
        "view",
        pk=pk,
    )
    audit_view(actor=request.user, obj=referral)
    return render(
        request,
        "programmes/referral_detail.html",
        {
            "referral": referral,
            "can_change": JobReferral.objects.restrict(request.user, "change")
            .filter(pk=pk)
            .exists(),
        },
    )


@login_required
def referral_update(request, pk):
    referral = get_scoped_or_404(
        JobReferral.objects.select_related("person"), request.user, "change", pk=pk
    )
    fields = ("employer", "position", "referred_on", "outcome", "starts_on", "note")
    form = ReferralEditForm(
        request.POST or None, initial={name: getattr(referral, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changed:
                livelihood.referral_update(user=request.user, referral=referral, **changed)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Đã lưu giới thiệu việc làm."))
            return redirect("programmes:referral_detail", pk=referral.pk)
    return render(request, "programmes/referral_form.html", {"form": form, "referral": referral})
