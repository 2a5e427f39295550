from django.db import migrations

CATEGORIES = [
    ("bao-luc", "Bạo lực gia đình, xâm hại, mua bán người", 24, True),
    ("khieu-nai", "Khiếu nại, tố cáo", 240, False),
    ("chinh-sach", "Chính sách an sinh xã hội", 240, False),
    ("tam-tu", "Tâm tư, nguyện vọng", 240, False),
    ("gop-y", "Góp ý hoạt động của Hội", 240, False),
]


def seed(apps, schema_editor):
    Category = apps.get_model("oversight", "FeedbackCategory")
    for code, name, hours, sensitive in CATEGORIES:
        Category.objects.update_or_create(
            code=code,
            defaults={"name": name, "response_hours": hours, "is_sensitive": sensitive},
        )


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
