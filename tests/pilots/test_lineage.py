"""A pilot's lineage: the tree across areas, the shared indicators and the pilot page's panel."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pilots import lineage
from pilots.models import Indicator, Pilot, Stage
from tests.factories import AreaFactory, IndicatorDefinitionFactory, IndicatorFactory, PilotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas(seved, lindangen):
    return {
        "lindangen": lindangen,
        "seved": seved,
        "herrgarden": AreaFactory(slug="herrgarden", name="Herrgården"),
        "holma": AreaFactory(slug="holma-kroksback", name="Holma-Kroksbäck"),
    }


@pytest.fixture
def tree(areas):
    """Lindängen's original → Seved and Herrgården; Seved's → Holma-Kroksbäck (3 levels)."""
    root = PilotFactory(area=areas["lindangen"], title="Jobbcoacher", stage=Stage.SCALING)
    seved = PilotFactory(area=areas["seved"], adapted_from=root, title="Jobbcoacher i Seved")
    herrgarden = PilotFactory(
        area=areas["herrgarden"],
        adapted_from=root,
        title="Jobbcoacher i Herrgården",
        archived_at=timezone.now(),
    )
    holma = PilotFactory(
        area=areas["holma"],
        adapted_from=seved,
        title="Jobbcoacher i Holma",
        adaptation_notes="Vi behåller coacherna men lägger till språkcafé.",
    )
    return {"root": root, "seved": seved, "herrgarden": herrgarden, "holma": holma}


def shape(node):
    return (node.pilot.title, [shape(child) for child in node.children])


def test_the_tree_is_the_same_from_every_member_of_the_family(tree):
    expected = (
        "Jobbcoacher",
        [
            ("Jobbcoacher i Herrgården", []),
            ("Jobbcoacher i Seved", [("Jobbcoacher i Holma", [])]),
        ],
    )
    for pilot in tree.values():
        found = lineage.lineage_for(pilot)
        assert shape(found.root) == expected
        assert found.size == 4
        assert found.current.pilot == pilot
        assert found.current.is_current
        assert sum(node.is_current for node in _walk(found.root)) == 1


def test_ancestors_run_from_the_root_to_the_parent(tree):
    found = lineage.lineage_for(tree["holma"])
    assert [node.pilot for node in found.ancestors] == [tree["root"], tree["seved"]]
    assert [node.depth for node in _walk(found.root)] == [0, 1, 1, 2]
    assert lineage.lineage_for(tree["root"]).ancestors == []


def test_a_pilot_without_lineage_has_no_panel(areas):
    pilot = PilotFactory(area=areas["seved"])
    PilotFactory(area=areas["seved"])  # unrelated
    assert lineage.lineage_for(pilot) is None


def test_the_steps_nest_every_adaptation_under_its_original(tree):
    steps = [(step.kind, step.node.pilot.title) for step in lineage.lineage_for(tree["root"]).steps]
    assert steps == [
        ("item", "Jobbcoacher"),
        ("open", "Jobbcoacher"),
        ("item", "Jobbcoacher i Herrgården"),
        ("end_item", "Jobbcoacher i Herrgården"),
        ("item", "Jobbcoacher i Seved"),
        ("open", "Jobbcoacher i Seved"),
        ("item", "Jobbcoacher i Holma"),
        ("end_item", "Jobbcoacher i Holma"),
        ("close", "Jobbcoacher i Seved"),
        ("end_item", "Jobbcoacher i Seved"),
        ("close", "Jobbcoacher"),
        ("end_item", "Jobbcoacher"),
    ]


def test_a_cycle_made_in_the_admin_ends_instead_of_looping(areas):
    first = PilotFactory(area=areas["seved"])
    second = PilotFactory(area=areas["lindangen"], adapted_from=first)
    third = PilotFactory(area=areas["holma"], adapted_from=second)
    Pilot.objects.filter(pk=first.pk).update(adapted_from=third)
    first.refresh_from_db()

    for pilot in (first, second, third):
        found = lineage.lineage_for(pilot)
        assert found.size == 3
        assert len(found.steps) == 3 * 2 + 2 * 2, "three items, two nested lists"


def test_each_node_counts_its_indicators_on_track_or_reached(tree):
    for status in ("on_track", "reached", "off_track", "no_data"):
        IndicatorFactory(pilot=tree["seved"], status=status)
    found = lineage.lineage_for(tree["root"])
    seved = next(node for node in _walk(found.root) if node.pilot == tree["seved"])
    assert (seved.good_count, seved.indicator_count) == (2, 4)
    assert (found.root.good_count, found.root.indicator_count) == (0, 0)


def test_the_comparison_takes_the_original_and_its_adaptations_on_shared_indicators(tree):
    shared = IndicatorDefinitionFactory(code="lineage-jobs", unit="personer")
    only_root = IndicatorDefinitionFactory(code="lineage-only-root")
    only_seved = IndicatorDefinitionFactory(code="lineage-only-seved")
    IndicatorFactory(pilot=tree["root"], definition=shared, current_value=Decimal("15"))
    IndicatorFactory(pilot=tree["root"], definition=only_root)
    IndicatorFactory(
        pilot=tree["seved"],
        definition=shared,
        baseline_value=None,
        target_value=None,
        status=Indicator.Status.NO_DATA,
    )
    IndicatorFactory(pilot=tree["seved"], definition=only_seved)

    found = lineage.lineage_for(tree["holma"])

    assert [node.pilot for node in found.compared] == [
        tree["root"],
        tree["holma"],
        tree["seved"],
        tree["herrgarden"],
    ], "original, this pilot, then the nearest adaptations with the archived last"
    assert [row.definition.code for row in found.shared_indicators] == ["lineage-jobs"]
    values = found.shared_indicators[0].values
    assert [value.node.pilot for value in values] == [tree["root"], tree["seved"]]
    assert values[0].indicator.current_value == Decimal("15")
    assert parse_qs(found.compare_query)["pilots"] == [node.pilot.slug for node in found.compared]


def test_the_comparison_link_names_at_most_six_pilots(areas):
    root = PilotFactory(area=areas["lindangen"])
    for _ in range(8):
        PilotFactory(area=areas["seved"], adapted_from=root)
    found = lineage.lineage_for(root)
    assert found.size == 9
    assert len(parse_qs(found.compare_query)["pilots"]) == 6


def test_the_pilot_page_shows_the_lineage_as_an_accessible_nested_list(
    client, tree, staff_seved, english
):
    shared = IndicatorDefinitionFactory(code="lineage-page", name_en="Young people in work")
    IndicatorFactory(pilot=tree["root"], definition=shared)
    IndicatorFactory(pilot=tree["holma"], definition=shared)
    client.force_login(staff_seved)

    response = client.get(tree["holma"].get_absolute_url())

    page = response.content.decode()
    panel = page[page.index('id="lineage-heading"') :]
    assert 'aria-label="Lineage: the original pilot and every adaptation of it"' in panel
    assert panel.count('aria-label="Adaptations of') == 2
    current = re.search(r'<a href="([^"]+)" aria-current="page"', panel)
    assert current.group(1) == tree["holma"].get_absolute_url()
    assert panel.count('aria-current="page"') == 1
    assert "The idea came from" in panel
    assert "Herrgården" in panel
    assert "Archived" in panel, "the archived adaptation is shown, and marked"
    assert "Vi behåller coacherna men lägger till språkcafé." in panel
    assert "Evidence level 1" in panel
    assert "Young people in work" in panel
    link = re.search(r'<a href="([^"]*/compare/[^"]*)"', panel).group(1)
    assert urlsplit(link.replace("&amp;", "&")).path == reverse("compare")
    assert parse_qs(urlsplit(link.replace("&amp;", "&")).query)["pilots"][:2] == [
        tree["root"].slug,
        tree["holma"].slug,
    ]


def test_the_pilot_page_has_no_lineage_panel_for_a_lone_pilot(client, staff_seved, seved, english):
    client.force_login(staff_seved)
    page = client.get(PilotFactory(area=seved).get_absolute_url()).content.decode()
    assert 'id="lineage-heading"' not in page


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_lineage_panel_uses_two_queries_whatever_the_tree(tree, django_assert_num_queries):
    # The family with its areas and indicator counts; the compared pilots' indicators.
    with django_assert_num_queries(2):
        found = lineage.lineage_for(tree["seved"])
        [row.values for row in found.shared_indicators]
        [node.pilot.area.name for node in _walk(found.root)]
    with django_assert_num_queries(2):
        assert lineage.lineage_for(PilotFactory.build(pk=10**9, area=tree["root"].area)) is None


def test_the_pilot_page_keeps_its_query_count_for_one_or_twelve_pilots_in_the_lineage(
    client, staff_seved, areas
):
    client.force_login(staff_seved)
    definition = IndicatorDefinitionFactory(code="lineage-count")
    root = PilotFactory(area=areas["lindangen"])
    IndicatorFactory(pilot=root, definition=definition)
    alone = _count(client, root.get_absolute_url())

    # 1 original, 4 adaptations, 7 adaptations of those: 12 pilots on two levels below it.
    children = [
        PilotFactory(area=areas[name], adapted_from=root)
        for name in ("seved", "herrgarden", "holma", "seved")
    ]
    for index in range(7):
        grandchild = PilotFactory(area=areas["holma"], adapted_from=children[index % 4])
        IndicatorFactory(pilot=grandchild, definition=definition, status="on_track")
    for child in children:
        IndicatorFactory(pilot=child, definition=definition, status="reached")
    assert lineage.lineage_for(root).size == 12

    assert _count(client, root.get_absolute_url()) == alone
    assert _count(client, grandchild.get_absolute_url()) == alone


def _walk(root):
    stack = [root]
    while stack:
        node = stack.pop(0)
        yield node
        stack[0:0] = node.children
