"""The columns of a registry file: the template's headers and the variants real files use.

A header cell is recognised by its *key*: folded (no accents, lower case), without anything in
parentheses and with punctuation turned into spaces, so "Họ và tên", "HỌ VÀ TÊN", "Ho ten" and
"Họ tên (*)" all match the name column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ansinh.core.text import fold

_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_PUNCTUATION = re.compile(r"[^0-9a-z]+")


def header_key(text) -> str:
    """The matching key of a header cell ("Ngày sinh (hoặc năm sinh)" → "ngay sinh")."""
    if text is None:
        return ""
    folded = fold(_PARENTHESES.sub(" ", str(text)))
    return _PUNCTUATION.sub(" ", folded).strip()


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    help: str
    aliases: tuple[str, ...] = ()
    width: int = 16

    @property
    def keys(self) -> set[str]:
        return {header_key(self.header), *(header_key(a) for a in self.aliases)}


COLUMNS: list[Column] = [
    Column("stt", "STT", _("Số thứ tự; không bắt buộc, không được lưu."), ("tt", "so tt"), 6),
    Column(
        "record_number",
        "Mã hồ sơ (tùy chọn)",
        _(
            "Mã hồ sơ riêng của đơn vị. Khi có, dùng để nhận ra người đã có khi nhập lại tệp; "
            "không được trùng trong đơn vị."
        ),
        ("ma ho so", "so ho so", "ma so ho so", "ma doi tuong"),
        14,
    ),
    Column(
        "full_name",
        "Họ và tên",
        _("Bắt buộc. Họ, tên đệm và tên, ví dụ Nguyễn Thị Hòa."),
        ("ho ten", "ho va ten", "hoten", "ho ten doi tuong", "ho va ten doi tuong", "ten"),
        26,
    ),
    Column(
        "sex",
        "Giới tính",
        _("Bắt buộc: Nữ hoặc Nam (chấp nhận nu, F, M, nữ giới, nam giới)."),
        ("gioi", "phai", "nam nu", "gioi tinh nam nu"),
        10,
    ),
    Column(
        "birth",
        "Ngày sinh (hoặc năm sinh)",
        _(
            "Ngày/tháng/năm (12/03/1985, 12-3-1985) hoặc chỉ năm sinh (1985). "
            "Ô kiểu ngày của Excel cũng được."
        ),
        ("ngay sinh", "nam sinh", "ngay thang nam sinh", "ngay sinh nam sinh", "ns"),
        14,
    ),
    Column(
        "citizen_id",
        "Số CCCD",
        _(
            "12 chữ số của số định danh cá nhân. Nếu Excel làm mất số 0 ở đầu (11 chữ số), "
            "hệ thống tự thêm lại. Phải khớp giới tính và năm sinh."
        ),
        (
            "cccd",
            "so dinh danh",
            "so dinh danh ca nhan",
            "so can cuoc",
            "can cuoc cong dan",
            "so cccd cmnd",
            "cccd cmnd",
            "so cmnd cccd",
            "cmnd cccd",
        ),
        16,
    ),
    Column(
        "phone",
        "Điện thoại",
        _("Số điện thoại; chấp nhận dấu cách, dấu chấm, +84 hoặc 84 ở đầu."),
        ("so dien thoai", "sdt", "dt", "dien thoai lien he", "so dt"),
        14,
    ),
    Column(
        "ethnicity",
        "Dân tộc",
        _("Tên dân tộc (có hoặc không dấu) hoặc mã 2 chữ số; để trống là Kinh."),
        ("dan toc", "ma dan toc"),
        10,
    ),
    Column(
        "relation",
        "Quan hệ với chủ hộ",
        _("Chủ hộ, Vợ, Chồng, Con, Cháu, Bố, Mẹ, Anh, Chị, Em, Khác."),
        ("quan he", "quan he chu ho", "qh voi chu ho", "quan he voi chu ho gia dinh"),
        14,
    ),
    Column(
        "household_code",
        "Mã hộ",
        _(
            "Gom các thành viên của cùng một hộ trong tệp: các dòng cùng mã hộ là một hộ. "
            "Để trống thì mỗi dòng là một hộ."
        ),
        ("ma ho gia dinh", "so ho", "ma so ho"),
        10,
    ),
    Column(
        "is_union_member",
        "Hội viên (có/không)",
        _("Có hoặc Không (chấp nhận x, 1, 0); để trống là không."),
        ("hoi vien", "la hoi vien", "hv"),
        10,
    ),
    Column("occupation", "Nghề nghiệp", _("Không bắt buộc."), ("nghe", "cong viec"), 16),
    Column(
        "address_line",
        "Địa chỉ: số nhà/đường",
        _("Số nhà, ngõ, đường phố."),
        ("dia chi", "so nha", "so nha duong", "so nha duong pho", "dia chi so nha"),
        24,
    ),
    Column(
        "locality",
        "Thôn/tổ dân phố",
        _("Tên thôn hoặc tổ dân phố; chưa có thì được tạo khi ghi."),
        ("thon", "to dan pho", "thon to", "thon xom", "to", "thon xom to dan pho", "tdp"),
        16,
    ),
    Column(
        "commune",
        "Xã/phường",
        _(
            "Tên xã/phường hiện nay (ví dụ Phường Hoàn Kiếm) hoặc xã/phường cũ trước "
            "01/7/2025 kèm quận/huyện cũ (ví dụ Xã Cổ Loa, Huyện Đông Anh)."
        ),
        ("xa", "phuong", "xa phuong thi tran", "phuong xa", "xa phuong dac khu"),
        22,
    ),
    Column(
        "old_district",
        "Quận/huyện cũ (nếu ghi địa chỉ cũ)",
        _("Chỉ khi cột Xã/phường ghi xã/phường cũ (trước 01/7/2025)."),
        ("quan huyen", "quan huyen cu", "huyen", "quan", "quan huyen thi xa"),
        18,
    ),
    Column(
        "poverty",
        "Hộ nghèo/cận nghèo",
        _("Nghèo, Cận nghèo hoặc để trống (không)."),
        ("ho ngheo", "ho ngheo ho can ngheo", "phan loai ho", "ngheo can ngheo"),
        14,
    ),
    Column(
        "poverty_year",
        "Năm công nhận",
        _("Năm được công nhận hộ nghèo/cận nghèo."),
        ("nam cong nhan ho ngheo", "nam cong nhan ngheo"),
        10,
    ),
    Column(
        "vulnerabilities",
        "Diện đối tượng (mã hoặc tên, cách nhau dấu ;)",
        _("Mã hoặc tên diện đối tượng (xem bảng bên dưới), nhiều diện cách nhau dấu chấm phẩy."),
        ("dien doi tuong", "dien", "doi tuong", "dien chinh sach"),
        30,
    ),
    Column(
        "needs",
        "Nhu cầu (mã hoặc tên, ;)",
        _("Mã hoặc tên nhu cầu (xem bảng bên dưới), nhiều nhu cầu cách nhau dấu chấm phẩy."),
        ("nhu cau", "nhu cau ho tro"),
        24,
    ),
]

COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}

# Header key → column key. Built once; an alias never belongs to two columns.
HEADER_KEYS: dict[str, str] = {}
for _column in COLUMNS:
    for _key in _column.keys:
        HEADER_KEYS.setdefault(_key, _column.key)

REQUIRED_COLUMNS = ("full_name", "sex")
