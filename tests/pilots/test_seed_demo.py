import datetime as dt
import itertools
import random
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone

from areas.models import Area, AreaStatistic, Membership
from areas.roles import OFFICIALS_GROUP
from pilots import progress, services
from pilots.demo import DEMO_SOURCE, SYNTHETIC_AREA_PREFIX
from pilots.demo.large import LargeSize, seed_large
from pilots.demo.seed import DEMO_USERNAMES, create_demo_users
from pilots.models import EvidenceRecord, Indicator, Measurement, Pilot, PilotUpdate, Stage
from tests.factories import MembershipFactory, PilotFactory, UserFactory

DEMO_PASSWORD = "demo-lösenord-123"
REAL_AREAS = {"herrgarden", "holma-kroksback", "lindangen", "seved"}


@pytest.fixture
def demo_settings(settings):
    settings.DEMO_PASSWORD = DEMO_PASSWORD
    # The default hasher makes each of the seven demo accounts cost a third of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def assert_results_follow_the_progress_rules(indicators) -> None:
    for indicator in indicators:
        values = list(indicator.measurements.values_list("period_end", "value"))
        expected = progress.evaluate(
            values,
            aggregation=indicator.definition.aggregation,
            direction=indicator.definition.direction,
            baseline=indicator.baseline_value,
            target=indicator.target_value,
            baseline_date=indicator.baseline_date,
            target_date=indicator.target_date,
        )
        assert indicator.current_value == expected.current_value, indicator
        assert indicator.latest_period_end == expected.latest_period_end, indicator
        assert indicator.measurement_count == expected.measurement_count, indicator
        assert indicator.progress == pytest.approx(expected.progress), indicator
        assert indicator.status == expected.status, indicator


@pytest.mark.django_db
def test_small_seed_creates_the_demo_users_with_their_roles(demo_settings):
    seed()

    users = {user.username: user for user in get_user_model().objects.all()}
    assert set(users) == DEMO_USERNAMES
    assert all(user.check_password(DEMO_PASSWORD) for user in users.values())
    assert users["admin"].is_superuser
    assert users["admin"].is_staff
    assert not users["official"].is_staff
    assert list(users["official"].groups.values_list("name", flat=True)) == [OFFICIALS_GROUP]
    memberships = set(Membership.objects.values_list("user__username", "area__slug", "role"))
    assert memberships == {
        ("lead-seved", "seved", "lead"),
        ("staff-herrgarden", "herrgarden", "staff"),
        ("staff-holma-kroksback", "holma-kroksback", "staff"),
        ("staff-lindangen", "lindangen", "staff"),
        ("staff-seved", "seved", "staff"),
    }
    assert all("Exempel" in user.last_name for user in users.values())


@pytest.mark.django_db
def test_small_seed_prints_a_generated_password_when_none_is_set(demo_settings):
    demo_settings.DEMO_PASSWORD = ""

    output = seed()

    password = output.split("shown only now: ")[1].split()[0]
    assert len(password) >= 12
    assert get_user_model().objects.get(username="official").check_password(password)
    assert "staff-holma-kroksback" in output


@pytest.mark.django_db
def test_small_seed_builds_pilots_with_every_case_the_pages_show(demo_settings):
    today = timezone.localdate()

    seed()

    pilots = Pilot.objects.all()
    assert 35 <= pilots.count() <= 45
    per_area = dict(pilots.values_list("area__slug").annotate(count=Count("id")))
    assert set(per_area) == REAL_AREAS
    assert min(per_area.values()) >= 8
    assert set(pilots.values_list("stage", flat=True)) == set(Stage.values)
    assert set(pilots.values_list("evidence_level", flat=True)) == {1, 2, 3, 4}
    adapted = pilots.filter(adapted_from__isnull=False)
    assert adapted.count() >= 5
    assert all(pilot.adaptation_notes for pilot in adapted)
    assert adapted.exclude(adapted_from__area=F("area")).count() == adapted.count()
    assert pilots.filter(archived_at__isnull=False).count() == 1
    assert pilots.running().filter(end_date__lt=today).count() >= 2
    stale = [
        pilot
        for pilot in pilots.running()
        if (latest := max(pilot.indicators.values_list("latest_period_end", flat=True)))
        and latest < today - dt.timedelta(days=90)
    ]
    assert len(stale) >= 2
    assert Indicator.objects.filter(baseline_value=None, target_value=None).count() >= 2
    counts = Indicator.objects.exclude(pilot__stage=Stage.IDEA).annotate(n=Count("measurements"))
    assert {4 <= indicator.n <= 12 for indicator in counts} == {True}
    assert set(PilotUpdate.objects.values_list("kind", flat=True)) == {
        "progress",
        "obstacle",
        "lesson",
        "decision",
    }
    statistics = AreaStatistic.objects.all()
    assert statistics.count() >= 4 * 5 * 5
    assert set(statistics.values_list("source", flat=True)) == {DEMO_SOURCE}


@pytest.mark.django_db
def test_small_seed_records_decisions_that_lead_to_the_current_stage(demo_settings):
    seed()

    for pilot in Pilot.objects.prefetch_related("stage_decisions"):
        decisions = sorted(pilot.stage_decisions.all(), key=lambda d: (d.decided_at, d.pk))
        if pilot.stage == Stage.IDEA:
            assert decisions == []
            continue
        assert decisions[0].from_stage == Stage.IDEA
        assert decisions[-1].to_stage == pilot.stage
        for before, after in itertools.pairwise(decisions):
            assert after.from_stage == before.to_stage


@pytest.mark.django_db
def test_small_seed_stores_indicator_results_that_follow_the_progress_rules(demo_settings):
    seed()

    indicators = Indicator.objects.select_related("definition")
    assert set(indicators.values_list("status", flat=True)) == set(Indicator.Status.values)
    assert_results_follow_the_progress_rules(indicators)


@pytest.mark.django_db
def test_small_seed_is_the_same_every_time(demo_settings):
    def snapshot() -> list[tuple]:
        return list(
            Measurement.objects.order_by(
                "indicator__pilot__slug", "indicator__definition__code", "period_end"
            ).values_list("indicator__pilot__slug", "period_end", "value")
        )

    seed()
    first = snapshot()
    seed("--force")

    assert snapshot() == first


@pytest.mark.django_db
def test_seed_refuses_a_second_run_without_force(demo_settings):
    seed()

    with pytest.raises(CommandError, match="--force"):
        seed()


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_database_and_then_leaves_it_alone(demo_settings):
    seed("--if-empty")
    pilots = Pilot.objects.count()
    assert pilots > 0

    output = seed("--if-empty")

    assert "not loaded again" in output
    assert "staff-seved" in output, "the logins are printed on every run"
    assert Pilot.objects.count() == pilots


@pytest.mark.django_db
def test_if_empty_leaves_a_database_with_real_users_alone(demo_settings):
    UserFactory(username="maria")
    output = seed("--if-empty")
    assert "not loaded again" in output
    assert not get_user_model().objects.filter(username="admin").exists()
    assert not Pilot.objects.exists()


@pytest.mark.django_db
def test_seed_refuses_a_database_that_already_has_pilots(demo_settings):
    PilotFactory()

    with pytest.raises(CommandError, match="1 pilots"):
        seed()

    assert Pilot.objects.count() == 1
    assert not get_user_model().objects.filter(username__in=DEMO_USERNAMES).exists()


@pytest.mark.django_db
def test_seed_refuses_to_take_over_an_existing_account_with_a_demo_name(demo_settings):
    UserFactory(username="admin")

    with pytest.raises(CommandError, match="admin"):
        seed()


@pytest.mark.django_db
def test_force_reseeds_without_touching_other_users(demo_settings):
    seed()
    person = UserFactory(username="real-person", first_name="Riktig")
    MembershipFactory(user=person, area=Area.objects.get(slug="seved"))
    password_hash = person.password
    pilots_before = Pilot.objects.count()

    output = seed("--force")

    person.refresh_from_db()
    assert person.password == password_hash
    assert person.first_name == "Riktig"
    assert person.memberships.get().area.slug == "seved"
    assert Pilot.objects.count() == pilots_before
    assert get_user_model().objects.filter(username__in=DEMO_USERNAMES).count() == 7
    assert "Deleted" in output


@pytest.mark.django_db
def test_force_keeps_real_statistics(demo_settings):
    seved = Area.objects.get(slug="seved")
    seed()
    real = AreaStatistic.objects.filter(area=seved).first()
    AreaStatistic.objects.filter(pk=real.pk).update(source="SCB", value=42)

    seed("--force")

    real.refresh_from_db()
    assert (real.source, real.value) == ("SCB", 42)


@pytest.mark.django_db
def test_demo_lead_can_open_a_seeded_pilot(client, demo_settings):
    seed()
    pilot = Pilot.objects.filter(area__slug="seved").first()

    client.force_login(get_user_model().objects.get(username="lead-seved"))
    response = client.get(reverse("pilots:detail", kwargs={"slug": pilot.slug}))

    assert response.status_code == 200
    assert pilot.title in response.text


@pytest.mark.django_db
def test_seed_rejects_an_unknown_size():
    with pytest.raises(CommandError, match="invalid choice"):
        seed("--size", "huge")


TINY = LargeSize(
    areas=6,
    pilots=20,
    indicators_per_pilot=4,
    measurements_per_indicator=6,
    pilots_per_batch=7,
    rows_per_insert=25,
)


@pytest.mark.django_db
def test_tiny_large_seed_creates_the_scaled_counts(demo_settings):
    users = create_demo_users(password=DEMO_PASSWORD)

    totals = seed_large(
        users=users, today=timezone.localdate(), rng=random.Random(1), log=lambda _: None, size=TINY
    )

    assert totals == {"areas": 6, "pilots": 20, "indicators": 80, "measurements": 480}
    assert Area.objects.filter(slug__startswith=SYNTHETIC_AREA_PREFIX).count() == 2
    assert Pilot.objects.count() == 20
    assert Indicator.objects.count() == 80
    assert Measurement.objects.count() == 480
    per_pilot = Pilot.objects.annotate(
        definitions=Count("indicators__definition", distinct=True)
    ).values_list("definitions", flat=True)
    assert set(per_pilot) == {4}
    per_indicator = Indicator.objects.annotate(
        periods=Count("measurements__period_end", distinct=True)
    ).values_list("periods", flat=True)
    assert set(per_indicator) == {6}
    assert_results_follow_the_progress_rules(Indicator.objects.select_related("definition"))


@pytest.mark.django_db
def test_tiny_large_seed_refuses_more_indicators_than_the_catalogue_has(demo_settings):
    users = create_demo_users(password=DEMO_PASSWORD)
    size = LargeSize(areas=4, pilots=1, indicators_per_pilot=99)

    with pytest.raises(CommandError, match="99 indicators per pilot"):
        seed_large(
            users=users,
            today=timezone.localdate(),
            rng=random.Random(1),
            log=lambda _: None,
            size=size,
        )


@pytest.mark.django_db
def test_force_deletes_a_previous_large_seed(demo_settings):
    users = create_demo_users(password=DEMO_PASSWORD)
    seed_large(
        users=users, today=timezone.localdate(), rng=random.Random(1), log=lambda _: None, size=TINY
    )

    seed("--force")

    assert not Area.objects.filter(slug__startswith=SYNTHETIC_AREA_PREFIX).exists()
    assert not Pilot.objects.filter(slug__endswith="-00001").exists()
    assert set(Pilot.objects.values_list("area__slug", flat=True)) == REAL_AREAS


@pytest.mark.django_db
def test_force_reseeds_a_database_where_a_lead_recorded_evidence(demo_settings):
    seed()
    pilot = Pilot.objects.order_by("pk").first()
    services.pilot_set_evidence(
        pilot=pilot,
        level=2,
        method_note="Före- och eftermätning.",
        evidence_links="",
        user=None,
        expected_version=pilot.version,
    )

    seed("--force")

    assert not EvidenceRecord.objects.exists()
    assert Pilot.objects.exists()
