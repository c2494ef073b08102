"""The area list and an area's page: context statistics and pilot counts."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from areas.models import Area
from tests.factories import AreaStatisticFactory, PilotFactory, StatisticKindFactory

pytestmark = pytest.mark.django_db


def test_data_migration_created_the_four_programme_areas():
    slugs = set(Area.objects.values_list("slug", flat=True))
    assert {"herrgarden", "holma-kroksback", "lindangen", "seved"} <= slugs


def test_area_list_shows_every_active_area_with_its_pilot_count(client, staff_seved, seved):
    PilotFactory.create_batch(3, area=seved)
    PilotFactory(area=seved, archived_at=timezone.now())
    hidden = Area.objects.create(name="Nedlagt område", slug="nedlagt", is_active=False)
    client.force_login(staff_seved)

    response = client.get(reverse("areas:list"))

    assert response.status_code == 200
    areas = {area.slug: area for area in response.context["areas"]}
    assert areas["seved"].pilot_count == 3, "archived pilots are not counted"
    assert hidden.slug not in areas
    assert "Herrgården" in response.content.decode()


def test_area_list_uses_the_same_queries_for_few_and_many_pilots(
    client, staff_seved, seved, lindangen, django_assert_num_queries
):
    client.force_login(staff_seved)
    PilotFactory(area=seved)
    # session, user, memberships, areas with counts
    with django_assert_num_queries(4):
        client.get(reverse("areas:list"))
    PilotFactory.create_batch(30, area=lindangen)
    with django_assert_num_queries(4):
        client.get(reverse("areas:list"))


def test_area_page_shows_context_statistics_by_year_marked_as_context(
    client, staff_seved, seved, english
):
    kind = StatisticKindFactory(name="Arbetslöshet", name_en="Unemployment rate", unit="%")
    AreaStatisticFactory(area=seved, kind=kind, year=2022, value="33.10")
    AreaStatisticFactory(area=seved, kind=kind, year=2023, value="30.40")
    client.force_login(staff_seved)

    response = client.get(reverse("areas:detail", args=["seved"]))

    assert response.status_code == 200
    table = response.context["statistics"]
    assert table["years"] == [2022, 2023]
    assert [str(value) for value in table["rows"][0]["cells"]] == ["33.10", "30.40"]
    html = response.content.decode()
    assert "Unemployment rate" in html
    assert "not results of any pilot" in html


def test_area_page_counts_pilots_by_stage_and_links_to_the_filtered_list(
    client, staff_seved, seved
):
    PilotFactory.create_batch(2, area=seved, stage="pilot")
    PilotFactory(area=seved, stage="idea")
    client.force_login(staff_seved)

    response = client.get(reverse("areas:detail", args=["seved"]))

    counts = {row["code"]: row["count"] for row in response.context["stage_counts"]}
    assert counts["pilot"] == 2
    assert counts["idea"] == 1
    assert counts["scaling"] == 0
    assert response.context["pilot_total"] == 3
    assert f"{reverse('pilots:list')}?area=seved&amp;stage=pilot" in response.content.decode()


def test_area_page_uses_the_same_queries_for_few_and_many_rows(
    client, staff_seved, seved, django_assert_num_queries
):
    client.force_login(staff_seved)
    kind = StatisticKindFactory()
    AreaStatisticFactory(area=seved, kind=kind, year=2020)
    PilotFactory(area=seved)
    # session, user, area, stage counts, statistics, recent pilots, memberships
    with django_assert_num_queries(7):
        client.get(reverse("areas:detail", args=["seved"]))
    for year in range(2010, 2020):
        AreaStatisticFactory(area=seved, kind=kind, year=year)
    PilotFactory.create_batch(20, area=seved)
    with django_assert_num_queries(7):
        client.get(reverse("areas:detail", args=["seved"]))


def test_an_unknown_area_answers_404(client, staff_seved):
    client.force_login(staff_seved)
    assert client.get(reverse("areas:detail", args=["atlantis"])).status_code == 404


def test_an_official_sees_an_area_without_a_membership_badge(client, official, seved, english):
    client.force_login(official)
    response = client.get(reverse("areas:detail", args=["seved"]))
    assert response.status_code == 200
    assert response.context["role"] is None
    assert "Your area" not in response.content.decode()


def _areas_as_stored() -> list[tuple]:
    return list(Area.objects.order_by("pk").values_list("pk", "name", "population", "is_active"))


@pytest.mark.parametrize("url_name", ["areas:list", "areas:detail"])
def test_area_pages_refuse_a_post_and_change_nothing(client, lead_seved, seved, url_name):
    url = reverse(url_name, args=[seved.slug] if url_name == "areas:detail" else [])
    before = (_areas_as_stored(), seved.history.count())
    client.force_login(lead_seved)

    response = client.post(url, {"name": "Kapat", "population": "1", "is_active": ""})

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert (_areas_as_stored(), seved.history.count()) == before
