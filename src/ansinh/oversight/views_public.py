"""Public pages (no login): the feedback form and following a case by its tracking code."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ansinh.core.ratelimit import ratelimit
from ansinh.org.models import UnionUnit

from . import services
from .models import Feedback, FeedbackCategory

MAX_BODY = 16 * 1024
SESSION_CODE = "oversight_tracking_code"


class PublicFeedbackForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=FeedbackCategory.objects.all(),
        label=gettext_lazy("Loại góp ý"),
        error_messages={
            "required": gettext_lazy("Vui lòng chọn loại góp ý."),
            "invalid_choice": gettext_lazy("Loại góp ý không hợp lệ."),
        },
    )
    unit = forms.ModelChoiceField(
        queryset=UnionUnit.objects.filter(kind=UnionUnit.Kind.COMMUNE, valid_to__isnull=True),
        label=gettext_lazy("Xã/phường của bạn"),
        error_messages={
            "required": gettext_lazy("Vui lòng chọn xã/phường."),
            "invalid_choice": gettext_lazy("Vui lòng chọn xã/phường hợp lệ."),
        },
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=services.MAX_TEXT,
        label=gettext_lazy("Nội dung"),
        error_messages={
            "required": gettext_lazy("Vui lòng nhập nội dung góp ý."),
            "max_length": gettext_lazy("Nội dung quá dài (tối đa 5000 ký tự)."),
        },
    )
    sender_name = forms.CharField(
        required=False,
        max_length=120,
        label=gettext_lazy("Họ tên (không bắt buộc)"),
        error_messages={"max_length": gettext_lazy("Họ tên quá dài.")},
    )
    sender_phone = forms.CharField(
        required=False,
        max_length=15,
        label=gettext_lazy("Số điện thoại (không bắt buộc)"),
        error_messages={"max_length": gettext_lazy("Số điện thoại không hợp lệ.")},
    )


class CodeForm(forms.Form):
    code = forms.CharField(max_length=20, label=gettext_lazy("Mã tra cứu"))


def _too_large(request) -> HttpResponse | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        return HttpResponse(
            _("Nội dung gửi lên quá lớn."), status=413, content_type="text/plain; charset=utf-8"
        )
    return None


@require_http_methods(["GET", "POST"])
@ratelimit(key="feedback-submit", limit=5, window=600)
def feedback_form(request):
    if (response := _too_large(request)) is not None:
        return response
    form = PublicFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _feedback, code = services.feedback_submit(
                channel=Feedback.Channel.PUBLIC,
                category=data["category"],
                unit=data["unit"],
                text=data["text"],
                sender_name=data["sender_name"],
                sender_phone=data["sender_phone"].strip(),
            )
        except ValidationError as error:
            for field, msgs in error.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
        else:
            return render(request, "oversight/public_submitted.html", {"code": code}, status=201)
    return render(
        request, "oversight/public_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@ratelimit(key="feedback-track", limit=10, window=600)
def feedback_track(request):
    """Enter the code (POSTed, never put in a URL) → status, history, resolution, actions."""
    if (response := _too_large(request)) is not None:
        return response
    feedback = None
    form = CodeForm(request.POST or None)
    action = request.POST.get("action", "")
    if request.method == "POST" and form.is_valid():
        feedback = services.feedback_by_code(form.cleaned_data["code"])
        if feedback is None:
            form.add_error("code", _("Không tìm thấy góp ý với mã này."))
        elif action in ("rate", "reopen"):
            try:
                if action == "rate":
                    value = request.POST.get("satisfaction", "")
                    services.feedback_rate(
                        feedback=feedback, satisfaction=int(value) if value.isdigit() else 0
                    )
                else:
                    services.feedback_reopen(
                        feedback=feedback, reason=request.POST.get("reason", "")[:2000]
                    )
            except ValidationError as error:
                form.add_error(None, error.messages)
            feedback.refresh_from_db()
    events = feedback.events.all() if feedback else []
    return render(
        request,
        "oversight/public_track.html",
        {"form": form, "feedback": feedback, "events": events, "satisfaction_choices": range(1, 6)},
        status=404 if form.errors.get("code") else 200,
    )
