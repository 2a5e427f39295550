"""A small synthetic plan in the shape of the real one, and the union's departments."""

from pathlib import Path

import pytest

from ansinh.org.models import Department
from ansinh.plans.services import default_plan_path

SYNTHETIC_PLAN = """\
HỘI LHPN TỈNH THỬ NGHIỆM
Số: 07/KH-HPN

Thành phố Thử, ngày 15 tháng 3 năm 2025

KẾ HOẠCH

Triển khai chương trình thử nghiệm về an sinh xã hội năm 2025

Căn cứ Nghị quyết số 01-NQ/TU ngày 01/01/2025, Ban Thường vụ Hội LHPN tỉnh Thử nghiệm xây dựng Kế hoạch như sau:

I. MỤC ĐÍCH, YÊU CẦU

1. Nâng cao nhận thức của hội viên.

2. Bảo đảm thiết thực, hiệu quả.

II. NHIỆM VỤ, GIẢI PHÁP

1. Tuyên truyền, vận động

- Tổ chức quán triệt nghị quyết tới các chi hội về

trách nhiệm chăm lo phụ nữ yếu thế¹.

¹ Nghị quyết số 01-NQ/TU ngày 01/01/2025.

- Đa dạng hình thức truyền thông.

2. Hỗ trợ sinh kế

- Hỗ trợ vốn vay:

+ Ưu tiên hộ nghèo do phụ nữ làm chủ.

+ Kết nối ngân hàng chính sách.

a) Dạy nghề

- Mở lớp dạy nghề ngắn hạn.

III. TỔ CHỨC THỰC HIỆN

1. Hội LHPN tỉnh

- *Giao Ban Gia đình xã hội* là đầu mối chủ trì, tổng hợp báo cáo.

- *Giao Trung tâm Giáo dục nghề nghiệp và hỗ trợ phát triển phụ nữ tỉnh*: Phối hợp mở lớp dạy nghề.

- *Giao Ban Đối ngoại*: Vận động tài trợ quốc tế.

2. Hội LHPN các xã, phường

- Xây dựng kế hoạch cụ thể tại địa phương.

- Định kỳ báo cáo 6 tháng, 1 năm.

Ban Thường vụ Hội LHPN tỉnh Thử nghiệm đề nghị các cấp Hội nghiêm túc thực hiện.

Nơi nhận:

- Trung ương Hội;
- Lưu: VT.

TM. BAN THƯỜNG VỤ
CHỦ TỊCH

Nguyễn Thị Thử
"""

SYNTHETIC_TITLE = "Triển khai chương trình thử nghiệm về an sinh xã hội năm 2025"

# The city union's departments, named as DESIGN.md lists them (some with "Ban", some without).
DEPARTMENTS = [
    ("gia-dinh-xa-hoi", "Ban Gia đình xã hội", Department.Kind.DEPARTMENT),
    ("tuyen-giao", "Ban Tuyên giáo", Department.Kind.DEPARTMENT),
    (
        "ho-tro-phu-nu-phat-trien-kinh-te",
        "Ban Hỗ trợ phụ nữ phát triển kinh tế",
        Department.Kind.DEPARTMENT,
    ),
    ("chinh-sach-luat-phap", "Chính sách - Luật pháp", Department.Kind.DEPARTMENT),
    (
        "trung-tam-gdnn",
        "Trung tâm GDNN và hỗ trợ phát triển phụ nữ",
        Department.Kind.CENTRE,
    ),
    ("bao-phu-nu-thu-do", "Báo Phụ nữ Thủ đô", Department.Kind.NEWSPAPER),
    ("van-phong", "Văn phòng", Department.Kind.OFFICE),
    ("uy-ban-kiem-tra", "Ủy ban kiểm tra", Department.Kind.INSPECTION),
]


@pytest.fixture
def departments(personas) -> dict[str, Department]:
    return {
        code: Department.objects.create(
            union=personas.city, code=code, name=name, kind=kind, order=index
        )
        for index, (code, name, kind) in enumerate(DEPARTMENTS)
    }


@pytest.fixture
def plan_file(tmp_path) -> Path:
    path = tmp_path / "ke-hoach-thu.txt"
    path.write_text(SYNTHETIC_PLAN, encoding="utf-8")
    return path


@pytest.fixture
def real_plan_path(settings) -> Path:
    """The real plan in ../shared/seed, or skip when it is not beside the checkout."""
    path = default_plan_path()
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    return path


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence files go to a temporary MEDIA_ROOT, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
