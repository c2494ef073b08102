"""Small factory-boy factories: each builds one row and only the parents it cannot do without.

Reference data made by the data migrations (the four areas, themes, statistic kinds and the
indicator catalogue) is reused through ``django_get_or_create`` rather than duplicated.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from areas.models import Area, AreaStatistic, Membership, StatisticKind
from pilots.models import (
    Attachment,
    Indicator,
    IndicatorDefinition,
    Measurement,
    Partner,
    Pilot,
    PilotUpdate,
    ShareLink,
    Stage,
    StageDecision,
    Theme,
)

TEST_PASSWORD = "test-password-Malmö-2024"


@functools.cache
def hashed_password(raw: str) -> str:
    # Hashing is deliberately slow; one hash per distinct password keeps test runs fast.
    return make_password(raw)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user-{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    first_name = "Testa"
    last_name = factory.Sequence(lambda n: f"Testsson {n}")
    password = factory.Transformer(TEST_PASSWORD, transform=hashed_password)


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Testområde {n}")
    slug = factory.Sequence(lambda n: f"testomrade-{n}")
    municipality = "Testkommun"
    district = "Testdistrikt"
    colour = "#1f6f8b"


class StatisticKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatisticKind
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-kind-{n}")
    name = factory.Sequence(lambda n: f"Teststatistik {n}")
    name_en = factory.Sequence(lambda n: f"Test statistic {n}")
    unit = "%"


class AreaStatisticFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaStatistic

    area = factory.SubFactory(AreaFactory)
    kind = factory.SubFactory(StatisticKindFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    value = Decimal("12.50")
    source = "Syntetiska testdata"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    area = factory.SubFactory(AreaFactory)
    role = Membership.Role.STAFF


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"test-theme-{n}")
    name = factory.Sequence(lambda n: f"Testtema {n}")
    name_en = factory.Sequence(lambda n: f"Test theme {n}")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Föreningen Testpartner {n}")
    kind = Partner.Kind.NGO


class PilotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pilot

    title = factory.Sequence(lambda n: f"Testpilot {n}")
    slug = factory.Sequence(lambda n: f"testpilot-{n}")
    area = factory.SubFactory(AreaFactory)
    need = "Barn i området saknar ett lugnt ställe att göra läxor på."
    summary = "Läxhjälp två kvällar i veckan i samarbete med en förening."
    stage = Stage.PILOT
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=180))


class IndicatorDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorDefinition
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-indicator-{n}")
    name = factory.Sequence(lambda n: f"Testindikator {n}")
    name_en = factory.Sequence(lambda n: f"Test indicator {n}")
    unit = "personer"
    direction = IndicatorDefinition.Direction.INCREASE
    aggregation = IndicatorDefinition.Aggregation.LATEST


class IndicatorFactory(factory.django.DjangoModelFactory):
    """An indicator with baseline and target; derived fields stay at their defaults.

    Call ``pilots.services.indicator_refresh`` after adding measurements to fill them.
    """

    class Meta:
        model = Indicator

    pilot = factory.SubFactory(PilotFactory)
    definition = factory.SubFactory(IndicatorDefinitionFactory)
    baseline_value = Decimal("10.00")
    baseline_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=180))
    target_value = Decimal("20.00")
    target_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=180))


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    # Cycles within the years the forms accept (up to 2100), however long the test run.
    period_end = factory.Sequence(
        lambda n: dt.date(2020, 1, 31) + dt.timedelta(days=30 * (n % 900))
    )
    value = Decimal("12.00")


class StageDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageDecision

    pilot = factory.SubFactory(PilotFactory)
    from_stage = Stage.PROTOTYPE
    to_stage = Stage.PILOT
    decision = StageDecision.Decision.GO
    rationale = "Prototypen nådde fler deltagare än väntat."
    decided_by = factory.SubFactory(UserFactory)


class PilotUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PilotUpdate

    pilot = factory.SubFactory(PilotFactory)
    kind = PilotUpdate.Kind.PROGRESS
    body = "Tolv nya deltagare den här månaden."
    author = factory.SubFactory(UserFactory)


class ShareLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShareLink

    pilot = factory.SubFactory(PilotFactory)
    created_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    pilot = factory.SubFactory(PilotFactory)
    title = "Lägesrapport"
    file = factory.django.FileField(filename="rapport.pdf", data=b"%PDF-1.4\n%synthetic\n")
    uploaded_by = factory.SubFactory(UserFactory)
