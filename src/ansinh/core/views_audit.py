"""The inspector's pages over the audit log: search, read one event, export.

Only holders of `core.view_auditevent` (inspectors, system administrators) get here; for
anyone else the pages do not exist (404). Events are scoped like everything else: an
inspector of a subtree sees the events filed under it.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from ansinh.accounts.permissions import has_permission

from .audit import audit_export, user_scope_path
from .listing import paginate, query_without_page, wants_export, xlsx_response
from .models import AuditEvent
from .scoping import get_scoped_or_404
from .text import accent_insensitive_regex, fold

PERMISSION = "core.view_auditevent"
EXPORT_LIMIT = 100_000
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=gettext_lazy("Người thực hiện"), required=False)
    action = forms.ChoiceField(
        label=gettext_lazy("Hành động"),
        required=False,
        choices=[("", gettext_lazy("Tất cả"))] + list(AuditEvent.Action.choices),
    )
    object_type = forms.CharField(label=gettext_lazy("Loại đối tượng"), required=False)
    object_id = forms.CharField(label=gettext_lazy("Mã đối tượng"), required=False)
    q = forms.CharField(label=gettext_lazy("Tên đối tượng"), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("Từ ngày"), required=False, input_formats=DATE_INPUT_FORMATS
    )
    date_to = forms.DateField(
        label=gettext_lazy("Đến ngày"), required=False, input_formats=DATE_INPUT_FORMATS
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("“Đến ngày” phải sau hoặc bằng “Từ ngày”."))
        return data


def audit_event_list(*, user, filters: dict):
    """Events visible to `user` matching the cleaned filters of `AuditFilterForm`."""
    events = AuditEvent.objects.restrict(user, "view")
    if filters.get("actor"):
        events = events.filter(actor_username__icontains=filters["actor"].strip())
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("object_type"):
        events = events.filter(object_type__icontains=filters["object_type"].strip())
    if filters.get("object_id"):
        events = events.filter(object_id=filters["object_id"].strip())
    if filters.get("q") and fold(filters["q"]):
        events = events.filter(object_repr__regex=accent_insensitive_regex(filters["q"]))
    if filters.get("date_from"):
        events = events.filter(at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        events = events.filter(at__date__lte=filters["date_to"])
    return events


def _require_permission(user) -> None:
    if not has_permission(user, PERMISSION):
        raise Http404(_("Không tìm thấy trang."))


def _export_filters(form: AuditFilterForm) -> dict:
    if not form.is_bound or not form.is_valid():
        return {}
    return {
        key: (value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else value)
        for key, value in form.cleaned_data.items()
        if value
    }


@login_required
def audit_list(request):
    _require_permission(request.user)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        # Keep the valid fields: a mistyped date should not hide the other filters.
        filters = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    events = audit_event_list(user=request.user, filters=filters)
    if wants_export(request):
        rows = list(events[:EXPORT_LIMIT])
        audit_export(
            actor=request.user,
            object_type="core.auditevent",
            count=len(rows),
            filters=_export_filters(form),
            scope_path=user_scope_path(request.user),
        )
        return xlsx_response(
            filename="nhat-ky-kiem-tra",
            sheet_title=_("Nhật ký kiểm tra"),
            headers=[
                _("Mã"),
                _("Thời điểm"),
                _("Người thực hiện"),
                _("Hành động"),
                _("Loại đối tượng"),
                _("Mã đối tượng"),
                pgettext("audit", "Đối tượng"),
                _("Thay đổi"),
                _("Địa chỉ IP"),
                _("Đường dẫn"),
                _("Phạm vi"),
            ],
            rows=(
                [
                    event.pk,
                    event.at,
                    event.actor_username,
                    str(event.get_action_display()),
                    event.object_type,
                    event.object_id,
                    event.object_repr,
                    json.dumps(event.changes, ensure_ascii=False) if event.changes else "",
                    event.ip,
                    event.path,
                    event.scope_path,
                ]
                for event in rows
            ),
        )
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": paginate(request, events), "query": query_without_page(request)},
    )


def change_rows(event: AuditEvent) -> list[dict]:
    """The event's changes as rows: field, before, after (or a single value)."""
    rows = []
    for field, value in (event.changes or {}).items():
        if isinstance(value, list) and len(value) == 2:
            rows.append({"field": field, "before": value[0], "after": value[1], "pair": True})
        else:
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            rows.append({"field": field, "value": shown, "pair": False})
    return rows


@login_required
def audit_detail(request, pk: int):
    _require_permission(request.user)
    event = get_scoped_or_404(AuditEvent.objects, request.user, "view", pk=pk)
    return render(
        request, "core/audit_detail.html", {"event": event, "change_rows": change_rows(event)}
    )


__all__ = ["audit_detail", "audit_event_list", "audit_list"]
