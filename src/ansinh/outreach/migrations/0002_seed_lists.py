"""Seed the configurable lists: communication topics and community model kinds (frozen copy
of the lists in outreach.services at the time of this migration)."""

from django.db import migrations

TOPICS = [
    ("nq42", "Nghị quyết 42-NQ/TW về chính sách xã hội"),
    ("an-sinh", "Chính sách an sinh xã hội, trợ giúp xã hội của Thủ đô"),
    ("bhxh-tu-nguyen", "Chính sách BHXH tự nguyện"),
    ("bhyt", "Bảo hiểm y tế"),
    ("bao-luc-gia-dinh", "Phòng, chống bạo lực gia đình, bạo lực trên cơ sở giới"),
    ("mua-ban-nguoi", "Phòng, chống mua bán người"),
    ("binh-dang-gioi", "Bình đẳng giới"),
    ("chuyen-doi-so", "Chuyển đổi số"),
    ("viec-lam", "Thị trường lao động, học nghề, việc làm"),
    ("khoi-nghiep", "Phụ nữ khởi nghiệp, kinh tế tập thể"),
    ("moi-truong", "Bảo vệ môi trường, giảm thiểu rác thải nhựa"),
    ("uong-nuoc-nho-nguon", "Giáo dục truyền thống, đền ơn đáp nghĩa"),
    ("khac", "Khác"),
]

MODEL_KINDS = [
    ("dia-chi-tin-cay", "Địa chỉ tin cậy tại cộng đồng"),
    ("to-dan-pho-an-toan", "Tổ dân phố an toàn / Thôn an toàn"),
    ("ngoi-nha-xanh", "Ngôi nhà xanh"),
    ("bien-rac-thanh-tien", "Biến rác thành tiền"),
    ("giam-rac-thai-nhua", "Khu dân cư giảm thiểu rác thải nhựa"),
    ("clb-nu-doanh-nhan", "CLB nữ doanh nhân"),
    ("htx-phu-nu", "Tổ hợp tác / HTX do phụ nữ làm chủ"),
    ("clb-phong-chong-bao-luc", "CLB phòng chống bạo lực gia đình"),
    ("to-tiet-kiem", "Tổ tiết kiệm và vay vốn"),
    ("to-tu-van", "Tổ tư vấn bảo vệ quyền, lợi ích hợp pháp của phụ nữ, trẻ em"),
    ("nha-tro-an-toan", "Chủ nhà trọ thân thiện, an toàn với phụ nữ và trẻ em"),
    ("gia-dinh-5-co-3-sach", "Gia đình 5 có, 3 sạch"),
    ("khac", "Khác"),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("outreach", "CommunicationTopic")
    Kind = apps.get_model("outreach", "CommunityModelKind")
    for order, (code, name) in enumerate(TOPICS):
        Topic.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})
    for order, (code, name) in enumerate(MODEL_KINDS):
        Kind.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
