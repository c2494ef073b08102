"""Home, the pilot list and a pilot's page: they work, need login and keep query counts flat."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from pilots.models import Pilot, PilotUpdate
from tests.factories import (
    IndicatorFactory,
    PilotFactory,
    PilotUpdateFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def test_home_lists_the_pilots_of_my_areas_only(client, staff_seved, seved, lindangen):
    mine = PilotFactory(area=seved, title="Läxhjälp i Seved")
    PilotFactory(area=lindangen, title="Jobbmatchning i Lindängen")
    client.force_login(staff_seved)

    response = client.get(reverse("home"))

    assert list(response.context["my_pilots"]) == [mine]
    assert "Jobbmatchning i Lindängen" not in response.content.decode()


def test_home_tells_a_user_without_an_area_that_they_can_read_everything(
    client, make_user, english
):
    client.force_login(make_user("reader"))
    response = client.get(reverse("home"))
    assert "You are not a member of any area team" in response.content.decode()


def test_pilot_list_shows_active_pilots_of_every_area_and_filters_by_area_and_stage(
    client, staff_seved, seved, lindangen
):
    seved_pilot = PilotFactory(area=seved, stage="pilot")
    PilotFactory(area=seved, stage="idea")
    other = PilotFactory(area=lindangen, stage="pilot")
    archived = PilotFactory(area=seved, stage="pilot", archived_at=timezone.now())
    client.force_login(staff_seved)

    everything = client.get(reverse("pilots:list")).context["page"].object_list
    assert {seved_pilot, other} <= set(everything)
    assert archived not in everything

    filtered = client.get(reverse("pilots:list"), {"area": "seved", "stage": "pilot"})
    assert list(filtered.context["page"].object_list) == [seved_pilot]

    unknown = client.get(reverse("pilots:list"), {"area": "atlantis", "stage": "pilot"})
    assert unknown.status_code == 200
    assert unknown.context["filter"].form.errors["area"], "the bad filter is reported"
    assert set(unknown.context["page"].object_list) == {seved_pilot, other}, "the rest applies"


def test_pilot_list_paginates_and_keeps_the_filters_in_page_links(client, staff_seved, seved):
    PilotFactory.create_batch(30, area=seved)
    client.force_login(staff_seved)

    first = client.get(reverse("pilots:list"), {"area": "seved"})
    assert len(first.context["page"].object_list) == 25
    assert "?area=seved&amp;page=2" in first.content.decode()
    second = client.get(reverse("pilots:list"), {"area": "seved", "page": "2"})
    assert len(second.context["page"].object_list) == 5
    nonsense = client.get(reverse("pilots:list"), {"page": "<script>"})
    assert nonsense.status_code == 200


@pytest.mark.parametrize("url_name", ["home", "pilots:list"])
def test_lists_use_the_same_queries_for_few_and_many_pilots(
    client, staff_seved, seved, url_name, django_assert_num_queries
):
    client.force_login(staff_seved)
    PilotFactory(area=seved)
    with django_assert_num_queries(_count(client, reverse(url_name))) as few:
        client.get(reverse(url_name))
    PilotFactory.create_batch(40, area=seved)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse(url_name))


def _count(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        client.get(url)
    return len(context.captured_queries)


def test_pilot_page_shows_need_indicators_journal_and_facts(client, official, seved, english):
    pilot = PilotFactory(area=seved, need="Unga saknar sommarjobb", budget_sek=250000)
    theme = ThemeFactory()
    pilot.themes.add(theme)
    indicator = IndicatorFactory(pilot=pilot, baseline_value=10, target_value=40)
    PilotUpdateFactory(pilot=pilot, kind="lesson", body="Börja i liten skala.")
    client.force_login(official)

    response = client.get(pilot.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Unga saknar sommarjobb" in html
    assert indicator.definition.label in html
    assert "Börja i liten skala." in html
    assert "250,000 kr" in html
    assert response.context["can_edit"] is False, "officials read but never edit"


PERIODS = [
    # start, end, what the English page says
    (dt.date(2026, 3, 1), dt.date(2026, 6, 30), "1 Mar 2026 – 30 Jun 2026"),
    (dt.date(2026, 3, 1), None, "From 1 Mar 2026, ongoing"),
    (None, dt.date(2026, 6, 30), "Until 30 Jun 2026"),
    (None, None, "Not set"),
]


def period_shown(html: str) -> str:
    """The period in the facts list ("Period" is the same word in both languages)."""
    return re.search(r"<dt>Period</dt><dd>(.*?)</dd>", html, re.DOTALL)[1].strip()


@pytest.mark.parametrize(("start", "end", "expected"), PERIODS)
def test_pilot_page_says_the_period_plainly_whichever_dates_are_missing(
    client, official, seved, english, start, end, expected
):
    pilot = PilotFactory(area=seved, start_date=start, end_date=end)
    client.force_login(official)
    html = client.get(pilot.get_absolute_url()).content.decode()
    assert period_shown(html) == expected


def test_pilot_page_shows_no_question_mark_for_a_missing_start_in_swedish(client, official, seved):
    pilot = PilotFactory(area=seved, start_date=None, end_date=None)
    client.force_login(official)
    html = client.get(pilot.get_absolute_url()).content.decode()
    assert "?" not in period_shown(html)
    assert "pågår" not in period_shown(html)


def test_pilot_page_formats_numbers_the_swedish_way_by_default(client, official, seved):
    pilot = PilotFactory(area=seved, budget_sek=250000)
    client.force_login(official)
    html = client.get(pilot.get_absolute_url()).content.decode()
    assert "250\xa0000 kr" in html


def test_pilot_page_lets_area_staff_edit_but_not_other_areas(client, staff_seved, seved, lindangen):
    client.force_login(staff_seved)
    own = PilotFactory(area=seved)
    other = PilotFactory(area=lindangen)
    assert client.get(own.get_absolute_url()).context["can_edit"] is True
    assert client.get(other.get_absolute_url()).context["can_edit"] is False


def test_pilot_page_escapes_html_written_by_users(client, staff_seved, seved):
    pilot = PilotFactory(area=seved, need="<script>alert(1)</script>")
    client.force_login(staff_seved)
    html = client.get(pilot.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_unknown_pilot_answers_404(client, staff_seved):
    client.force_login(staff_seved)
    assert client.get(reverse("pilots:detail", args=["finns-inte"])).status_code == 404


def test_pilot_page_uses_the_same_queries_for_few_and_many_rows(client, staff_seved, seved):
    client.force_login(staff_seved)
    pilot = PilotFactory(area=seved)
    IndicatorFactory(pilot=pilot)
    PilotUpdateFactory(pilot=pilot)
    few = _count(client, pilot.get_absolute_url())
    for _ in range(6):
        IndicatorFactory(pilot=pilot)
    PilotUpdateFactory.create_batch(10, pilot=pilot)
    for _ in range(3):
        pilot.themes.add(ThemeFactory())
        PilotFactory(area=seved, adapted_from=pilot)
    assert _count(client, pilot.get_absolute_url()) == few


def test_officials_start_on_the_city_dashboard(client, official):
    client.force_login(official)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "pilots/dashboard.html" in [template.name for template in response.templates]


@pytest.mark.parametrize("url_name", ["home", "pilots:list", "pilots:detail"])
def test_read_only_pages_refuse_a_post_and_change_nothing(client, lead_seved, seved, url_name):
    pilot = PilotFactory(area=seved, title="Läxhjälp i Seved")
    args = [pilot.slug] if url_name == "pilots:detail" else []
    url = reverse(url_name, args=args)
    client.force_login(lead_seved)
    before = (Pilot.objects.count(), pilot.history.count(), PilotUpdate.objects.count())

    response = client.post(url, {"title": "Kapad", "kind": "progress", "body": "Hej"})

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    pilot.refresh_from_db()
    assert (pilot.title, pilot.version) == ("Läxhjälp i Seved", 1)
    assert (Pilot.objects.count(), pilot.history.count(), PilotUpdate.objects.count()) == before
    assert client.head(url).status_code == 200, "HEAD is still answered like GET"
