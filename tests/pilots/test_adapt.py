"""Adapting a pilot to my area: the pilot_adapt service and the /pilots/<slug>/adapt/ page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from areas.models import Area, Membership
from pilots import services
from pilots.models import Indicator, Pilot, Stage
from tests.factories import (
    AreaFactory,
    IndicatorDefinitionFactory,
    IndicatorFactory,
    PartnerFactory,
    PilotFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOTES = "Vi behåller läxhjälpen, men kör den på biblioteket i stället för i skolan."


@pytest.fixture
def original(lindangen):
    pilot = PilotFactory(
        area=lindangen,
        title="Läxhjälp i Lindängen",
        need="Barn saknar en lugn plats för läxor.",
        summary="Läxhjälp två kvällar i veckan.",
        approach="Studenter hjälper till i skolans bibliotek.",
        target_group="Barn i årskurs 4–9",
        stage=Stage.SCALING,
        evidence_level=3,
    )
    pilot.themes.add(ThemeFactory(), ThemeFactory())
    pilot.partners.add(PartnerFactory(name="Läxhjälpsföreningen"))
    for code in ("adapt-reached", "adapt-grades"):
        IndicatorFactory(pilot=pilot, definition=IndicatorDefinitionFactory(code=code))
    return pilot


def adapt(original, area, user, **overrides):
    arguments = {
        "original": original,
        "area": area,
        "user": user,
        "title": f"{original.title} – {area.name}",
        "need": original.need,
        "approach": original.approach,
        "adaptation_notes": NOTES,
        "copy_partners": False,
    }
    return services.pilot_adapt(**(arguments | overrides))


def form_data(target, **overrides):
    data = {
        "area": target.pk,
        "title": "Läxhjälp i Seved",
        "need": "Barn i Seved saknar en lugn plats för läxor.",
        "summary": "",
        "approach": "På biblioteket.",
        "target_group": "",
        "adaptation_notes": NOTES,
    }
    return data | overrides


# --- The service -------------------------------------------------------------------------


def test_pilot_adapt_copies_the_original_as_a_new_idea_with_lineage(original, seved, staff_seved):
    pilot = adapt(original, seved, staff_seved, summary=original.summary)

    pilot.refresh_from_db()
    assert pilot.area == seved
    assert pilot.adapted_from == original
    assert pilot.adaptation_notes == NOTES
    assert pilot.stage == Stage.IDEA
    assert pilot.evidence_level == 1, "evidence does not travel: the new area builds its own"
    assert pilot.lead == staff_seved
    assert pilot.need == original.need
    assert pilot.summary == original.summary
    assert pilot.slug != original.slug
    assert set(pilot.themes.all()) == set(original.themes.all())
    assert list(original.adaptations.all()) == [pilot]


def test_pilot_adapt_follows_the_same_definitions_with_empty_baselines_and_targets(
    original, seved, staff_seved
):
    pilot = adapt(original, seved, staff_seved)

    copied = list(pilot.indicators.order_by("definition__code"))
    assert [indicator.definition.code for indicator in copied] == ["adapt-grades", "adapt-reached"]
    for indicator in copied:
        assert indicator.baseline_value is None
        assert indicator.baseline_date is None
        assert indicator.target_value is None
        assert indicator.target_date is None
        assert indicator.status == Indicator.Status.NO_DATA
        assert indicator.history.count() == 1, "the copy is in the indicator's history"
    assert original.indicators.filter(baseline_value__isnull=False).count() == 2, "untouched"


def test_pilot_adapt_brings_the_partners_only_when_asked(original, seved, staff_seved):
    without = adapt(original, seved, staff_seved)
    with_partners = adapt(original, seved, staff_seved, copy_partners=True)

    assert not without.partners.exists()
    assert [partner.name for partner in with_partners.partners.all()] == ["Läxhjälpsföreningen"]


def test_pilot_adapt_takes_the_themes_it_is_given(original, seved, staff_seved):
    theme = ThemeFactory()
    pilot = adapt(original, seved, staff_seved, themes=[theme])
    assert list(pilot.themes.all()) == [theme]


def test_pilot_adapt_allows_a_second_adaptation_into_the_same_area(original, seved, staff_seved):
    first = adapt(original, seved, staff_seved)
    second = adapt(original, seved, staff_seved)

    assert first.slug != second.slug
    assert set(original.adaptations.all()) == {first, second}


def test_pilot_adapt_writes_nothing_when_a_step_fails_half_way(
    original, seved, staff_seved, monkeypatch
):
    pilots_before, indicators_before = Pilot.objects.count(), Indicator.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away while copying the indicators")

    # The pilot, its themes and partners are written by then; the indicators fail.
    monkeypatch.setattr(services, "bulk_create_with_history", broken)
    with pytest.raises(RuntimeError):
        adapt(original, seved, staff_seved, copy_partners=True)

    assert Pilot.objects.count() == pilots_before
    assert Indicator.objects.count() == indicators_before
    assert not original.adaptations.exists()
    assert Pilot.themes.through.objects.filter(pilot__area=seved).count() == 0
    assert Pilot.history.filter(area=seved).count() == 0


def test_pilot_adapt_refuses_the_original_area_and_missing_notes(original, lindangen, seved):
    user = original.lead
    with pytest.raises(services.AdaptationRefusedError):
        adapt(original, lindangen, user)
    with pytest.raises(services.AdaptationRefusedError):
        adapt(original, seved, user, adaptation_notes="   ")
    assert not original.adaptations.exists()


# --- The page ----------------------------------------------------------------------------


def test_adapt_page_is_filled_in_from_the_original(client, original, staff_seved, english):
    client.force_login(staff_seved)

    response = client.get(reverse("pilots:adapt", args=[original.slug]))

    assert response.status_code == 200
    form = response.context["form"]
    assert form["title"].value() == "Läxhjälp i Lindängen – Seved"
    assert form["need"].value() == original.need
    assert form["approach"].value() == original.approach
    assert form["target_group"].value() == original.target_group
    assert set(form["themes"].value()) == {theme.pk for theme in original.themes.all()}
    assert [area.slug for area in form.fields["area"].queryset] == ["seved"]
    page = response.content.decode()
    assert "What is kept? What changes? Why?" in page
    assert "Bring the partners along" in page
    assert "Läxhjälpsföreningen" in page
    assert "already been adapted" not in page


def test_adapting_creates_the_pilot_and_goes_to_it(client, original, staff_seved, seved):
    client.force_login(staff_seved)

    response = client.post(
        reverse("pilots:adapt", args=[original.slug]), form_data(seved, bring_partners="on")
    )

    pilot = original.adaptations.get()
    assert response.status_code == 302
    assert response.url == pilot.get_absolute_url()
    assert (pilot.area, pilot.lead, pilot.stage) == (seved, staff_seved, Stage.IDEA)
    assert pilot.title == "Läxhjälp i Seved"
    assert pilot.indicators.count() == 2
    assert pilot.partners.count() == 1
    assert not pilot.themes.exists(), "the user unticked every theme"


def test_a_lead_of_another_area_may_adapt_into_their_own_area(client, original, lead_seved, seved):
    client.force_login(lead_seved)
    response = client.post(reverse("pilots:adapt", args=[original.slug]), form_data(seved))
    assert response.status_code == 302
    assert original.adaptations.get().area == seved


def test_officials_may_not_adapt(client, original, official, seved):
    client.force_login(official)
    url = reverse("pilots:adapt", args=[original.slug])
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(seved)).status_code == 403
    assert not original.adaptations.exists()


def test_adapting_requires_login(client, original, seved):
    url = reverse("pilots:adapt", args=[original.slug])
    response = client.post(url, form_data(seved))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not original.adaptations.exists()


def test_adapting_an_unknown_pilot_answers_404(client, staff_seved):
    client.force_login(staff_seved)
    assert client.get(reverse("pilots:adapt", args=["finns-inte"])).status_code == 404


def test_adapting_into_an_area_where_i_am_not_a_member_answers_403(client, original, staff_seved):
    client.force_login(staff_seved)
    herrgarden = AreaFactory(slug="herrgarden", name="Herrgården")
    url = reverse("pilots:adapt", args=[original.slug])

    assert client.post(url, form_data(herrgarden)).status_code == 403
    assert client.post(url, form_data(herrgarden, area="999999")).status_code == 403
    assert not original.adaptations.exists()


def test_the_original_area_is_not_offered_a_new_iteration_is_a_stage_decision(
    client, make_user, original, lindangen, seved, english
):
    # A member of both areas adapts only into the other one.
    both = make_user("staff-both", area=lindangen)
    Membership.objects.create(user=both, area=seved)
    client.force_login(both)
    url = reverse("pilots:adapt", args=[original.slug])

    form = client.get(url).context["form"]
    assert list(form.fields["area"].queryset) == [seved]
    response = client.post(url, form_data(lindangen))
    assert response.status_code == 200
    assert "record a stage decision to iterate" in str(response.context["form"].errors["area"])
    assert not original.adaptations.exists()


def test_staff_of_the_original_area_only_are_not_offered_adapting_and_are_refused(
    client, make_user, original, lindangen
):
    # Their only area is the original's: in it a new try is a stage decision, not a new pilot.
    client.force_login(make_user("staff-lindangen", area=lindangen))
    url = reverse("pilots:adapt", args=[original.slug])

    page = client.get(original.get_absolute_url())

    assert page.context["can_adapt"] is False
    assert url not in page.content.decode()
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(lindangen)).status_code == 403
    assert not original.adaptations.exists()


def test_the_pilot_page_links_to_adapting_for_members_of_another_area(
    client, original, staff_seved
):
    client.force_login(staff_seved)
    url = reverse("pilots:adapt", args=[original.slug])

    page = client.get(original.get_absolute_url())

    assert page.context["can_adapt"] is True
    assert url in page.content.decode()
    assert client.get(url).status_code == 200


def test_a_member_whose_other_area_is_inactive_is_not_offered_adapting(
    client, make_user, original, lindangen
):
    user = make_user("staff-lindangen-and-closed", area=lindangen)
    closed = AreaFactory(slug="closed-area", name="Nedlagt område", is_active=False)
    Membership.objects.create(user=user, area=closed)
    client.force_login(user)
    url = reverse("pilots:adapt", args=[original.slug])

    assert url not in client.get(original.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(closed)).status_code == 403
    assert not original.adaptations.exists()


def test_a_superuser_without_an_area_adapts_into_any_active_area_but_the_originals(
    client, original, lindangen
):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    AreaFactory(slug="closed-area", is_active=False)
    herrgarden = Area.objects.get(slug="herrgarden")
    client.force_login(superuser)
    url = reverse("pilots:adapt", args=[original.slug])

    assert url in client.get(original.get_absolute_url()).content.decode()
    form = client.get(url).context["form"]
    offered = set(form.fields["area"].queryset)
    assert offered == set(Area.objects.filter(is_active=True).exclude(pk=lindangen.pk))

    response = client.post(url, form_data(herrgarden))

    assert response.status_code == 302
    pilot = original.adaptations.get()
    assert (pilot.area, pilot.lead) == (herrgarden, superuser)


def test_adaptation_notes_are_required(client, original, staff_seved, seved, english):
    client.force_login(staff_seved)
    response = client.post(
        reverse("pilots:adapt", args=[original.slug]), form_data(seved, adaptation_notes="  ")
    )
    assert response.status_code == 200
    assert "what is kept, what changes and why" in response.content.decode()
    assert not original.adaptations.exists()


def test_the_page_warns_when_my_area_already_has_an_adaptation(
    client, original, staff_seved, seved, english
):
    existing = PilotFactory(area=seved, adapted_from=original, title="Läxhjälp på Seveds bibliotek")
    PilotFactory(area=AreaFactory(slug="herrgarden"), adapted_from=original, title="I Herrgården")
    client.force_login(staff_seved)
    url = reverse("pilots:adapt", args=[original.slug])

    page = client.get(url).content.decode()
    assert "This pilot has already been adapted in your area" in page
    assert existing.get_absolute_url() in page
    assert "I Herrgården" not in page, "only my areas' adaptations are a warning"

    with_error = client.post(url, form_data(seved, adaptation_notes="")).content.decode()
    assert existing.get_absolute_url() in with_error

    assert client.post(url, form_data(seved)).status_code == 302, "adapting again is allowed"
    assert original.adaptations.filter(area=seved).count() == 2


def test_an_archived_pilot_can_still_be_adapted(client, original, staff_seved, seved, english):
    original.archived_at = timezone.now()
    original.save()
    client.force_login(staff_seved)
    url = reverse("pilots:adapt", args=[original.slug])

    assert "The original pilot is archived" in client.get(url).content.decode()
    assert client.post(url, form_data(seved)).status_code == 302
    assert original.adaptations.get().archived_at is None


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    # Half the posts aim at my own area, so some succeed and are checked whole.
    area=st.just("mine")
    | st.sampled_from(["original", "", "abc", "-1", "999999", "9" * 5000, "１", "1.5"]),
    title=st.text(max_size=300),
    need=st.text(max_size=200) | st.sampled_from(["x" * 20_000, "Barn saknar läxhjälp."]),
    notes=st.text(max_size=200) | st.sampled_from(["", " \n ", "\x00", NOTES]),
    themes=st.lists(st.sampled_from(["", "-1", "abc", "999999", "theme"]), max_size=3),
    partners=st.sampled_from(["", "on", "nej", "\x00"]),
)
def test_hostile_adapt_forms_never_answer_500_nor_write_half_an_adaptation(
    client, original, staff_seved, seved, area, title, need, notes, themes, partners
):
    client.force_login(staff_seved)
    values = {"mine": str(seved.pk), "original": str(original.area_id)}
    theme = str(original.themes.first().pk)
    data = form_data(
        seved,
        area=values.get(area, area),
        title=title,
        need=need,
        adaptation_notes=notes,
        themes=[theme if value == "theme" else value for value in themes],
        bring_partners=partners,
    )
    pilots_before, indicators_before = Pilot.objects.count(), Indicator.objects.count()

    response = client.post(reverse("pilots:adapt", args=[original.slug]), data)

    assert response.status_code in (200, 302, 403)
    if response.status_code == 302:
        created = Pilot.objects.latest("id")
        assert created.adapted_from == original
        assert created.area == seved
        assert created.indicators.count() == 2
        assert Indicator.objects.count() == indicators_before + 2
    else:
        if response.status_code == 200:
            assert response.context["form"].errors
        assert Pilot.objects.count() == pilots_before
        assert Indicator.objects.count() == indicators_before
