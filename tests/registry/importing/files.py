"""The corrected file of the scenario and its twin with exactly 20 errors."""

from __future__ import annotations

import copy

from .builders import person_row


def corrected_rows() -> list[list]:
    """16 people of Phường Hoàn Kiếm in 12 households (Excel rows 4–19)."""
    return [
        # r4–r6: household H1, a near-poor single mother and two children
        person_row(
            stt=1,
            record="HS001",
            name="Nguyễn Thị Hoa",
            sex="Nữ",
            birth="12/3/1985",
            cccd="001185000001",
            phone="091 234 5678",
            relation="Chủ hộ",
            household="H1",
            member="Có",
            occupation="Bán hàng",
            address="Số 5 Hàng Bạc",
            locality="Tổ 5",
            commune="Phường Hoàn Kiếm",
            poverty="Cận nghèo",
            poverty_year=2024,
            categories="PN_DON_THAN_NUOI_CON",
            needs="Vốn; HOC_NGHE",
        ),
        person_row(
            stt=2,
            record="HS002",
            name="Trần Văn Minh",
            sex="Nam",
            birth="02/01/2012",
            relation="Con",
            household="H1",
        ),
        person_row(
            stt=3,
            record="HS003",
            name="Trần Thị Mai",
            sex="Nữ",
            birth=2014,
            relation="con",
            household="H1",
            categories="Trẻ em có hoàn cảnh đặc biệt khó khăn",
        ),
        # r7: an elderly woman, commune written without accents
        person_row(
            stt=4,
            record="HS004",
            name="Lê Thị Lan",
            sex="nu",
            birth=1950,
            phone="024 3825 1234",
            commune="hoan kiem",
            categories="Phụ nữ cao tuổi cô đơn",
        ),
        # r8–r9: household H2 at a pre-2025 address, the ID typed as a number
        person_row(
            stt=5,
            name="Phạm Thị Thu",
            sex="F",
            birth="20-11-1978",
            cccd=1178000002,
            relation="Chủ hộ",
            household="H2",
            commune="Phường Hàng Bạc",
            district="Quận Hoàn Kiếm",
        ),
        person_row(
            stt=6, name="Phạm Văn Tâm", sex="M", birth=1975, relation="Chồng", household="H2"
        ),
        # r10: Excel serial date, ethnicity without accents, old address in one cell
        person_row(
            stt=7,
            name="Hoàng Thị Ngọc",
            sex="Nữ giới",
            birth=31118,
            ethnicity="Tay",
            commune="Phường Hàng Gai, Quận Hoàn Kiếm",
        ),
        # r11: phone that lost its leading zero
        person_row(
            stt=8,
            name="Vũ Thị Hằng",
            sex="Nữ",
            birth="1988",
            phone=912345679,
            commune="Phường Hoàn Kiếm",
            needs="Việc làm",
        ),
        # r12–r13: household H3 in the same tổ dân phố, written another way
        person_row(
            stt=9,
            name="Đỗ Thị Yến",
            sex="Nữ",
            birth="15/08/1990",
            cccd="001190000003",
            relation="Chủ hộ",
            household="H3",
            commune="P. Hoàn Kiếm",
            locality="Tổ dân phố 5",
        ),
        person_row(
            stt=10, name="Đỗ Văn Hùng", sex="Nam", birth="3/4/2015", relation="Con", household="H3"
        ),
        person_row(
            stt=11,
            name="Bùi Thị Dung",
            sex="Nữ",
            birth=1960,
            cccd="001160000004",
            commune="Hoàn Kiếm",
            member="x",
        ),
        person_row(
            stt=12,
            name="Ngô Thị Hạnh",
            sex="Nữ",
            birth=1995,
            ethnicity="Mường",
            commune="Phường Hoàn Kiếm",
            poverty="Hộ nghèo",
            poverty_year=2023,
        ),
        person_row(
            stt=13,
            name="Dương Thị Kim",
            sex="Nữ",
            birth=1982,
            commune="Phường Hàng Buồm, Quận Hoàn Kiếm",
        ),
        person_row(
            stt=14,
            name="Lý Thị Nga",
            sex="Nữ",
            birth=1990,
            phone="0912.345.680",
            commune="Phường Hoàn Kiếm",
        ),
        person_row(
            stt=15,
            record="HS005",
            name="Hồ Thị Xuân",
            sex="Nữ",
            birth=1999,
            commune="Phường Hoàn Kiếm",
        ),
        person_row(
            stt=16,
            name="Phan Thị Tuyết",
            sex="Nữ",
            birth=2001,
            commune="Phường Hoàn Kiếm",
            categories="LD_NU_DI_CU",
        ),
    ]


CORRECTED_PEOPLE = 16
CORRECTED_HOUSEHOLDS = 12

# Column positions in conftest.HEADERS.
COL = {
    "record": 1,
    "name": 2,
    "sex": 3,
    "birth": 4,
    "cccd": 5,
    "phone": 6,
    "ethnicity": 7,
    "relation": 8,
    "member": 10,
    "commune": 14,
    "district": 15,
    "poverty_year": 17,
    "categories": 18,
    "needs": 19,
}

# (Excel row, column key, new value, header shown, start of the message)
BREAKAGE = [
    (5, "birth", "31/02/2012", "Ngày sinh (hoặc năm sinh)", "Ngày sinh “31/02/2012” không có thật"),
    (4, "cccd", "001185ABC001", "Số CCCD", "Số CCCD chỉ được gồm chữ số"),
    (8, "cccd", "001078000002", "Số CCCD", "Chữ số thứ 4 của số CCCD là “0” (giới tính nam)"),
    (11, "phone", "12345", "Điện thoại", "Số điện thoại “12345” không hợp lệ"),
    (17, "commune", "Phường Không Có", "Xã/phường", "Không tìm thấy xã/phường “Phường Không Có”"),
    (
        16,
        "commune",
        "Phường Hàng Trống, Quận Hoàn Kiếm",
        "Xã/phường",
        "“Phường Hàng Trống, Quận Hoàn Kiếm” (trước 01/7/2025) đã được chia",
    ),
    (
        19,
        "categories",
        "XYZ",
        "Diện đối tượng (mã hoặc tên, cách nhau dấu ;)",
        "Không có diện đối tượng “XYZ”",
    ),
    (18, "name", "", "Họ và tên", "Chưa ghi họ và tên."),
    (15, "sex", "", "Giới tính", "Chưa ghi giới tính"),
    (9, "relation", "Chủ hộ", "Quan hệ với chủ hộ", "Hộ mã “H2” đã có chủ hộ ở dòng 8."),
    (14, "commune", "Xã Đông Anh", "Xã/phường", "Xã Đông Anh ngoài phạm vi của Hội LHPN Phường"),
    (18, "record", "HS001", "Mã hồ sơ (tùy chọn)", "Mã hồ sơ “HS001” trùng với dòng 4."),
    (10, "birth", "12/03/2030", "Ngày sinh (hoặc năm sinh)", "Ngày sinh “12/03/2030” ở tương lai."),
    (10, "ethnicity", "Tây Ban Nha", "Dân tộc", "Không có dân tộc “Tây Ban Nha”"),
    (13, "relation", "hàng xóm", "Quan hệ với chủ hộ", "Không hiểu quan hệ với chủ hộ “hàng xóm”"),
    (12, "member", "có lẽ", "Hội viên (có/không)", "Không hiểu “có lẽ”"),
    (15, "poverty_year", "20x5", "Năm công nhận", "Năm công nhận “20x5” không hợp lệ"),
    (11, "needs", "Du lịch", "Nhu cầu (mã hoặc tên, ;)", "Không có nhu cầu “Du lịch”"),
    (17, "cccd", "001190000003", "Số CCCD", "Số CCCD 001190000003 trùng với dòng 12."),
    (
        7,
        "district",
        "Quận Không Có",
        "Quận/huyện cũ (nếu ghi địa chỉ cũ)",
        "Không tìm thấy quận/huyện cũ “Quận Không Có”",
    ),
]


def rows_with_twenty_errors() -> list[list]:
    rows = copy.deepcopy(corrected_rows())
    for excel_row, key, value, _header, _message in BREAKAGE:
        rows[excel_row - 4][COL[key]] = value
    # Row 7's old district needs an old commune beside it.
    rows[7 - 4][COL["commune"]] = "Phường Hàng Bạc"
    return rows
