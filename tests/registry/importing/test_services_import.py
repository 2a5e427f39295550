import datetime as dt
import unicodedata

from ansinh.core.models import AuditEvent
from ansinh.geo.models import AdminUnit, Locality
from ansinh.registry.importing.services import import_file_run
from ansinh.registry.models import (
    Household,
    ImportBatch,
    Need,
    Person,
    PersonStatusChange,
    PersonVulnerability,
)

from .builders import make_csv, make_xlsx, person_row
from .files import (
    BREAKAGE,
    CORRECTED_HOUSEHOLDS,
    CORRECTED_PEOPLE,
    corrected_rows,
    rows_with_twenty_errors,
)


def _counts():
    return (
        Person.objects.count(),
        Household.objects.count(),
        ImportBatch.objects.count(),
        PersonVulnerability.objects.count(),
        Need.objects.count(),
        Locality.objects.count(),
    )


def _run(personas, content, name="danh-sach.xlsx", **kwargs):
    kwargs.setdefault("unit", personas.hoankiem)
    kwargs.setdefault("user", personas.officer_hoankiem)
    return import_file_run(content=content, file_name=name, **kwargs)


def test_a_file_with_twenty_errors_reports_all_of_them_and_saves_nothing(hanoi):
    before = _counts()

    outcome = _run(hanoi, make_xlsx(rows_with_twenty_errors()))

    errors = outcome.validation.errors
    assert len(errors) == 20
    reported = sorted((e["row"], e["column"], e["message"]) for e in errors)
    expected = sorted((row, header, message) for row, _key, _value, header, message in BREAKAGE)
    for (row, column, message), (want_row, want_column, want_start) in zip(
        reported, expected, strict=True
    ):
        assert (row, column) == (want_row, want_column)
        assert message.startswith(want_start), (row, message)
    assert outcome.validation.error_rows == 15
    assert outcome.batch is None
    assert _counts() == before


def test_the_corrected_file_imports_and_importing_it_again_adds_nothing(hanoi):
    content = make_xlsx(corrected_rows())

    outcome = _run(hanoi, content)

    assert outcome.validation.errors == []
    assert outcome.counts == {
        "households_created": CORRECTED_HOUSEHOLDS,
        "people_created": CORRECTED_PEOPLE,
        "people_existing": 0,
        "vulnerabilities_created": 4,
        "needs_created": 3,
        "localities_created": 1,
    }
    assert Person.objects.count() == CORRECTED_PEOPLE
    assert Household.objects.count() == CORRECTED_HOUSEHOLDS
    # No status row per imported person: the page shows "active since registration".
    assert not PersonStatusChange.objects.exists()
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows_total, batch.rows_created, batch.rows_unchanged) == (
        "committed",
        16,
        16,
        0,
    )
    assert set(Person.objects.values_list("import_batch", flat=True)) == {batch.pk}
    assert set(Person.objects.values_list("scope_path", flat=True)) == {hanoi.hoankiem.path}
    assert set(Household.objects.values_list("scope_path", flat=True)) == {hanoi.hoankiem.path}

    again = _run(hanoi, content)

    assert again.earlier == batch
    assert again.validation is None
    assert Person.objects.count() == CORRECTED_PEOPLE
    assert ImportBatch.objects.count() == 1


def test_the_same_rows_in_another_file_are_counted_as_already_present(hanoi):
    _run(hanoi, make_xlsx(corrected_rows()))
    rows = corrected_rows()
    rows.append(
        person_row(stt=17, name="Mai Thị Mới", sex="Nữ", birth=1993, commune="Phường Hoàn Kiếm")
    )

    outcome = _run(hanoi, make_csv(rows), name="lan-2.csv")

    assert outcome.validation.errors == []
    assert outcome.counts["people_created"] == 1
    assert outcome.counts["people_existing"] == CORRECTED_PEOPLE
    assert outcome.counts["households_created"] == 1
    assert Person.objects.count() == CORRECTED_PEOPLE + 1
    assert Person.objects.filter(full_name="Nguyễn Thị Hoa").count() == 1


def test_one_audit_event_for_the_whole_batch(hanoi):
    events_before = AuditEvent.objects.count()

    _run(hanoi, make_xlsx(corrected_rows()))

    (event,) = AuditEvent.objects.order_by("id")[events_before:]
    assert (event.action, event.object_type) == ("create", "registry.importbatch")
    assert event.changes["people_created"] == CORRECTED_PEOPLE
    assert event.changes["localities"] == ["Tổ dân phố 5 (Phường Hoàn Kiếm)"]
    assert event.actor == hanoi.officer_hoankiem
    assert event.scope_path == hanoi.hoankiem.path


def test_messy_values_are_read_as_meant(hanoi):
    _run(hanoi, make_xlsx(corrected_rows()))

    hoa = Person.objects.get(record_number="HS001")
    assert (hoa.citizen_id, hoa.phone, hoa.birth_date, hoa.is_union_member) == (
        "001185000001",
        "+84912345678",
        dt.date(1985, 3, 12),
        True,
    )
    assert hoa.household.poverty_status == "near_poor"
    assert (hoa.household.poverty_year, hoa.household.poverty_standard) == (2024, "2022-2025")
    assert hoa.household.locality.name == "Tổ dân phố 5"
    assert sorted(hoa.needs.values_list("category__code", flat=True)) == ["HOC_NGHE", "VON"]
    yen = Person.objects.get(full_name="Đỗ Thị Yến")
    assert yen.household.locality == hoa.household.locality
    # A number cell that lost the two leading zeros of Hà Nội's code 001.
    assert Person.objects.get(full_name="Phạm Thị Thu").citizen_id == "001178000002"
    # Excel serial 31118 is 12/03/1985; "Tay" is Tày (02).
    ngoc = Person.objects.get(full_name="Hoàng Thị Ngọc")
    assert (ngoc.birth_date, ngoc.ethnicity) == (dt.date(1985, 3, 12), "02")
    # A phone number cell that lost its leading zero; a landline with spaces.
    assert Person.objects.get(full_name="Vũ Thị Hằng").phone == "+84912345679"
    assert Person.objects.get(full_name="Lê Thị Lan").phone == "+842438251234"
    lan = Person.objects.get(full_name="Lê Thị Lan")
    assert (lan.birth_date, lan.birth_year) == (None, 1950)
    minh = Person.objects.get(full_name="Trần Văn Minh")
    assert (minh.sex, minh.relation, minh.household_id) == ("M", "child", hoa.household_id)
    tam = Person.objects.get(full_name="Phạm Văn Tâm")
    assert (tam.relation, tam.household.commune.code) == ("spouse", "00070")


def test_an_old_address_lands_on_todays_commune(hanoi):
    rows = [
        person_row(name="Nguyễn Thị Cổ", sex="Nữ", birth=1980, commune="Xã Cổ Loa, Huyện Đông Anh"),
        person_row(
            name="Nguyễn Thị Mai",
            sex="Nữ",
            birth=1981,
            commune="Xã Mai Lâm",
            district="Huyện Đông Anh",
        ),
        person_row(name="Nguyễn Thị Đông", sex="Nữ", birth=1982, commune="xa dong hoi"),
    ]

    outcome = _run(hanoi, make_xlsx(rows), unit=hanoi.city, user=hanoi.city_admin)

    assert outcome.validation.errors == []
    communes = set(Household.objects.values_list("commune__code", "commune__era"))
    assert communes == {("00454", AdminUnit.Era.POST_2025)}
    assert set(Person.objects.values_list("scope_path", flat=True)) == {hanoi.donganh.path}


def test_a_split_old_commune_is_flagged_and_imported_once_chosen(hanoi):
    rows = [
        person_row(
            name="Dương Thị Kim",
            sex="Nữ",
            birth=1982,
            commune="Phường Hàng Trống",
            district="Quận Hoàn Kiếm",
        ),
    ]
    content = make_xlsx(rows)

    flagged = _run(hanoi, content)

    hoankiem = AdminUnit.objects.get(era="post2025", level="commune", code="00070")
    (error,) = flagged.validation.errors
    assert (error["row"], error["column"], error["kind"]) == (4, "Xã/phường", "split")
    assert "Phường Hoàn Kiếm, Phường Cửa Nam" in error["message"]
    assert error["candidates"] == [[hoankiem.pk, "Phường Hoàn Kiếm"]]
    assert Person.objects.count() == 0

    chosen = _run(hanoi, content, choices={"4": hoankiem.pk})

    assert chosen.counts["people_created"] == 1
    assert Household.objects.get().commune == hoankiem


def test_ambiguous_old_name_without_district_asks_for_it(hanoi):
    rows = [person_row(name="Lê Thị Hà", sex="Nữ", birth=1980, commune="Xã Liên Hà")]

    outcome = _run(hanoi, make_xlsx(rows), unit=hanoi.city, user=hanoi.city_admin)

    (error,) = outcome.validation.errors
    assert error["message"].startswith("Có 2 xã/phường cũ tên “Xã Liên Hà”")
    assert error["message"].endswith("ghi thêm quận/huyện cũ để biết là xã/phường nào.")


def test_decomposed_unicode_is_stored_composed(hanoi):
    name = unicodedata.normalize("NFD", "  Nguyễn   Thị Hoà ")
    rows = [
        person_row(
            name=name,
            sex=unicodedata.normalize("NFD", "Nữ"),
            birth=1980,
            commune=unicodedata.normalize("NFD", "Phường Hoàn Kiếm"),
            locality=unicodedata.normalize("NFD", "Tổ dân phố Hàng Bạc"),
        )
    ]

    _run(hanoi, make_csv(rows, delimiter=","), name="nfd.csv")

    person = Person.objects.get()
    assert person.full_name == unicodedata.normalize("NFC", "Nguyễn Thị Hoà")
    assert person.name_folded == "nguyen thi hoa"
    assert person.household.locality.name == unicodedata.normalize("NFC", "Tổ dân phố Hàng Bạc")


def test_a_windows_1258_csv_with_capitals_and_tabs(hanoi):
    headers = ["Ho ten", "GIỚI TÍNH", "NGÀY SINH", "Xã/Phường"]
    rows = [["TRẦN THỊ BÌNH", "nữ", "1/2/1970", "Phường Hoàn Kiếm"]]

    _run(hanoi, make_csv(rows, headers, encoding="cp1258", delimiter="\t"), name="cu.csv")

    person = Person.objects.get()
    assert (person.full_name, person.birth_date) == ("Trần Thị Bình", dt.date(1970, 2, 1))


def test_dry_run_writes_nothing(hanoi):
    before = _counts()

    outcome = _run(hanoi, make_xlsx(corrected_rows()), dry_run=True)

    assert outcome.validation.errors == []
    assert outcome.validation.counts()["people_new"] == CORRECTED_PEOPLE
    assert _counts() == before


def test_a_citizen_id_registered_in_another_commune_is_refused(hanoi):
    rows = [
        person_row(
            name="Nguyễn Thị Hoa", sex="Nữ", birth=1985, cccd="001185000001", commune="Xã Đông Anh"
        )
    ]
    _run(hanoi, make_xlsx(rows), unit=hanoi.donganh, user=hanoi.officer_donganh)
    rows[0][14] = "Phường Hoàn Kiếm"
    before = _counts()

    outcome = _run(hanoi, make_xlsx(rows))

    (error,) = outcome.validation.errors
    assert error["message"] == (
        "Số CCCD 001185000001 đã có trong dữ liệu của đơn vị khác; liên hệ Hội cấp trên để "
        "chuyển hồ sơ."
    )
    assert _counts() == before


def test_sensitive_categories_need_the_sensitive_permission(hanoi):
    rows = [
        person_row(
            name="Nguyễn Thị Hoa",
            sex="Nữ",
            birth=1985,
            commune="Phường Hoàn Kiếm",
            categories="NGUOI_NHIEM_HIV",
        )
    ]

    outcome = _run(hanoi, make_xlsx(rows), dry_run=True)

    (error,) = outcome.validation.errors
    assert error["column"] == "Diện đối tượng (mã hoặc tên, cách nhau dấu ;)"
    assert error["message"].startswith("Diện “Người nhiễm HIV” là thông tin nhạy cảm")


def test_a_file_without_a_header_row_is_one_clear_error(hanoi):
    content = make_csv([["a", "b", "c"]], ["x", "y", "z"])

    outcome = _run(hanoi, content, name="rac.csv")

    (error,) = outcome.validation.errors
    assert error["row"] is None
    assert error["message"].startswith("Không tìm thấy dòng tiêu đề")


def test_citizen_ids_as_excel_floats_and_numbers(hanoi):
    rows = [
        person_row(
            name="Nguyễn Thị Một",
            sex="Nữ",
            birth=1985,
            cccd="1185000011.0",
            commune="Phường Hoàn Kiếm",
        ),
        person_row(
            name="Nguyễn Thị Hai",
            sex="Nữ",
            birth=1985,
            cccd=1185000012.0,
            commune="Phường Hoàn Kiếm",
        ),
        person_row(
            name="Nguyễn Thị Ba",
            sex="Nữ",
            birth=1985,
            cccd="001 185 000 013",
            commune="Phường Hoàn Kiếm",
        ),
    ]

    outcome = _run(hanoi, make_xlsx(rows))

    assert outcome.validation.errors == []
    assert sorted(Person.objects.values_list("citizen_id", flat=True)) == [
        "001185000011",
        "001185000012",
        "001185000013",
    ]
