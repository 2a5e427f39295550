"""Programmes scenario (issue 4): giadinh creates a Tết round for people over 60 in poor
households and generates candidates; hoankiem removes one with a reason; giadinh is refused
approving her own round and thanhpho approves; hoankiem records a delivery with a photo; the
left-behind view then shows who in Hoàn Kiếm is still unreached."""

import base64
import datetime as dt

from django.urls import reverse

from ansinh.org.models import UnionUnit
from ansinh.programmes.models import Entitlement, Programme, Round
from ansinh.registry.models import Household, PersonVulnerability, VulnerabilityCategory
from tests.registry.factories import HouseholdFactory, PersonFactory

from .conftest import login

RULE = 'age >= 60 and household_has("HO_NGHEO")'
# A 1×1 PNG, as a phone photo would be uploaded.
PHOTO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def poor_person(unit, name, born):
    # get_or_create: earlier browser scenarios flush the seeded categories and catalogue.
    category = VulnerabilityCategory.objects.get_or_create(
        code="HO_NGHEO", defaults={"name": "Hộ nghèo"}
    )[0]
    household = HouseholdFactory(unit=unit, poverty_status=Household.Poverty.POOR)
    person = PersonFactory(household=household, full_name=name, birth_date=born)
    PersonVulnerability.objects.create(person=person, category=category)
    return person


def test_tet_round_from_rule_to_left_behind(page, live_server, hanoi, tmp_path):
    hoankiem = UnionUnit.objects.get(kind="commune", code="00070", valid_to__isnull=True)
    donganh = UnionUnit.objects.get(kind="commune", code="00454", valid_to__isnull=True)
    city = UnionUnit.objects.get(parent__isnull=True, valid_to__isnull=True)
    elders = [
        poor_person(hoankiem, name, dt.date(1940 + i, 2, 1))
        for i, name in enumerate(["Cụ Trần Thị Lan", "Cụ Phạm Văn Hùng", "Cụ Đỗ Thị Mai"])
    ]
    young = poor_person(hoankiem, "Chị Vũ Thị Hạnh", dt.date(1990, 5, 5))
    poor_person(donganh, "Cụ Ngô Văn Tư", dt.date(1944, 8, 8))
    programme = Programme.objects.get_or_create(
        code="QUA_TET",
        defaults={"name": "Quà Tết, quà dịp lễ", "benefit_kind": "in_kind"},
    )[0]
    photo = tmp_path / "trao-qua.png"
    photo.write_bytes(PHOTO)

    # giadinh creates the round from the programme page and generates the candidates.
    login(page, live_server, "giadinh")
    page.goto(f"{live_server.url}{reverse('programmes:programme_detail', args=[programme.pk])}")
    page.get_by_test_id("round-create").click()
    page.get_by_label("Đơn vị đề xuất").select_option(label=city.name)
    page.get_by_label("Tên đợt").fill("Quà Tết 2027 cho người cao tuổi hộ nghèo")
    page.get_by_label("Điều kiện xét chọn").fill(RULE)
    page.get_by_label("Mức hỗ trợ mỗi người (đồng)").fill("500.000")
    page.get_by_test_id("round-form").get_by_role("button", name="Tạo đợt").click()
    page.wait_for_load_state("networkidle")
    round_ = Round.objects.get(title="Quà Tết 2027 cho người cao tuổi hộ nghèo")
    page.get_by_test_id("generate").click()
    page.wait_for_load_state("networkidle")
    assert round_.entitlements.count() == 4  # three in Hoàn Kiếm, one in Đông Anh

    # hoankiem sees her commune's three and removes one with a reason.
    page.context.clear_cookies()
    login(page, live_server, "hoankiem")
    page.goto(f"{live_server.url}{reverse('programmes:candidate_list', args=[round_.pk])}")
    rows = page.get_by_test_id("candidate-row")
    assert rows.count() == 3
    assert "Cụ Ngô Văn Tư" not in page.get_by_test_id("candidate-table").inner_text()
    rows.filter(has_text="Cụ Đỗ Thị Mai").get_by_test_id("remove").click()
    page.get_by_test_id("remove-form").get_by_role("textbox").fill("Đã chuyển đến ở với con")
    page.get_by_test_id("remove-form").get_by_role("button", name="Đưa ra").click()
    page.wait_for_load_state("networkidle")
    removed = round_.entitlements.get(person=elders[2])
    assert (removed.status, removed.reason) == ("removed", "Đã chuyển đến ở với con")

    # giadinh submits the reviewed list, and may not approve her own round; thanhpho does.
    page.context.clear_cookies()
    login(page, live_server, "giadinh")
    page.goto(f"{live_server.url}{reverse('programmes:round_detail', args=[round_.pk])}")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}{reverse('programmes:round_approve', args=[round_.pk])}")
    assert page.get_by_test_id("own-round").is_visible()
    assert page.get_by_test_id("approve").count() == 0
    page.context.clear_cookies()
    login(page, live_server, "thanhpho")
    page.goto(f"{live_server.url}{reverse('programmes:round_detail', args=[round_.pk])}")
    page.get_by_test_id("approve-link").click()
    page.get_by_test_id("approve").click()
    page.wait_for_load_state("networkidle")
    round_.refresh_from_db()
    assert round_.status == Round.Status.APPROVED
    assert round_.approved_by.username == "thanhpho"

    # hoankiem records a delivery with a photo as evidence.
    page.context.clear_cookies()
    login(page, live_server, "hoankiem")
    page.goto(f"{live_server.url}{reverse('programmes:candidate_list', args=[round_.pk])}")
    page.get_by_test_id("candidate-row").filter(has_text="Cụ Trần Thị Lan").get_by_test_id(
        "deliver"
    ).click()
    form = page.get_by_test_id("delivery-form")
    form.get_by_label("Minh chứng (ảnh chụp, danh sách ký nhận)").set_input_files(str(photo))
    form.get_by_label("Người nhận đã xác nhận").check()
    form.get_by_label("Hình thức xác nhận").select_option("signature")
    form.get_by_role("button", name="Ghi nhận").click()
    page.wait_for_load_state("networkidle")
    delivered = round_.entitlements.get(person=elders[0])
    assert delivered.status == Entitlement.Status.DELIVERED
    assert delivered.delivery.evidence.name
    assert page.get_by_test_id("evidence").count() == 1

    # The left-behind view: who in Hoàn Kiếm is still unreached.
    page.goto(f"{live_server.url}{reverse('programmes:left_behind')}")
    assert page.get_by_test_id("total").inner_text().strip() == "4"
    assert page.get_by_test_id("reached").inner_text().strip() == "1"
    unreached = page.get_by_test_id("unreached-table").inner_text()
    for person in (elders[1], elders[2], young):
        assert person.full_name in unreached
    assert elders[0].full_name not in unreached
    assert "Cụ Ngô Văn Tư" not in unreached  # another commune's people stay out of her view
