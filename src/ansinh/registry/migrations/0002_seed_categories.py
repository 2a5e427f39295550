"""Seed the vulnerability and need categories named in the plan (configurable afterwards)."""

from django.db import migrations

from ansinh.registry.reference import NEED_SEED, VULNERABILITY_SEED


def seed(apps, schema_editor):
    VulnerabilityCategory = apps.get_model("registry", "VulnerabilityCategory")
    NeedCategory = apps.get_model("registry", "NeedCategory")
    for order, (code, name, applies_to, is_sensitive) in enumerate(VULNERABILITY_SEED, 1):
        VulnerabilityCategory.objects.update_or_create(
            code=code,
            defaults={"name": name, "applies_to": applies_to, "is_sensitive": is_sensitive,
                      "order": order},
        )
    for order, (code, name) in enumerate(NEED_SEED, 1):
        NeedCategory.objects.update_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
