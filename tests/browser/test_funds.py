"""Funds scenario (issue 5): giadinh creates a campaign, imports a bank statement and sees
its progress and result, then allocates part of the money to a programme round; an anonymous
visitor (her own browser, no login) finds her 50.000 ₫ donation on /minh-bach/ by a fragment
of her name and the date, and sees the campaign's public balance move with the allocation."""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from ansinh.funds.models import Campaign, Donation
from ansinh.funds.selectors import campaign_totals, ledger_verify_database
from ansinh.org.models import UnionUnit
from ansinh.programmes import services as programme_services
from ansinh.programmes.models import Programme

from .conftest import login

STATEMENT = (
    "date,money,content\n"
    "10/09/2024,50000,123456.100924.093012.NGUYEN THI HOA ung ho dong bao\n"
    "10/09/2024,200000,123457.100924.093013.TRAN VAN BINH ung ho\n"
    "11/09/2024,1000000,chuc dong bao binh an FT24255123\n"
)


def _public_balance(visitor, live_server, slug) -> str:
    # Public pages are cached for a minute, on the server and in the browser (max-age); the
    # live server shares this process's cache, so clearing it stands for "a minute later",
    # and the visitor reloads the page (F5) instead of reading her browser's copy.
    cache.clear()
    visitor.goto(f"{live_server.url}{reverse('portal:campaign_detail', args=[slug])}")
    visitor.reload()
    return visitor.get_by_test_id("balance").inner_text()


def test_campaign_statement_and_allocation(page, browser, live_server, hanoi, tmp_path):
    city = UnionUnit.objects.get(parent__isnull=True, valid_to__isnull=True)
    giadinh = get_user_model().objects.get(username="giadinh")
    round_ = programme_services.round_create(
        user=giadinh,
        # get_or_create: earlier browser scenarios flush the seeded catalogue.
        programme=Programme.objects.get_or_create(
            code="QUA_TET", defaults={"name": "Quà Tết", "benefit_kind": "in_kind"}
        )[0],
        unit=city,
        title="Quà Tết 2027",
        budget=100_000_000,
        amount_per_person=500_000,
        rule="age >= 60",
    )
    statement = tmp_path / "saoke-vcb.csv"
    statement.write_text(STATEMENT, encoding="utf-8")

    # giadinh creates a campaign
    login(page, live_server, "giadinh")
    page.goto(f"{live_server.url}{reverse('funds:campaign_list')}")
    page.get_by_test_id("campaign-create").click()
    page.get_by_label("Mã (không dấu, nối bằng gạch ngang)").fill("bao-yagi-2024")
    page.get_by_label("Tên cuộc vận động").fill("Ủng hộ đồng bào bị bão Yagi")
    page.get_by_label("Đơn vị tổ chức").select_option(label=city.name)
    page.get_by_label("Tiếp nhận từ ngày").fill("01/09/2024")
    page.get_by_label("Tiếp nhận đến ngày").fill("30/09/2024")
    page.get_by_label("Số tài khoản tiếp nhận").fill("0011001932418")
    page.get_by_test_id("campaign-save").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("campaign-title").inner_text() == "Ủng hộ đồng bào bị bão Yagi"
    campaign = Campaign.objects.get(slug="bao-yagi-2024")

    # imports the statement: the job page shows the result
    page.get_by_label("Tệp sao kê (CSV hoặc XLSX)").set_input_files(str(statement))
    page.get_by_test_id("statement-submit").click()
    page.wait_for_load_state("networkidle")
    status = page.get_by_test_id("job-status")
    assert status.get_attribute("data-status") == "succeeded"
    assert "1.250.000" in page.get_by_test_id("job-result").inner_text()
    assert Donation.objects.filter(campaign=campaign).count() == 3

    # an anonymous visitor, in a browser of her own, opens the public pages
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    visitor = context.new_page()
    visitor.goto(f"{live_server.url}{reverse('accounts:login')}")
    visitor.get_by_test_id("portal-link").click()
    visitor.get_by_role("link", name="Ủng hộ đồng bào bị bão Yagi").click()
    assert visitor.get_by_test_id("received").inner_text() == "1.250.000 ₫"
    assert visitor.get_by_test_id("balance").inner_text() == "1.250.000 ₫"
    assert visitor.get_by_text("Đăng xuất").count() == 0
    assert "sessionid" not in {cookie["name"] for cookie in context.cookies()}
    # she finds her own 50.000 ₫ by a fragment of her name (no accents) and the date
    visitor.get_by_test_id("search-link").click()
    visitor.get_by_label("Tên hoặc nội dung chuyển khoản").fill("nguyen thi hoa")
    visitor.get_by_label("Từ ngày").fill("10/09/2024")
    visitor.get_by_label("Đến ngày").fill("10/09/2024")
    visitor.get_by_test_id("search-submit").click()
    visitor.wait_for_load_state("networkidle")
    rows = visitor.get_by_test_id("donation-row")
    assert rows.count() == 1
    assert "50.000 ₫" in rows.first.inner_text()
    assert "10/09/2024" in rows.first.inner_text()
    assert "Nguyen Thi Hoa" in rows.first.inner_text()
    # another day: not there
    visitor.get_by_label("Từ ngày").fill("11/09/2024")
    visitor.get_by_label("Đến ngày").fill("11/09/2024")
    visitor.get_by_test_id("search-submit").click()
    visitor.wait_for_load_state("networkidle")
    assert visitor.get_by_test_id("donation-row").count() == 0
    balance_before = _public_balance(visitor, live_server, campaign.slug)

    # allocates 400.000 ₫ to the Tết round; the balance moves
    page.goto(f"{live_server.url}{reverse('funds:campaign_detail', args=[campaign.slug])}")
    assert page.get_by_test_id("total-balance").inner_text().startswith("1.250.000")
    page.get_by_label("Đợt hỗ trợ").select_option(str(round_.pk))
    page.get_by_test_id("allocation-form").get_by_label("Số tiền (đồng)").fill("400000")
    page.get_by_test_id("allocation-submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("total-balance").inner_text().startswith("850.000")
    assert page.get_by_test_id("allocations").get_by_text("Quà Tết 2027").is_visible()

    # the visitor sees the public balance move by the allocation
    balance_after = _public_balance(visitor, live_server, campaign.slug)
    assert (balance_before, balance_after) == ("1.250.000 ₫", "850.000 ₫")
    assert visitor.get_by_test_id("allocated").inner_text() == "400.000 ₫"
    assert "Quà Tết" in visitor.get_by_test_id("spending").inner_text()
    context.close()

    # and an allocation beyond the balance is refused, nothing changes
    page.get_by_label("Đợt hỗ trợ").select_option(str(round_.pk))
    page.get_by_test_id("allocation-form").get_by_label("Số tiền (đồng)").fill("900000")
    page.get_by_test_id("allocation-submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("không đủ phân bổ").is_visible()
    assert campaign_totals(campaign).balance == 850_000
    assert ledger_verify_database().ok
