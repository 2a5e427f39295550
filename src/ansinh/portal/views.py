"""The public transparency pages /minh-bach/ (Decree 93/2021/NĐ-CP art. 14).

No login, no session, no CSRF token, no officers' menu: every page is rendered without the
request (`render_public`), so the same bytes can be served to everyone from the cache
(`public_page`). Only campaigns marked public exist here; any other slug answers 404.
"""

from __future__ import annotations

import csv
from html import escape
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseNotAllowed, StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ansinh.core.money import format_vnd

from . import selectors
from .forms import DonationSearchForm
from .public import over_limit, public_page, render_public

CSV_WINDOW = 600
DEFAULT_CSV_LIMIT = 10  # downloads per 10 minutes per client IP
SEARCH_PARAMS = ("q", "amount", "date_from", "date_to")


def _not_found():
    return render_public("portal/not_found.html", {}, status=404)


def _ledger_context() -> dict:
    return {
        "ledger": selectors.latest_entry(),
        "ledger_export_url": reverse("funds:ledger_export"),
    }


@public_page(key="pages")
def campaign_list(request):
    campaigns = [selectors.public_campaign(c) for c in selectors.public_campaigns()]
    return render_public("portal/campaign_list.html", {"campaigns": campaigns, **_ledger_context()})


@public_page(key="pages")
def campaign_detail(request, slug: str):
    campaign = selectors.public_campaign_or_none(slug)
    if campaign is None:
        return _not_found()
    daily = selectors.daily_chart(campaign)
    chart = {
        "label": _("Số tiền nhận (đồng)"),
        "labels": [day["date"].strftime("%d/%m") for day in daily],
        "amounts": [day["amount"] for day in daily],
    }
    return render_public(
        "portal/campaign_detail.html",
        {
            "campaign": selectors.public_campaign(campaign),
            "daily": daily,
            "chart": chart,
            "spending": selectors.campaign_spending(campaign),
            "communes": selectors.people_by_commune(campaign),
            "goods": selectors.in_kind_stock(campaign),
            **_ledger_context(),
        },
    )


_ROW = (
    '<tr data-testid="donation-row"><td class="text-nowrap">{}</td>'
    '<td class="money">{}{}</td><td>{}</td><td class="memo small">{}</td></tr>'
)


def _rows_html(page) -> str:
    """The result rows, built here rather than in a template loop: the search page is the
    one public page rendered on every uncached request, and a 50-row template loop with
    filters costs more than the query (bench/bench_portal.py). Every value from the
    database is escaped (`html.escape`, as Django's `escape`); the rest is constant."""
    if page is None:
        return ""
    in_kind = format_html(' <span class="badge text-bg-secondary">{}</span>', _("hiện vật"))
    return mark_safe(  # noqa: S308 (every interpolated value escaped above)
        "\n".join(
            _ROW.format(
                row.received_on.strftime("%d/%m/%Y"),
                escape(format_vnd(row.amount)),
                in_kind if row.in_kind else "",
                escape(row.donor),
                escape(row.memo),
            )
            for row in page.rows
        )
    )


def _fields(form: DonationSearchForm) -> dict:
    """Each field's label, value as typed and errors, as plain values for the template (the
    search page renders on every uncached request; bound fields cost more to ask)."""
    errors = form.errors
    return {
        name: {
            "label": str(field.label),
            "value": form.data.get(name) or "",
            "errors": errors.get(name, ()),
        }
        for name, field in form.fields.items()
    }


def _search_query(form: DonationSearchForm) -> str:
    """The search parameters as typed (not the cursor), for paging and CSV links."""
    return urlencode([(name, form.data[name]) for name in SEARCH_PARAMS if form.data.get(name)])


@public_page(key="pages")
def donation_search(request, slug: str):
    campaign = selectors.public_campaign_cached(slug)
    if campaign is None:
        return _not_found()
    form = DonationSearchForm(request.GET)
    page = None
    status = 200
    if form.is_valid():
        try:
            page = selectors.donation_search(
                campaign,
                form.filters(),
                cursor=selectors.Cursor.parse(request.GET.get("sau")),
                limit=selectors.PAGE_SIZE,
            )
        except selectors.SearchTooBroad:
            form.add_error(
                None,
                _(
                    "Tìm kiếm mất quá nhiều thời gian. Hãy nhập thêm chữ của tên, "
                    "hoặc thêm ngày, số tiền."
                ),
            )
    if form.errors:
        status = 400  # not cached
    return render_public(
        "portal/donation_search.html",
        {
            "campaign": campaign,
            "form": form,
            "fields": _fields(form),
            "page": page,
            "rows_html": _rows_html(page),
            "query": _search_query(form),
        },
        status=status,
    )


def _csv_cell(value: str) -> str:
    # A spreadsheet would run a cell that starts like a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class _Echo:
    def write(self, value):
        return value


def donation_csv(request, slug: str):
    """The whole result of a search as CSV (UTF-8 with BOM for Excel), streamed."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    limit = int(getattr(settings, "ANSINH_PORTAL_CSV_LIMIT", DEFAULT_CSV_LIMIT))
    refused = over_limit(request, key="portal:csv", limit=limit, window=CSV_WINDOW)
    if refused is not None:
        return refused
    campaign = selectors.public_campaign_or_none(slug)
    if campaign is None:
        return _not_found()
    form = DonationSearchForm(request.GET)
    if not form.is_valid():
        return render_public(
            "portal/donation_search.html",
            {
                "campaign": campaign,
                "form": form,
                "fields": _fields(form),
                "page": None,
                "query": _search_query(form),
            },
            status=400,
        )
    filters = form.filters()
    language = translation.get_language()
    headers = [_("Ngày"), _("Số tiền (đồng)"), _("Hình thức"), _("Người ủng hộ"), _("Nội dung")]
    kinds = {True: _("Hiện vật"), False: _("Tiền")}

    def lines():
        # The response is iterated after the view returned: keep the page's language.
        with translation.override(language):
            writer = csv.writer(_Echo())
            yield "\ufeff" + writer.writerow(headers)
            for row in selectors.donation_rows(campaign, filters):
                yield writer.writerow(
                    [
                        row.received_on.strftime("%d/%m/%Y"),
                        row.amount,
                        kinds[row.in_kind],
                        _csv_cell(row.donor),
                        _csv_cell(row.memo),
                    ]
                )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ung-ho-{campaign.slug}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@public_page(key="pages")
def verify_guide(request):
    return render_public("portal/verify_guide.html", _ledger_context())
