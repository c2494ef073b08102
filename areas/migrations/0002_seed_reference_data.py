"""Create the four Area Programme areas, the statistic kinds and the portal's groups.

Idempotent: rows that already exist (by slug, code or name) are left as they are.
"""

from django.db import migrations

AREAS = [
    {
        "slug": "herrgarden",
        "name": "Herrgården",
        "district": "Rosengård",
        "regso_code": "",
        "colour": "#1f6f8b",
        "description": "Bostadsområde i Rosengård med Områdesprogram sedan 2010.",
    },
    {
        "slug": "holma-kroksback",
        "name": "Holma-Kroksbäck",
        "district": "Hyllie",
        "regso_code": "",
        "colour": "#8a3b12",
        "description": "Två grannområden i Hyllie med ett gemensamt Områdesprogram.",
    },
    {
        "slug": "lindangen",
        "name": "Lindängen",
        "district": "Fosie",
        "regso_code": "",
        "colour": "#4b5d16",
        "description": "Bostadsområde i Fosie med Områdesprogram sedan 2010.",
    },
    {
        "slug": "seved",
        "name": "Seved",
        "district": "Södra Innerstaden",
        "regso_code": "",
        "colour": "#6b2c6b",
        "description": "Kvarter i Södra Innerstaden med Områdesprogram sedan 2010.",
    },
]

STATISTIC_KINDS = [
    ("unemployment-rate", "Arbetslöshet", "Unemployment rate", "%"),
    ("employment-rate-20-64", "Förvärvsfrekvens 20–64 år", "Employment rate, age 20–64", "%"),
    ("life-expectancy", "Medellivslängd", "Life expectancy", "år"),
    (
        "upper-secondary-eligibility",
        "Behörighet till gymnasiet",
        "Upper-secondary eligibility",
        "%",
    ),
    ("income-support", "Andel med ekonomiskt bistånd", "Share receiving income support", "%"),
]

GROUPS = ["City officials", "Portal admins"]


def forwards(apps, schema_editor):
    Area = apps.get_model("areas", "Area")
    StatisticKind = apps.get_model("areas", "StatisticKind")
    Group = apps.get_model("auth", "Group")
    for area in AREAS:
        Area.objects.get_or_create(slug=area["slug"], defaults=area)
    for code, name, name_en, unit in STATISTIC_KINDS:
        StatisticKind.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "unit": unit}
        )
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    # Reversing keeps the rows: they may have data attached by then.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
