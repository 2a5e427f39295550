"""The programme catalogue of the plan (II.2); rules are editable afterwards."""

from django.db import migrations

PROGRAMMES = [
    (
        "ME_DO_DAU",
        "Mẹ đỡ đầu",
        "sponsorship",
        'age < 16 and (has("TE_MO_COI") or has("TE_HOAN_CANH_DAC_BIET"))',
    ),
    (
        "MAI_AM",
        "Mái ấm tình thương",
        "housing",
        'need("NHA_O") and (household_has("HO_NGHEO") or household_has("HO_CAN_NGHEO"))',
    ),
    (
        "TIEP_BUOC_DEN_TRUONG",
        "Tiếp bước em đến trường",
        "cash",
        'age >= 6 and age < 18 and (household_has("HO_NGHEO") or has("TE_MO_COI"))',
    ),
    (
        "QUA_TET",
        "Quà Tết, quà dịp lễ",
        "in_kind",
        'household_has("HO_NGHEO") and not received("QUA_TET", within_months=10)',
    ),
    (
        "SO_TIET_KIEM",
        "Sổ tiết kiệm",
        "cash",
        'sex = "nu" and (has("PN_DON_THAN_NUOI_CON") or has("PN_CAO_TUOI_CO_DON"))',
    ),
    (
        "VON_VAY_NHCSXH",
        "Vốn vay Ngân hàng Chính sách xã hội",
        "loan",
        'sex = "nu" and age >= 18 and need("VON")',
    ),
    (
        "DAY_NGHE",
        "Dạy nghề",
        "training",
        'age >= 16 and age < 60 and need("HOC_NGHE")',
    ),
    (
        "GIOI_THIEU_VIEC_LAM",
        "Giới thiệu việc làm",
        "service",
        'age >= 16 and age < 60 and (need("VIEC_LAM") or has("LD_NU_MAT_VIEC"))',
    ),
    (
        "KHOI_NGHIEP_HTX",
        "Hỗ trợ khởi nghiệp, hợp tác xã",
        "service",
        'sex = "nu" and age >= 18 and age < 60 and need("SINH_KE")',
    ),
    (
        "BHYT_BHXH",
        "Hỗ trợ bảo hiểm y tế, bảo hiểm xã hội tự nguyện",
        "cash",
        'need("BHYT") and (household_has("HO_NGHEO") or household_has("HO_CAN_NGHEO"))',
    ),
    (
        "TRI_AN_27_7",
        "Tri ân người có công (27/7)",
        "in_kind",
        'has("ME_VNAH_NGUOI_CO_CONG")',
    ),
]


def seed(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    for order, (code, name, kind, rule) in enumerate(PROGRAMMES, start=1):
        Programme.objects.update_or_create(
            code=code,
            defaults={"name": name, "benefit_kind": kind, "eligibility_rule": rule, "order": order},
        )


def unseed(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    Programme.objects.filter(code__in=[p[0] for p in PROGRAMMES], rounds__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
