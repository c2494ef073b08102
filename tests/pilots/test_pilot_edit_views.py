"""Creating, editing and archiving pilots; filters on the list; what needs attention at home."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from areas.models import Area
from pilots.models import Pilot, Stage
from tests.factories import (
    AreaFactory,
    IndicatorFactory,
    PilotFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def pilot_data(area, **overrides) -> dict[str, object]:
    data = {
        "title": "Läxhjälp på biblioteket",
        "area": area.pk,
        "need": "Många elever saknar lugn plats för läxor.",
        "summary": "",
        "approach": "",
        "target_group": "Elever i åk 7–9",
        "start_date": "2026-01-15",
        "end_date": "2026-12-20",
        "budget_sek": "150000",
        "participants_reached": "40",
        "lessons": "",
    }
    data.update(overrides)
    return data


def test_staff_create_a_pilot_in_their_area_starting_as_an_idea(client, staff_seved, seved):
    theme = ThemeFactory()
    client.force_login(staff_seved)

    response = client.post(reverse("pilots:create"), pilot_data(seved, themes=[theme.pk]))

    pilot = Pilot.objects.get(title="Läxhjälp på biblioteket")
    assert response.status_code == 302
    assert response["Location"] == pilot.get_absolute_url()
    assert pilot.slug == "laxhjalp-pa-biblioteket"
    assert pilot.stage == Stage.IDEA
    assert pilot.lead == staff_seved
    assert list(pilot.themes.all()) == [theme]
    assert pilot.history.earliest().history_type == "+", "the creation is in the history"


def test_two_pilots_with_the_same_title_get_different_addresses(client, staff_seved, seved):
    client.force_login(staff_seved)
    client.post(reverse("pilots:create"), pilot_data(seved))
    client.post(reverse("pilots:create"), pilot_data(seved))
    assert sorted(Pilot.objects.values_list("slug", flat=True)) == [
        "laxhjalp-pa-biblioteket",
        "laxhjalp-pa-biblioteket-2",
    ]


def test_a_pilot_cannot_be_created_in_another_area(client, staff_seved, lindangen):
    client.force_login(staff_seved)
    response = client.post(reverse("pilots:create"), pilot_data(lindangen))
    assert response.status_code == 200
    assert "area" in response.context["form"].errors
    assert not Pilot.objects.exists()


def test_officials_cannot_create_pilots(client, official):
    client.force_login(official)
    assert client.get(reverse("pilots:create")).status_code == 403


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def closed_area(db):
    return AreaFactory(slug="closed-area", name="Nedlagt område", is_active=False)


def test_a_superuser_without_an_area_may_create_a_pilot_in_any_active_area(
    client, superuser, closed_area, lindangen
):
    client.force_login(superuser)

    offered = set(client.get(reverse("pilots:create")).context["form"].fields["area"].queryset)
    response = client.post(reverse("pilots:create"), pilot_data(lindangen))

    assert offered == set(Area.objects.filter(is_active=True))
    assert closed_area not in offered
    assert response.status_code == 302
    assert Pilot.objects.get().area == lindangen


def test_a_superuser_edits_a_pilot_of_any_area_and_may_choose_among_every_active_one(
    client, superuser, closed_area, seved, lindangen
):
    pilot = PilotFactory(area=closed_area)
    client.force_login(superuser)
    url = reverse("pilots:edit", args=[pilot.slug])

    offered = set(client.get(url).context["form"].fields["area"].queryset)
    response = client.post(url, pilot_data(closed_area, title="Nytt namn", version=pilot.version))

    assert offered == set(Area.objects.filter(is_active=True)) | {closed_area}, "its own too"
    assert response.status_code == 302
    pilot.refresh_from_db()
    assert (pilot.title, pilot.area) == ("Nytt namn", closed_area)
    moved = client.post(url, pilot_data(seved, version=pilot.version))
    assert moved.status_code == 302
    pilot.refresh_from_db()
    assert pilot.area == seved


BUDGET_LIMIT = {
    "en": "Enter a budget of at most 100 billion kronor.",
    "sv": "Ange en budget på högst 100 miljarder kronor.",
}
PARTICIPANTS_LIMIT = {
    "en": "Enter at most 10 million participants.",
    "sv": "Ange högst 10 miljoner deltagare.",
}


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(
    ("field", "value", "messages"),
    [
        pytest.param("budget_sek", "100000000001", BUDGET_LIMIT, id="budget-just-over"),
        pytest.param("budget_sek", "9" * 24, BUDGET_LIMIT, id="budget-24-digits"),
        pytest.param(
            "budget_sek", " 1" + "0" * 30 + ".00 ", BUDGET_LIMIT, id="budget-31-digits.00"
        ),
        pytest.param("budget_sek", "9" * 5000, BUDGET_LIMIT, id="budget-5000-digits"),
        pytest.param("participants_reached", "10000001", PARTICIPANTS_LIMIT, id="people-just-over"),
        pytest.param("participants_reached", "9" * 24, PARTICIPANTS_LIMIT, id="people-24-digits"),
        pytest.param(
            "participants_reached", "9" * 5000, PARTICIPANTS_LIMIT, id="people-5000-digits"
        ),
    ],
)
def test_too_large_numbers_get_the_portals_own_limit_in_either_language(
    client, staff_seved, seved, settings, language, field, value, messages
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(staff_seved)

    response = client.post(reverse("pilots:create"), pilot_data(seved, **{field: value}))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [messages[language]]
    assert messages[language] in response.content.decode()
    assert not Pilot.objects.exists()


@pytest.mark.parametrize("field", ["budget_sek", "participants_reached"])
def test_a_hugely_negative_number_is_refused_as_below_zero(client, staff_seved, seved, field):
    client.force_login(staff_seved)
    response = client.post(reverse("pilots:create"), pilot_data(seved, **{field: "-" + "9" * 5000}))
    assert response.status_code == 200
    assert response.context["form"].errors[field][0].endswith(" 0.")
    assert not Pilot.objects.exists()


def test_numbers_up_to_the_limits_are_saved_leading_zeros_too(client, staff_seved, seved):
    client.force_login(staff_seved)
    data = pilot_data(seved, budget_sek="100000000000", participants_reached="0" * 40 + "10000000")

    response = client.post(reverse("pilots:create"), data)

    assert response.status_code == 302
    pilot = Pilot.objects.get()
    assert (pilot.budget_sek, pilot.participants_reached) == (100_000_000_000, 10_000_000)


def test_reversed_dates_are_refused_next_to_the_field_and_the_text_is_kept(
    client, staff_seved, seved
):
    client.force_login(staff_seved)
    response = client.post(
        reverse("pilots:create"),
        pilot_data(seved, start_date="2026-05-01", end_date="2026-01-01", need="Behovet <b>"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end_date"]
    html = response.content.decode()
    assert 'id="form-errors"' in html, "a summary at the top"
    assert "Behovet &lt;b&gt;" in html, "what was typed is kept, escaped"
    assert not Pilot.objects.exists()


def test_editing_saves_changes_and_moves_the_version_on(client, staff_seved, seved):
    pilot = PilotFactory(area=seved, lead=staff_seved)
    client.force_login(staff_seved)
    data = pilot_data(seved, title="Nytt namn", version=pilot.version, lead=staff_seved.pk)

    response = client.post(reverse("pilots:edit", args=[pilot.slug]), data)

    assert response.status_code == 302
    pilot.refresh_from_db()
    assert pilot.title == "Nytt namn"
    assert pilot.version == 2


def test_a_second_concurrent_save_is_refused_and_keeps_the_users_text(
    client, staff_seved, seved, make_user
):
    pilot = PilotFactory(area=seved, title="Original")
    colleague = make_user("colleague", area=seved)
    opened_version = pilot.version
    other = client.__class__()
    other.force_login(colleague)
    other.post(
        reverse("pilots:edit", args=[pilot.slug]),
        pilot_data(seved, title="Kollegans titel", version=opened_version),
    )
    client.force_login(staff_seved)

    response = client.post(
        reverse("pilots:edit", args=[pilot.slug]),
        pilot_data(seved, title="Min titel", version=opened_version),
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="Min titel"' in response.content.decode()
    pilot.refresh_from_db()
    assert pilot.title == "Kollegans titel", "nothing was silently overwritten"


@pytest.mark.parametrize("who", ["staff_lindangen", "official"])
def test_other_areas_and_officials_get_403_on_edit_pages(client, request, seved, who, make_user):
    if who == "staff_lindangen":
        from areas.models import Area

        user = make_user(who, area=Area.objects.get(slug="lindangen"))
    else:
        user = request.getfixturevalue(who)
    pilot = PilotFactory(area=seved)
    client.force_login(user)
    assert client.get(reverse("pilots:edit", args=[pilot.slug])).status_code == 403
    assert client.post(reverse("pilots:edit", args=[pilot.slug]), {}).status_code == 403
    assert client.post(reverse("pilots:archive", args=[pilot.slug]), {}).status_code == 403


def test_edit_pages_of_unknown_pilots_answer_404_and_anonymous_users_go_to_login(
    client, staff_seved
):
    assert client.get(reverse("pilots:create")).status_code == 302
    client.force_login(staff_seved)
    assert client.get(reverse("pilots:edit", args=["finns-inte"])).status_code == 404


def test_only_leads_archive_and_only_after_confirming(client, staff_seved, lead_seved, seved):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)
    assert client.get(reverse("pilots:archive", args=[pilot.slug])).status_code == 403

    client.force_login(lead_seved)
    unconfirmed = client.post(reverse("pilots:archive", args=[pilot.slug]), {})
    assert unconfirmed.status_code == 200
    pilot.refresh_from_db()
    assert pilot.archived_at is None

    confirmed = client.post(reverse("pilots:archive", args=[pilot.slug]), {"confirm": "on"})
    assert confirmed.status_code == 302
    pilot.refresh_from_db()
    assert pilot.archived_at is not None
    assert pilot not in client.get(reverse("pilots:list")).context["page"].object_list
    assert client.get(pilot.get_absolute_url()).status_code == 200, "still readable"
    assert client.get(reverse("pilots:edit", args=[pilot.slug])).status_code == 403


def test_list_filters_by_theme_evidence_and_free_text_and_sorts(client, official, seved):
    theme = ThemeFactory()
    match = PilotFactory(area=seved, title="Simning för kvinnor", evidence_level=3)
    match.themes.add(theme)
    PilotFactory(area=seved, title="Simning för barn", evidence_level=1)
    PilotFactory(area=seved, title="Jobbmatchning", evidence_level=3)
    client.force_login(official)

    response = client.get(
        reverse("pilots:list"), {"theme": theme.slug, "evidence_level": "3", "q": "simning"}
    )
    assert list(response.context["page"].object_list) == [match]

    by_title = client.get(reverse("pilots:list"), {"sort": "title"}).context["page"].object_list
    assert [pilot.title for pilot in by_title] == sorted(pilot.title for pilot in by_title)


def test_home_lists_what_needs_attention(client, staff_seved, seved):
    today = timezone.localdate()
    stale = PilotFactory(area=seved, stage=Stage.PILOT, title="Gammal data")
    IndicatorFactory(pilot=stale, latest_period_end=today - timedelta(days=200))
    fresh = PilotFactory(area=seved, stage=Stage.PILOT, title="Färsk data")
    IndicatorFactory(
        pilot=fresh,
        latest_period_end=today - timedelta(days=5),
        baseline_value=1,
        target_value=2,
    )
    overdue = PilotFactory(area=seved, stage=Stage.PROTOTYPE, end_date=today - timedelta(days=1))
    no_target = IndicatorFactory(pilot=fresh, baseline_value=1, target_value=None)
    client.force_login(staff_seved)

    context = client.get(reverse("home")).context

    assert stale in context["stale"]
    assert fresh not in context["stale"]
    assert list(context["overdue"]) == [overdue]
    assert no_target in context["incomplete"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    title=st.text(max_size=400),
    need=st.text(max_size=300) | st.just("x" * 20_000),
    budget=st.sampled_from(["", "-1", "1e99", "NaN", "12,5", "99999999999999999999", "7"]),
    start=st.sampled_from(["", "2026-02-30", "not a date", "2026-01-01", "0001-01-01"]),
    end=st.sampled_from(["", "2025-01-01", "9999-12-31", "2026-13-01"]),
    themes=st.lists(st.sampled_from(["", "-1", "abc", "999999"]), max_size=3),
)
def test_hostile_pilot_forms_get_a_message_never_a_500_and_write_nothing_half_way(
    client, staff_seved, seved, title, need, budget, start, end, themes
):
    client.force_login(staff_seved)
    before = Pilot.objects.count()
    data = pilot_data(
        seved,
        title=title,
        need=need,
        budget_sek=budget,
        start_date=start,
        end_date=end,
        themes=themes,
    )
    response = client.post(reverse("pilots:create"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors
        assert Pilot.objects.count() == before
    else:
        created = Pilot.objects.latest("id")
        assert created.title == title.strip()


def test_home_and_filtered_list_keep_their_query_count_as_attention_items_grow(
    client, staff_seved, seved, django_assert_num_queries
):
    client.force_login(staff_seved)
    theme = ThemeFactory()
    list_url = reverse("pilots:list") + f"?area=seved&theme={theme.slug}&sort=-title&q=pilot"

    def add_rows(count: int) -> None:
        for _ in range(count):
            pilot = PilotFactory(
                area=seved,
                stage=Stage.PILOT,
                end_date=timezone.localdate() - timedelta(days=3),
            )
            pilot.themes.add(theme)
            IndicatorFactory(pilot=pilot, baseline_value=None)

    add_rows(1)
    # session, user, memberships, groups, areas, my pilots, stale, overdue, incomplete
    with django_assert_num_queries(9):
        client.get(reverse("home"))
    # session, user, memberships, area and theme choices for the filter form, count, page
    with django_assert_num_queries(9):
        client.get(list_url)
    add_rows(25)
    with django_assert_num_queries(9):
        client.get(reverse("home"))
    with django_assert_num_queries(9):
        client.get(list_url)
