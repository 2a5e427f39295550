"""The registry list (= search page), its XLSX export, and the counts page.

The list answers 404 to anyone without `registry.view_person` (an aggregate viewer sees only
the counts page). The list page reads one page (`search.search_page`) and never counts while
rendering: a page that is not full tells its count; otherwise the page asks for it right after
(htmx, `?…&partial=count`), and the count stops at `COUNT_CAP` ("more than 10,000 (filter
further)"). When the query as typed fills a page, typo variants are left out and offered:
"Tìm cả tên gần giống" (`near=1`), with how many they would add.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import has_permission
from ansinh.core.audit import audit_export, user_scope_path
from ansinh.core.listing import PER_PAGE, query_without_page, wants_export, xlsx_response
from ansinh.org.models import UnionUnit

from .models import Household, NeedCategory, Person
from .search import (
    AGE_BAND_CHOICES,
    AGE_BANDS,
    EXPORT_HEADERS,
    STATUS_ANY,
    PersonFilters,
    SensitiveScope,
    birth_text,
    category_choices,
    export_rows,
    person_counts,
    person_search,
    search_count,
    search_page,
    visible_categories,
)

# Below this, a number in the counts could point at a person: shown as "<5" to viewers who
# may not see people (aggregate viewers); officers, who see the people anyway, get the number.
SMALL_CELL = 5


def _page_number(request) -> int:
    value = request.GET.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1


def _unit_choices(user):
    return (
        UnionUnit.objects.restrict(user, "view")
        .filter(
            kind__in=[UnionUnit.Kind.CITY, UnionUnit.Kind.COMMUNE, UnionUnit.Kind.BRANCH],
            valid_to__isnull=True,
        )
        .order_by("path")
        .only("pk", "name", "kind", "path")
    )


def _read_filters(request, user) -> tuple[PersonFilters, dict]:
    """The filters from GET; values not offered to this user are ignored."""
    get = request.GET
    filters = PersonFilters()
    unit = get.get("unit", "")
    if unit.isdigit():
        filters.unit_id = int(unit)
    category = get.get("category", "")
    if category:
        # A code the user may not filter by (a sensitive one) still filters: to nothing,
        # inside apply_filters, so the answer never reveals who has it.
        filters.category = category
    if get.get("sex") in Person.Sex.values:
        filters.sex = get["sex"]
    if get.get("age") in AGE_BANDS:
        filters.age_band = get["age"]
    if get.get("poverty") in Household.Poverty.values:
        filters.poverty = get["poverty"]
    need = get.get("need", "")
    if need:
        filters.need = need
    status = get.get("status", Person.Status.ACTIVE)
    filters.status = status if status in [*Person.Status.values, STATUS_ANY] else "active"
    values = {
        "q": get.get("q", "").strip(),
        "unit": unit,
        "category": filters.category,
        "sex": filters.sex,
        "age": filters.age_band,
        "poverty": filters.poverty,
        "need": filters.need,
        "status": filters.status,
    }
    return filters, values


def _filter_context(user, values, *, with_status=True) -> dict:
    return {
        "values": values,
        "units": _unit_choices(user),
        "categories": category_choices(user),
        "sexes": Person.Sex.choices,
        "age_bands": AGE_BAND_CHOICES,
        "poverties": Household.Poverty.choices,
        "needs": NeedCategory.objects.filter(is_active=True),
        "statuses": [*Person.Status.choices, (STATUS_ANY, _("Mọi tình trạng"))]
        if with_status
        else [],
    }


@login_required
def person_list(request):
    user = request.user
    if not has_permission(user, "registry.view_person"):
        raise Http404
    filters, values = _read_filters(request, user)
    if wants_export(request):
        if not has_permission(user, "registry.export_person"):
            raise Http404
        people = person_search(
            user=user,
            query=values["q"],
            filters=filters,
            action="export",
            near=True if request.GET.get("near") == "1" else None,
        )
        rows = list(export_rows(people, sensitive=SensitiveScope(user)))
        audit_export(
            actor=user,
            object_type="registry.person",
            count=len(rows),
            filters={"q": values["q"], **filters.as_dict()},
            scope_path=user_scope_path(user),
        )
        return xlsx_response(
            filename="doi-tuong", sheet_title=_("Đối tượng"), headers=EXPORT_HEADERS, rows=rows
        )
    near = request.GET.get("near") == "1"
    if request.GET.get("partial") == "count":
        counted = search_count(user=user, query=values["q"], filters=filters, near=near)
        return render(
            request,
            "registry/search/_count.html",
            {"counted": counted, "query": _query_without(request)},
        )
    page = search_page(
        user=user,
        query=values["q"],
        filters=filters,
        page=_page_number(request),
        near=near,
        per_page=PER_PAGE,
    )
    sensitive = SensitiveScope(user)
    rows = [
        {
            "person": person,
            "birth": birth_text(person),
            "categories": visible_categories(person, sensitive),
        }
        for person in page.rows
    ]
    return render(
        request,
        "registry/search/person_list.html",
        {
            "page": page,
            "rows": rows,
            "query": query_without_page(request),
            "count_query": _query_without(request, "page", "export", "partial"),
            "near_query": _query_without(request, "page", "export", "partial", "near"),
            "can_export": has_permission(user, "registry.export_person"),
            "can_count": has_permission(user, "registry.count_person"),
            "can_register": has_permission(user, "registry.add_household"),
            "can_import": has_permission(user, "registry.import_person"),
            "can_merge": has_permission(user, "registry.merge_person"),
            **_filter_context(user, values),
        },
    )


def _query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names or ("page", "export", "partial", "near"):
        params.pop(name, None)
    return params.urlencode()


def _cell(value: int, *, mask_small: bool):
    if mask_small and 0 < value < SMALL_CELL:
        return f"<{SMALL_CELL}"
    return value


@login_required
def counts(request):
    user = request.user
    if not has_permission(user, "registry.count_person"):
        raise Http404
    filters, values = _read_filters(request, user)
    result = person_counts(user=user, filters=filters)
    mask = not has_permission(user, "registry.view_person")

    def cell(n):
        return _cell(n, mask_small=mask)

    table = [
        {
            "name": row["name"],
            "total": cell(row["total"]),
            "cells": [cell(n) for n in row["cells"]],
        }
        for row in result.communes
    ]
    if wants_export(request):
        audit_export(
            actor=user,
            object_type="registry.person_counts",
            count=len(table),
            filters=filters.as_dict(),
            scope_path=user_scope_path(user),
        )
        headers = [_("Xã/phường"), _("Tổng số"), *[c.name for c in result.categories]]
        return xlsx_response(
            filename="so-lieu-doi-tuong",
            sheet_title=_("Số liệu"),
            headers=headers,
            rows=[[r["name"], r["total"], *r["cells"]] for r in table],
        )
    return render(
        request,
        "registry/search/counts.html",
        {
            "result": result,
            "table": table,
            "total": cell(result.total),
            "by_sex": [(label, cell(n)) for label, n in result.by_sex],
            "by_age": [(label, cell(n)) for label, n in result.by_age],
            "by_poverty": [(label, cell(n)) for label, n in result.by_poverty],
            "masked": mask,
            "query": query_without_page(request),
            "can_list": not mask,
            **_filter_context(user, values),
        },
    )
