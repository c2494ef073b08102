"""Create the themes and a starter indicator catalogue. Idempotent by slug and code."""

from django.db import migrations

THEMES = [
    ("work", "Arbete och sysselsättning", "Work and employment"),
    ("school", "Skola och lärande", "School and learning"),
    ("health", "Hälsa", "Health"),
    ("housing", "Boende och närmiljö", "Housing and neighbourhood"),
    ("safety", "Trygghet", "Safety"),
    ("youth", "Barn och unga", "Children and young people"),
    ("participation", "Delaktighet och inflytande", "Participation and influence"),
    ("culture", "Kultur och fritid", "Culture and leisure"),
]

# code, Swedish name, English name, unit, direction, aggregation
INDICATORS = [
    ("participants", "Antal deltagare", "Participants", "personer", "increase", "sum"),
    (
        "into-work",
        "Deltagare som fått arbete",
        "Participants who found work",
        "personer",
        "increase",
        "sum",
    ),
    (
        "into-work-share",
        "Andel i arbete efter 6 mån",
        "Share in work after 6 months",
        "%",
        "increase",
        "latest",
    ),
    (
        "homework-attendance",
        "Närvaro i läxhjälp",
        "Homework club attendance",
        "%",
        "increase",
        "mean",
    ),
    (
        "grade-eligibility",
        "Elever med gymnasiebehörighet",
        "Pupils eligible for upper secondary",
        "%",
        "increase",
        "latest",
    ),
    (
        "health-contacts",
        "Hälsosamtal genomförda",
        "Health conversations held",
        "samtal",
        "increase",
        "sum",
    ),
    (
        "self-rated-health",
        "Självskattad god hälsa",
        "Self-rated good health",
        "%",
        "increase",
        "latest",
    ),
    (
        "felt-unsafe",
        "Andel som känner sig otrygga",
        "Share who feel unsafe",
        "%",
        "decrease",
        "latest",
    ),
    (
        "vandalism-reports",
        "Anmälda skadegörelser per månad",
        "Reported vandalism per month",
        "anmälningar",
        "decrease",
        "mean",
    ),
    (
        "youth-activities",
        "Unga i fritidsaktiviteter",
        "Young people in leisure activities",
        "personer",
        "increase",
        "latest",
    ),
    (
        "resident-dialogues",
        "Medborgardialoger",
        "Resident dialogues held",
        "tillfällen",
        "increase",
        "sum",
    ),
    (
        "waiting-days",
        "Väntetid till första kontakt",
        "Days to first contact",
        "dagar",
        "decrease",
        "mean",
    ),
]


def forwards(apps, schema_editor):
    Theme = apps.get_model("pilots", "Theme")
    IndicatorDefinition = apps.get_model("pilots", "IndicatorDefinition")
    for slug, name, name_en in THEMES:
        Theme.objects.get_or_create(slug=slug, defaults={"name": name, "name_en": name_en})
    for code, name, name_en, unit, direction, aggregation in INDICATORS:
        IndicatorDefinition.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "unit": unit,
                "direction": direction,
                "aggregation": aggregation,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("pilots", "0001_initial")]

    # Reversing keeps the rows: pilots may refer to them by then.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
