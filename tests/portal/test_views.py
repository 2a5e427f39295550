"""The public pages /minh-bach/: figures, privacy, search, paging, CSV, limits, cache, 404."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db.models import Sum
from django.test import Client, override_settings
from django.urls import reverse

from ansinh.core.money import format_vnd
from ansinh.core.text import fold
from ansinh.funds import services as funds
from ansinh.funds.models import Account, Campaign, Donation, JournalEntry, Posting
from ansinh.portal import selectors

from .conftest import BENEFICIARY_NAME, HIDDEN_NAME

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8")


def _testid(html: str, testid: str) -> list[str]:
    """Texts of the elements carrying data-testid=testid (simple, flat elements)."""
    import re

    pattern = re.compile(rf'data-testid="{testid}"[^>]*>(.*?)</', re.S)
    return [value.strip() for value in pattern.findall(html)]


def _search(client, slug="bao-yagi", **params):
    return client.get(reverse("portal:donation_search", args=[slug]), params)


def _rows(html: str) -> list[str]:
    return list(html.split('data-testid="donation-row"')[1:])


def _ledger(campaign, kind) -> int:
    account = Account.objects.get(campaign=campaign, kind=kind)
    return Posting.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0


# --- figures ------------------------------------------------------------------------------


def test_campaign_figures_equal_the_ledger(world, client):
    campaign = world.campaign
    received = _ledger(campaign, Account.Kind.BANK) + _ledger(campaign, Account.Kind.CASH)
    allocated = -_ledger(campaign, Account.Kind.ALLOCATED)
    balance = -_ledger(campaign, Account.Kind.FUND)
    assert (received, allocated, balance) == (1_550_000, 900_000, 650_000)

    for url in (
        reverse("portal:campaign_detail", args=["bao-yagi"]),
        reverse("portal:campaign_list"),
    ):
        html = _text(client.get(url))
        assert _testid(html, "received") == [format_vnd(received)]
        assert _testid(html, "allocated") == [format_vnd(allocated)]
        assert _testid(html, "balance") == [format_vnd(balance)]
        # only the allocation to a recorded delivery is delivered; the round is still open
        assert _testid(html, "delivered") == [format_vnd(500_000)]


def test_campaign_page_shows_days_spending_goods_window_and_the_chain_head(world, client):
    html = _text(client.get(reverse("portal:campaign_detail", args=["bao-yagi"])))
    days = html.split('data-testid="daily-row"')[1:]
    assert len(days) == 3  # 10, 11 and 12/09 (the in-kind gift is not cash)
    assert "10/09/2024" in days[0] and "250.000 ₫" in days[0]
    assert "12/09/2024" in days[2] and "300.000 ₫" in days[2]
    assert 'id="daily-data"' in html and "vendor/chartjs/chart.umd.min.js" in html
    assert "cdn" not in html.lower()

    spending = html.split('data-testid="spending-row"')[1:]
    assert len(spending) == 2
    # the delivery's commune (500.000, delivered, 1 person) and the round at the city (400.000)
    assert "Hội LHPN Phường Hoàn Kiếm" in spending[0] and "500.000 ₫" in spending[0]
    assert "Hội LHPN Thành phố Hà Nội" in spending[1] and "400.000 ₫" in spending[1]
    assert [row.people for row in selectors.campaign_spending(world.campaign)] == [1, 1]
    communes = html.split('data-testid="commune-row"')[1:]
    assert len(communes) == 1 and "Hội LHPN Phường Hoàn Kiếm" in communes[0]

    goods = html.split('data-testid="goods-row"')[1:]
    assert len(goods) == 1
    assert list(_cells(goods[0])) == ["Gạo", "kg", "100", "10", "90", "2.000.000 ₫"]

    assert "Nhận ủng hộ từ 01/09/2024 đến 30/09/2024 (30 ngày)" in html
    assert "20/10/2024" in html  # distribute by: 20 days after the window closed
    last = JournalEntry.objects.order_by("-seq").first()
    assert _testid(html, "ledger-hash") == [last.hash]
    assert f'href="{reverse("funds:ledger_export")}"' in html
    assert f'href="{reverse("portal:verify_guide")}"' in html


def _cells(row_html: str) -> list[str]:
    import re

    return [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)]


def test_receiving_window_states():
    campaign = Campaign(receive_from=dt.date(2024, 9, 1), receive_until=dt.date(2024, 12, 15))
    window = selectors.receiving_window(campaign, today=dt.date(2024, 8, 1))
    assert (window.status, window.days, window.too_long) == ("upcoming", 106, True)
    window = selectors.receiving_window(campaign, today=dt.date(2024, 12, 10))
    assert (window.status, window.days_left) == ("receiving", 5)
    window = selectors.receiving_window(campaign, today=dt.date(2025, 1, 1))
    assert (window.status, window.distribute_by, window.days_left) == (
        "distributing",
        dt.date(2025, 1, 4),
        3,
    )
    assert selectors.receiving_window(campaign, today=dt.date(2025, 1, 5)).status == "closed"


def test_verify_guide_shows_the_hash_the_export_and_the_standard_library_script(world, client):
    html = _text(client.get(reverse("portal:verify_guide")))
    assert _testid(html, "ledger-hash") == [JournalEntry.objects.order_by("-seq").first().hash]
    assert "portal/verify_ledger.py" in html
    from tests.funds.test_ledger import SCRIPT  # the script the ledger tests run

    shipped = ROOT / "src/ansinh/portal/static/portal/verify_ledger.py"
    assert shipped.is_file() and shipped == SCRIPT


# --- privacy ------------------------------------------------------------------------------


def _all_public_texts(client) -> dict[str, str]:
    pages = {
        "list": client.get(reverse("portal:campaign_list")),
        "detail": client.get(reverse("portal:campaign_detail", args=["bao-yagi"])),
        "guide": client.get(reverse("portal:verify_guide")),
        "search": _search(client),
        "search-amount": _search(client, amount="300.000"),
        "search-name": _search(client, q="kin dao"),
        "search-name-accents": _search(client, q="Trần Thị"),
        "csv": client.get(reverse("portal:donation_csv", args=["bao-yagi"])),
        "csv-name": client.get(reverse("portal:donation_csv", args=["bao-yagi"]), {"q": "kin"}),
    }
    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 200)
    # the search form echoes what the visitor typed: only what the site adds counts
    return {name: _without_form(_text(response)) for name, response in pages.items()}


def _without_form(html: str) -> str:
    import re

    return re.sub(r'<form method="get".*?</form>', "", html, flags=re.S)


def test_a_hidden_donors_name_never_appears_anywhere(world, client):
    for name, text in _all_public_texts(client).items():
        folded = fold(text)
        assert HIDDEN_NAME not in text, name
        assert "kin dao" not in folded, name
    # her gift is there, by amount, as an anonymous donor without her memo
    rows = _rows(_text(_search(client, amount="300000")))
    assert len(rows) == 1
    assert "Nhà hảo tâm ẩn danh" in rows[0] and "300.000 ₫" in rows[0]
    assert "ung ho" not in rows[0]
    # and searching by her name finds nothing
    assert _rows(_text(_search(client, q="tran thi kin"))) == []


def test_a_donor_hidden_afterwards_is_not_found_by_name_even_with_stale_search_text(world, client):
    """The flag is read at query time: search text written before she asked still hides."""
    donation = Donation.objects.get(donor=world.hidden)
    Donation.objects.filter(pk=donation.pk).update(
        search_text=fold(f"{HIDDEN_NAME} TRAN THI KIN DAO"), public_name=HIDDEN_NAME
    )
    assert _rows(_text(_search(client, q="kin dao"))) == []
    html = _text(_search(client, amount="300000"))
    assert HIDDEN_NAME not in html and "Nhà hảo tâm ẩn danh" in html


def test_no_beneficiary_name_on_any_public_page(world, client):
    assert world.delivery.person.full_name == BENEFICIARY_NAME
    for name, text in _all_public_texts(client).items():
        assert BENEFICIARY_NAME not in text, name
        assert fold(BENEFICIARY_NAME) not in fold(text), name


def test_memos_are_masked_on_pages_and_csv(world, client):
    html = _text(_search(client, q="le thi mai"))
    assert "0912345678" not in html and "••••5678" in html
    text = _text(client.get(reverse("portal:donation_csv", args=["bao-yagi"])))
    assert "0101001222009" not in text and "6916176124" not in text
    assert "••••2009" in text and "••••6124" in text


def test_pages_carry_no_session_no_csrf_and_no_officer_menu(world, client, client_for, personas):
    url = reverse("portal:campaign_detail", args=["bao-yagi"])
    anonymous = client.get(url)
    cache.clear()
    officer = client_for(personas.city_admin).get(url)
    assert anonymous.content == officer.content
    for response in (anonymous, officer):
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
        assert b"csrfmiddlewaretoken" not in response.content
        assert reverse("accounts:logout").encode() not in response.content


# --- search -------------------------------------------------------------------------------


def test_search_by_name_fragment_is_accent_insensitive(world, client):
    for fragment in ("nguyen van", "NGUYỄN VĂN", "Nguyễn Văn Hoà", "van hoa"):
        rows = _rows(_text(_search(client, q=fragment)))
        assert len(rows) == 1, fragment
        assert "Nguyễn Văn Hòa" in rows[0] and "50.000 ₫" in rows[0]
    assert _rows(_text(_search(client, q="van nguyen"))) == []


def test_search_by_exact_amount_and_range(world, client):
    assert len(_rows(_text(_search(client, amount="50.000 ₫")))) == 1
    ranged = _rows(_text(_search(client, amount="100.000-300.000")))
    assert len(ranged) == 2  # 200.000 and 300.000
    assert len(_rows(_text(_search(client, amount="1.000.000 đến 5.000.000")))) == 2  # cash, goods


def test_search_by_date_and_name_together(world, client):
    rows = _rows(
        _text(_search(client, q="nguyen van", date_from="10/09/2024", date_to="10/09/2024"))
    )
    assert len(rows) == 1
    assert _rows(_text(_search(client, q="nguyen van", date_from="11/09/2024"))) == []
    day = _rows(_text(_search(client, date_from="10/09/2024", date_to="10/09/2024")))
    assert len(day) == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "31/02/2024"}, "Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy."),
        ({"date_from": "12/09/2024", "date_to": "10/09/2024"}, "“Từ ngày” phải trước"),
        ({"amount": "năm chục"}, "không hợp lệ"),
        ({"amount": "300.000-100.000"}, "từ nhỏ đến lớn"),
        ({"q": "a"}, "Nhập ít nhất 2 chữ cái"),
        ({"q": "0912345678"}, "Không tìm theo số tài khoản"),
    ],
)
def test_bad_search_input_answers_400_in_vietnamese_and_is_not_cached(
    world, client, params, message
):
    response = _search(client, **params)
    assert response.status_code == 400
    assert message in _text(response)
    assert 'data-testid="donation-row"' not in _text(response)
    assert _search(client, **params).status_code == 400


def test_keyset_pagination_walks_every_donation_once_newest_first(world, client, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    expected = list(
        Donation.objects.filter(campaign=world.campaign)
        .order_by("-received_on", "-id")
        .values_list("amount", flat=True)
    )
    assert len(expected) == 5
    seen, params, pages = [], {}, 0
    while True:
        html = _text(_search(client, **params))
        pages += 1
        seen += [
            int(amount.replace(".", ""))
            for amount in __import__("re").findall(r'class="money">([\d.]+) ₫', html)
        ]
        following = _testid(html, "next-page")
        if not following:
            break
        cursor = __import__("re").search(r"sau=([0-9.\-]+)", html).group(1)
        params = {"sau": cursor}
        if pages > 1:
            assert 'data-testid="first-page"' in html
    assert seen == expected
    assert pages == 3
    assert "Kết quả 5–5" in html


def test_a_forged_cursor_gives_the_first_page(world, client):
    first = _text(_search(client))
    assert _rows(_text(_search(client, sau="not-a-cursor"))) == _rows(first)
    assert _rows(_text(_search(client, sau="2024-13-45.1.1"))) == _rows(first)


def test_search_page_query_count_does_not_grow_with_rows(
    world, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        _search(client, q="nguyen")


# --- CSV ----------------------------------------------------------------------------------


def test_csv_holds_the_whole_result_masked_and_safe_for_spreadsheets(world, client):
    response = client.get(
        reverse("portal:donation_csv", args=["bao-yagi"]), {"amount": "1-5000000"}
    )
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="ung-ho-bao-yagi.csv"' in response["Content-Disposition"]
    text = _text(response)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Ngày", "Số tiền (đồng)", "Hình thức", "Người ủng hộ", "Nội dung"]
    assert len(rows) == 1 + 5
    assert rows[1] == ["12/09/2024", "2000000", "Hiện vật", "Công ty Gạo Ngon", ""]
    formula = next(row for row in rows if row[1] == "1000000")
    assert formula[4] == "'=HYPERLINK(chuc binh an)"
    assert formula[3] == "Nhà hảo tâm ẩn danh"


def test_csv_follows_the_search(world, client):
    text = _text(client.get(reverse("portal:donation_csv", args=["bao-yagi"]), {"q": "le thi"}))
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row[3] for row in rows[1:]] == ["Lê Thị Mai"]
    bad = client.get(reverse("portal:donation_csv", args=["bao-yagi"]), {"date_from": "hôm qua"})
    assert bad.status_code == 400


@override_settings(ANSINH_PORTAL_CSV_LIMIT=2)
def test_csv_has_its_own_tighter_rate_limit(world, client):
    url = reverse("portal:donation_csv", args=["bao-yagi"])
    assert [client.get(url).status_code for _n in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    assert "Quá nhiều yêu cầu" in _text(refused)
    # the pages keep their own budget
    assert _search(client).status_code == 200


# --- limits, cache, visibility ------------------------------------------------------------


@override_settings(ANSINH_PORTAL_RATE_LIMIT=3)
def test_pages_answer_429_past_the_limit(world, client):
    url = reverse("portal:campaign_detail", args=["bao-yagi"])
    assert [client.get(url).status_code for _n in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    text = _text(refused)
    assert "Quá nhiều yêu cầu" in text
    assert reverse("accounts:logout") not in text  # the public layout, not the officers'
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.get(url).status_code == 200


def test_a_cached_page_is_served_from_the_cache_until_it_expires(world, client):
    url = reverse("portal:campaign_detail", args=["bao-yagi"])
    before = _testid(_text(client.get(url)), "received")
    funds.donation_record(
        actor=None,
        campaign=world.campaign,
        kind=Donation.Kind.BANK,
        amount=7_000_000,
        received_on=dt.date(2024, 9, 13),
        donor_name="Vũ Thị Lan",
    )
    cached = client.get(url)
    assert _testid(_text(cached), "received") == before == [format_vnd(1_550_000)]
    assert "max-age=60" in cached["Cache-Control"]
    cache.clear()  # what expiry does
    assert _testid(_text(client.get(url)), "received") == [format_vnd(8_550_000)]


@override_settings(ANSINH_PORTAL_CACHE_SECONDS=5)
def test_cache_lifetime_is_a_setting(world, client):
    response = client.get(reverse("portal:campaign_list"))
    assert "max-age=5" in response["Cache-Control"]


def test_non_public_campaigns_answer_404_and_are_not_listed(world, client, personas):
    funds.campaign_create(
        actor=None,
        slug="noi-bo",
        title="Quỹ nội bộ chưa công khai",
        unit=personas.city,
        receive_from=dt.date(2024, 9, 1),
        receive_until=dt.date(2024, 9, 30),
        is_public=False,
    )
    for name in ("portal:campaign_detail", "portal:donation_search", "portal:donation_csv"):
        response = client.get(reverse(name, args=["noi-bo"]))
        assert response.status_code == 404, name
        assert "Không tìm thấy" in _text(response)
        assert "Quỹ nội bộ" not in _text(response)
    assert client.get(reverse("portal:campaign_detail", args=["khong-co"])).status_code == 404
    listing = _text(client.get(reverse("portal:campaign_list")))
    assert "Quỹ nội bộ" not in listing and len(_testid(listing, "received")) == 1


def test_only_get(world, client):
    assert client.post(reverse("portal:campaign_list")).status_code == 405
    assert client.post(reverse("portal:donation_csv", args=["bao-yagi"])).status_code == 405


def test_login_page_links_the_public_pages(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("portal:campaign_list")}"' in html


def test_fragments_are_whole_words(world, client):
    assert _rows(_text(_search(client, q="nguy"))) == []
    assert _rows(_text(_search(client, q="van ho"))) == []
    assert len(_rows(_text(_search(client, q="hoa")))) == 1


def test_both_ways_of_answering_a_fragment_agree(world, client, monkeypatch, personas):
    """The newest-rows window and the word index give the same pages (PostgreSQL has both;
    SQLite answers with the plain filter)."""
    for number in range(7):
        funds.donation_record(
            actor=None,
            campaign=world.campaign,
            kind=Donation.Kind.BANK,
            amount=10_000 + number,
            received_on=dt.date(2024, 9, 1 + number),
            donor_name=f"Nguyễn Văn Thử {number}",
            memo=f"IBFT NGUYEN.VAN  THU {number} ung ho",
        )
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)

    def walk() -> list[str]:
        seen, params = [], {"q": "nguyen van"}
        while True:
            cache.clear()
            html = _text(_search(client, **params))
            seen += _rows(html)
            found = __import__("re").search(r"sau=([0-9.\-]+)", html)
            if not found:
                return seen
            params = {"q": "nguyen van", "sau": found.group(1)}

    windowed = walk()
    monkeypatch.setattr(selectors, "ORDERED_WINDOW", 1)  # never a full page: the word index
    indexed = walk()
    assert windowed == indexed
    assert len(windowed) == 8  # seven "Nguyễn Văn Thử" and Nguyễn Văn Hòa


def test_an_import_not_yet_in_the_word_index_is_found_all_the_same(
    world, client, tmp_path, monkeypatch
):
    """Between an import's commit and its catch-up the search reads its rows directly."""
    from ansinh.funds import search, statements
    from ansinh.funds.models import DonationSearch, StatementImport

    monkeypatch.setattr(statements, "search_catch_up", lambda progress=None: 0)
    path = tmp_path / "saoke.csv"
    path.write_text("date,money,content\n12/09/2024,70000,IBFT DINH THI QUYEN ung ho\n")
    result = statements.statement_import(campaign=world.campaign, path=path, actor=None)
    record = StatementImport.objects.get(pk=result.statement_import.pk)
    assert not record.searchable
    assert not DonationSearch.objects.filter(donation__statement_import=record).exists()

    for name in ("dinh thi quyen", "thi quyen"):  # the word index first, the window first
        cache.clear()
        assert len(_rows(_text(_search(client, q=name)))) == 1
    assert search.search_catch_up() == 1
    cache.clear()
    assert len(_rows(_text(_search(client, q="dinh thi quyen")))) == 1
    assert StatementImport.objects.get(pk=record.pk).searchable


def test_a_search_the_database_gives_up_on_asks_to_narrow_it(world, client, monkeypatch):
    from django.db import OperationalError

    def cancelled(*args, **kwargs):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(selectors.search, "ordered_matches", cancelled)
    monkeypatch.setattr(selectors, "_recent_matches", cancelled)
    monkeypatch.setattr(selectors, "_filtered", cancelled)
    response = _search(client, q="nguyen van")
    assert response.status_code == 400
    assert "Tìm kiếm mất quá nhiều thời gian" in _text(response)
    assert _search(client, q="nguyen van").status_code == 400  # not cached
