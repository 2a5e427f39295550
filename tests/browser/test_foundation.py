"""Foundation scenario (issue 2): an officer signs in, sees her commune, and nothing else."""

import re

from django.urls import reverse

from ansinh.core.models import AuditEvent
from ansinh.org.models import UnionUnit

from .conftest import login


def test_officer_sees_her_commune_and_not_another(page, live_server, hanoi):
    # Given the demo world, when hoankiem signs in
    login(page, live_server, "hoankiem")

    # then she lands on Phường Hoàn Kiếm's dashboard, in Vietnamese
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", name=re.compile("Phường Hoàn Kiếm")).first.is_visible()

    # and every page of Xã Đông Anh's union is "not found" for her
    donganh = UnionUnit.objects.get(code="00454", kind=UnionUnit.Kind.COMMUNE, valid_to=None)
    branch = donganh.children.first()
    for url in [
        reverse("org:unit_detail", args=[donganh.pk]),
        reverse("org:unit_detail", args=[branch.pk]),
        reverse("org:branch_create", args=[donganh.pk]),
        reverse("org:branch_update", args=[branch.pk]),
        reverse("union-unit-detail", args=[donganh.pk]),
    ]:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 404, url

    # while her own union's page opens
    hoankiem = UnionUnit.objects.get(code="00070", kind=UnionUnit.Kind.COMMUNE, valid_to=None)
    response = page.goto(f"{live_server.url}{reverse('org:unit_detail', args=[hoankiem.pk])}")
    assert response.status == 200
    assert page.get_by_text("Tổ dân phố số 1").first.is_visible()

    # and the audit log recorded the login
    logins = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, actor_username="hoankiem")
    assert logins.count() == 1
    assert logins.get().ip == "127.0.0.1"


def test_failed_login_is_audited_and_shown_in_vietnamese(page, live_server, hanoi):
    login(page, live_server, "donganh", password="sai-mat-khau")
    assert page.url.endswith("/tai-khoan/dang-nhap/")
    assert page.get_by_role("alert").first.is_visible()
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.LOGIN_FAILED, actor_username="donganh"
        ).count()
        == 1
    )


def test_vietnamese_by_default_even_in_an_english_browser_then_english_on_request(
    browser, live_server, hanoi
):
    context = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en-US"})
    page = context.new_page()
    login(page, live_server, "thanhpho")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_role("button", name="EN", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="VI", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "vi"
    context.close()


def test_phone_layout_has_collapsed_menu(browser, live_server, hanoi):
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, live_server, "hoankiem")
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    assert page.get_by_role("link", name=re.compile("Trang chủ")).is_visible()
    # Modules are grouped in menus so the bar stays short: the union tree is under Quản trị.
    page.get_by_role("button", name=re.compile("Quản trị")).or_(
        page.get_by_role("link", name=re.compile("Quản trị"))
    ).click()
    assert page.get_by_role("link", name=re.compile("Tổ chức Hội")).is_visible()
    context.close()
