"""Demo users, clean-up, area statistics and the small, story-like demo data set."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.management.base import CommandError
from django.db import connection, models
from django.utils import timezone

from areas.models import Area, AreaStatistic, Membership, StatisticKind
from areas.roles import OFFICIALS_GROUP
from pilots.demo import BULK_PARTNER_PREFIX, DEMO_SOURCE, SYNTHETIC_AREA_PREFIX, content, generate
from pilots.models import (
    Attachment,
    EvidenceRecord,
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
from pilots.services import indicator_refresh, pilot_readiness_refresh_all
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    PartnerFactory,
    PilotFactory,
    PilotUpdateFactory,
    ShareLinkFactory,
    StageDecisionFactory,
)

REAL_AREA_SLUGS = ("herrgarden", "holma-kroksback", "lindangen", "seved")
STATISTIC_YEARS = 6

Log = Callable[[str], None]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    description: str
    area: str = ""
    role: str = ""


DEMO_USERS = [
    DemoUser("admin", "Ada", "Admin-Exempel", "superuser"),
    DemoUser("official", "Olle", "Tjänsteman-Exempel", "city official"),
    DemoUser("lead-seved", "Lisa", "Ledare-Exempel", "lead in Seved", "seved", "lead"),
    DemoUser(
        "staff-herrgarden", "Hugo", "Herrgård-Exempel", "staff in Herrgården", "herrgarden", "staff"
    ),
    DemoUser(
        "staff-holma-kroksback",
        "Hanna",
        "Holma-Exempel",
        "staff in Holma-Kroksbäck",
        "holma-kroksback",
        "staff",
    ),
    DemoUser(
        "staff-lindangen", "Linnea", "Lindäng-Exempel", "staff in Lindängen", "lindangen", "staff"
    ),
    DemoUser("staff-seved", "Sven", "Seved-Exempel", "staff in Seved", "seved", "staff"),
]
DEMO_USERNAMES = frozenset(user.username for user in DEMO_USERS)


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def real_areas() -> dict[str, Area]:
    areas = {area.slug: area for area in Area.objects.filter(slug__in=REAL_AREA_SLUGS)}
    missing = sorted(set(REAL_AREA_SLUGS) - set(areas))
    if missing:
        raise CommandError(
            f"The areas {', '.join(missing)} are missing; run `manage.py migrate` first."
        )
    return areas


def create_demo_users(*, password: str) -> dict[str, AbstractUser]:
    """The demo accounts of DESIGN.md, with their groups and area memberships."""
    user_model = get_user_model()
    areas = real_areas()
    officials = Group.objects.get_or_create(name=OFFICIALS_GROUP)[0]
    users: dict[str, AbstractUser] = {}
    for spec in DEMO_USERS:
        user = user_model(
            username=spec.username,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{spec.username}@example.invalid",
            is_staff=spec.username == "admin",
            is_superuser=spec.username == "admin",
        )
        user.set_password(password)
        user.save()
        if spec.username == "official":
            user.groups.add(officials)
        if spec.area:
            Membership.objects.create(user=user, area=areas[spec.area], role=spec.role)
        users[spec.username] = user
    return users


def _delete_all_rows(model: type[models.Model]) -> int:
    # A plain DELETE: the ORM would load every row to send django-simple-history's delete
    # signals, which at the large size means millions of objects and history rows.
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - table name from model metadata
        return cursor.rowcount


def delete_demo_content() -> dict[str, int]:
    """Delete every pilot with all that hangs off it, and the demo users, partners and areas.

    Other users, areas, themes, the indicator catalogue and real statistics stay as they are.
    """
    for attachment in Attachment.objects.iterator():
        attachment.file.delete(save=False)
    deleted: dict[str, int] = {}
    for model in (
        Measurement.history.model,
        Indicator.history.model,
        apps.get_model("pilots", "HistoricalPilot_themes"),
        apps.get_model("pilots", "HistoricalPilot_partners"),
        Pilot.history.model,
        Measurement,
        Indicator,
        StageDecision,
        PilotUpdate,
        EvidenceRecord,
        Attachment,
        ShareLink,
        Pilot.themes.through,
        Pilot.partners.through,
        Pilot,
    ):
        deleted[model._meta.label] = _delete_all_rows(model)
    seed_partner_names = [name for name, _kind in content.PARTNERS]
    user_model = get_user_model()
    for queryset in (
        Partner.objects.filter(
            models.Q(name__in=seed_partner_names) | models.Q(name__startswith=BULK_PARTNER_PREFIX)
        ),
        AreaStatistic.objects.filter(source=DEMO_SOURCE),
        Area.objects.filter(slug__startswith=SYNTHETIC_AREA_PREFIX),
        user_model.objects.filter(username__in=DEMO_USERNAMES),
    ):
        label = queryset.model._meta.label
        deleted[label] = queryset.delete()[1].get(label, 0)
    return deleted


def seed_area_statistics(*, areas: Iterable[Area], today: dt.date, rng: random.Random) -> int:
    """Synthetic yearly context figures; a real figure already stored for a year is kept."""
    areas = list(areas)
    years = list(range(today.year - STATISTIC_YEARS, today.year))
    kinds = list(StatisticKind.objects.order_by("code"))
    taken = set(
        AreaStatistic.objects.filter(area__in=areas).values_list("area_id", "kind_id", "year")
    )
    rows = []
    for area in areas:
        for kind in kinds:
            for year, value in zip(
                years, generate.statistic_series(kind.code, years, rng), strict=True
            ):
                if (area.pk, kind.pk, year) not in taken:
                    rows.append(
                        AreaStatistic(
                            area=area, kind=kind, year=year, value=value, source=DEMO_SOURCE
                        )
                    )
    AreaStatistic.objects.bulk_create(rows, batch_size=5_000)
    return len(rows)


MONTHS_RUNNING: dict[str, tuple[int, int]] = {
    Stage.PROTOTYPE: (6, 9),
    Stage.PILOT: (10, 18),
    Stage.SCALING: (20, 30),
    Stage.MAINSTREAMED: (32, 48),
    Stage.STOPPED: (10, 16),
}


def _months_between(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


@dataclass(frozen=True)
class _Dates:
    start: dt.date
    end: dt.date | None
    activity_end: dt.date  # the last decision or update
    latest: dt.date  # the last measurement period


def _small_dates(
    spec: content.DemoPilot, origin: Pilot | None, today: dt.date, rng: random.Random
) -> _Dates:
    last_month = generate.add_months(today.replace(day=1), -1)
    last_month = generate.month_end(last_month.year, last_month.month)
    if spec.stage == Stage.IDEA:
        start = generate.add_months(today, rng.randint(1, 3))
        return _Dates(start, generate.add_months(start, 12), today, last_month)
    start = generate.add_months(today, -rng.randint(*MONTHS_RUNNING[spec.stage]))
    if origin is not None and origin.start_date:
        # An adaptation starts after the pilot it learned from.
        start = min(max(start, generate.add_months(origin.start_date, 4)), today)
    activity_end = today - dt.timedelta(days=rng.randint(3, 20))
    end: dt.date | None = generate.add_months(today, rng.randint(3, 12))
    if spec.stage == Stage.MAINSTREAMED:
        end = None
    if spec.stage == Stage.STOPPED:
        end = activity_end = today - dt.timedelta(days=rng.randint(60, 150))
    if content.OVERDUE in spec.flags:
        end = today - dt.timedelta(days=rng.randint(20, 60))
    latest = min(last_month, activity_end)
    if content.STALE in spec.flags:
        latest = generate.add_months(latest, -rng.randint(4, 6))
    latest = generate.month_end(latest.year, latest.month)
    # Room for at least a handful of monthly measurements after the start.
    start = min(start, generate.add_months(latest.replace(day=1), -5))
    return _Dates(start, end, activity_end, latest)


def _create_small_pilot(
    spec: content.DemoPilot,
    *,
    number: int,
    areas: dict[str, Area],
    themes: dict[str, Theme],
    partners: dict[str, Partner],
    definitions: dict[str, IndicatorDefinition],
    users: dict[str, AbstractUser],
    origins: dict[str, Pilot],
    today: dt.date,
    rng: random.Random,
) -> Pilot:
    lead = users["lead-seved"] if spec.area == "seved" else users[f"staff-{spec.area}"]
    # Only Seved has a demo lead; elsewhere the admin stands in for the area lead.
    decider = users["lead-seved"] if spec.area == "seved" else users["admin"]
    origin = origins.get(spec.adapted_from)
    dates = _small_dates(spec, origin, today, rng)
    start, activity_end, latest = dates.start, dates.activity_end, dates.latest

    pilot = PilotFactory(
        title=spec.title,
        slug=f"{spec.key}-{number:02d}",
        area=areas[spec.area],
        need=spec.need,
        summary=spec.summary,
        approach=spec.approach,
        target_group=spec.target_group,
        stage=spec.stage,
        evidence_level=generate.evidence_level(spec.stage, rng),
        start_date=start,
        end_date=dates.end,
        budget_sek=rng.randrange(50_000, 1_500_000, 10_000),
        participants_reached=rng.randint(8, 400) if spec.stage != Stage.IDEA else None,
        lead=lead,
        adapted_from=origin,
        adaptation_notes=spec.adaptation_notes,
        lessons=spec.lessons,
        created_at=aware(min(start, today) - dt.timedelta(days=30)),
        archived_at=(
            aware(activity_end + dt.timedelta(days=30)) if content.ARCHIVED in spec.flags else None
        ),
    )
    pilot.themes.set([themes[slug] for slug in spec.themes if slug in themes])
    pilot.partners.set([partners[name] for name in spec.partners])

    chain = generate.decision_chain(spec.stage, rng)
    for (from_stage, to_stage, decision), day in zip(
        chain, generate.spread_dates(start, activity_end, len(chain)), strict=True
    ):
        StageDecisionFactory(
            pilot=pilot,
            from_stage=from_stage,
            to_stage=to_stage,
            decision=decision,
            rationale=rng.choice(content.DECISION_RATIONALES[decision]),
            decided_by=decider,
            decided_at=aware(day, 14),
        )

    for code in spec.indicators:
        definition = definitions[code]
        target_months = rng.choice([12, 18, 24])
        if spec.stage == Stage.IDEA:
            periods: list[dt.date] = []
        else:
            # Spread over the whole run, so sums and the time elapsed agree.
            available = _months_between(start, latest)
            count = min(rng.randint(4, 12), available)
            periods = generate.month_ends_until(latest, count, step=max(available // count, 1))
            # Long-running pilots have had their targets moved out with them.
            target_months = max(target_months, available + rng.randint(-6, 6))
        target_date = generate.add_months(start, target_months)
        data = generate.indicator_data(
            code=code,
            direction=definition.direction,
            aggregation=definition.aggregation,
            periods=periods,
            baseline_date=start,
            target_date=target_date,
            rng=rng,
            with_target=code not in spec.untargeted,
        )
        indicator = IndicatorFactory(
            pilot=pilot,
            definition=definition,
            baseline_value=data.baseline_value,
            target_value=data.target_value,
            baseline_date=start if data.baseline_value is not None else None,
            target_date=target_date if data.target_value is not None else None,
        )
        for period, value in data.values:
            MeasurementFactory(
                indicator=indicator,
                period_end=period,
                value=value,
                recorded_by=lead,
                recorded_at=aware(period + dt.timedelta(days=rng.randint(2, 10))),
            )
        indicator_refresh(indicator=indicator)

    kinds = ["progress"]
    kinds += [kind for kind in ("obstacle", "progress") if rng.random() < 0.6]
    if spec.lessons or rng.random() < 0.5:
        kinds.append("lesson")
    if chain:
        kinds.append("decision")
    for kind, day in zip(
        kinds, generate.spread_dates(start, activity_end, len(kinds)), strict=True
    ):
        body = (
            spec.lessons if kind == "lesson" and spec.lessons else rng.choice(content.UPDATES[kind])
        )
        PilotUpdateFactory(
            pilot=pilot, author=lead, kind=kind, body=body, created_at=aware(min(day, today), 16)
        )
    return pilot


def seed_small(
    *, users: dict[str, AbstractUser], today: dt.date, rng: random.Random, log: Log
) -> dict[str, int]:
    """About forty story-like pilots in the four areas, with everything a page can show."""
    areas = real_areas()
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    definitions = {definition.code: definition for definition in IndicatorDefinition.objects.all()}
    missing = sorted(
        {code for spec in content.PILOTS for code in spec.indicators} - set(definitions)
    )
    if missing:
        raise CommandError(
            f"The indicator catalogue lacks {', '.join(missing)}; run `manage.py migrate` first."
        )
    partners = {name: PartnerFactory(name=name, kind=kind) for name, kind in content.PARTNERS}
    statistics = seed_area_statistics(areas=areas.values(), today=today, rng=rng)
    log(f"  {statistics} area statistics ({DEMO_SOURCE})")

    origins: dict[str, Pilot] = {}
    for number, spec in enumerate(content.PILOTS, start=1):
        origins[spec.key] = _create_small_pilot(
            spec,
            number=number,
            areas=areas,
            themes=themes,
            partners=partners,
            definitions=definitions,
            users=users,
            origins=origins,
            today=today,
            rng=rng,
        )
    ShareLinkFactory(pilot=origins["homework"], created_by=users["staff-herrgarden"])
    ShareLinkFactory(
        pilot=origins["job-matching"],
        created_by=users["staff-holma-kroksback"],
        revoked_at=timezone.now() - dt.timedelta(days=5),
    )
    # Adaptations are made here without the services, so their originals are counted at the end.
    pilot_readiness_refresh_all()
    counts = {
        "pilots": Pilot.objects.count(),
        "indicators": Indicator.objects.count(),
        "measurements": Measurement.objects.count(),
        "stage decisions": StageDecision.objects.count(),
        "updates": PilotUpdate.objects.count(),
        "area statistics": statistics,
    }
    log("  " + ", ".join(f"{count} {name}" for name, count in counts.items()))
    return counts
