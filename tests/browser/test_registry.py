"""Registry scenario (issue 3): a commune officer registers a single mother and her two
children, finds her without accents, is warned when registering her again; another commune's
officer cannot open her page; the aggregate viewer sees counts only."""

import re

from django.urls import reverse

from ansinh.core.models import AuditEvent
from ansinh.registry.models import Household, Person

from .conftest import login

MOTHER = "Nguyễn Thị Hòa"


def fill_member(page, index: int, *, name, relation, sex, birth_date, citizen_id=""):
    prefix = f"members-{index}-"
    page.locator(f"[name={prefix}full_name]").fill(name)
    page.locator(f"[name={prefix}relation]").select_option(relation)
    page.locator(f"[name={prefix}sex]").select_option(sex)
    page.locator(f"[name={prefix}birth_date]").fill(birth_date)
    if citizen_id:
        page.locator(f"[name={prefix}citizen_id]").fill(citizen_id)


def register_mother_and_children(page, live_server):
    page.goto(f"{live_server.url}{reverse('registry:person_list')}")
    page.get_by_test_id("register-household").click()
    page.get_by_label("Cơ sở Hội quản lý").select_option(label="Hội LHPN Phường Hoàn Kiếm")
    page.get_by_label("Số nhà, đường phố").fill("Số 12 phố Hàng Bạc")
    page.get_by_label("Hộ nghèo/cận nghèo").select_option("near_poor")
    fill_member(
        page,
        0,
        name=MOTHER,
        relation="head",
        sex="F",
        birth_date="12/03/1988",
        citizen_id="001188012345",
    )
    page.get_by_test_id("member-add").click()
    fill_member(page, 1, name="Trần Minh An", relation="child", sex="M", birth_date="05/09/2014")
    page.get_by_test_id("member-add").click()
    fill_member(page, 2, name="Trần Thị Bình", relation="child", sex="F", birth_date="21/01/2019")
    page.get_by_test_id("household-save").click()
    page.wait_for_load_state("networkidle")


def test_register_search_duplicate_scope_and_counts(browser, page, live_server, hanoi):
    # Given hoankiem, when she registers a household of three
    login(page, live_server, "hoankiem")
    register_mother_and_children(page, live_server)

    mother = Person.objects.get(full_name=MOTHER)
    assert mother.household.members.count() == 3
    assert Household.objects.count() == 1
    assert page.get_by_text(MOTHER).first.is_visible()

    # then "nguyen thi" without accents finds her
    page.goto(f"{live_server.url}{reverse('registry:person_list')}")
    page.locator("#id_q").fill("nguyen thi")
    page.get_by_role("button", name="Tìm").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("person-row").filter(has_text=MOTHER).count() == 1

    # and registering her again warns of the duplicate before anything is saved
    register_mother_and_children(page, live_server)
    warning = page.get_by_test_id("duplicate-warning")
    assert warning.is_visible()
    assert warning.get_by_role("link", name=MOTHER).is_visible()
    assert Person.objects.filter(full_name=MOTHER).count() == 1

    # donganh cannot open her page: 404, and no view of her is recorded for donganh
    other = browser.new_context(locale="vi-VN")
    other_page = other.new_page()
    login(other_page, live_server, "donganh")
    response = other_page.goto(
        f"{live_server.url}{reverse('registry:person_detail', args=[mother.pk])}"
    )
    assert response.status == 404
    assert not AuditEvent.objects.filter(
        action="view", actor_username="donganh", object_id=str(mother.pk)
    ).exists()
    other.close()

    # thongke sees counts, never names
    viewer = browser.new_context(locale="vi-VN")
    viewer_page = viewer.new_page()
    login(viewer_page, live_server, "thongke")
    response = viewer_page.goto(f"{live_server.url}{reverse('registry:counts')}")
    assert response.status == 200
    assert MOTHER not in viewer_page.content()
    table = viewer_page.get_by_test_id("count-table")
    assert table.get_by_text(re.compile("Phường Hoàn Kiếm")).first.is_visible()
    # three people: a small cell, masked for a viewer who may not see people
    assert viewer_page.get_by_test_id("count-total").inner_text().endswith("<5")
    response = viewer_page.goto(
        f"{live_server.url}{reverse('registry:person_detail', args=[mother.pk])}"
    )
    assert response.status == 404
    viewer.close()
