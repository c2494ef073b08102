"""The pilot list's sort menu: every option named in the page's language, in both directions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from pilots.models import Stage
from tests.factories import PilotFactory

pytestmark = pytest.mark.django_db

URL = reverse("pilots:list")
OPTIONS = [
    ("", "Recently updated"),
    ("title", "Title (A–Z)"),
    ("-title", "Title (Z–A)"),
    ("area", "Area (A–Z)"),
    ("-area", "Area (Z–A)"),
    ("stage", "Stage (idea first)"),
    ("-stage", "Stage (stopped first)"),
    ("evidence", "Evidence level (lowest first)"),
    ("-evidence", "Evidence level (highest first)"),
    ("start", "Start date (earliest first)"),
    ("-start", "Start date (latest first)"),
    ("updated", "Updated (oldest first)"),
    ("-updated", "Updated (newest first)"),
]


def _sort_options(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(URL).content.decode()
    menu = re.search(r'<select name="sort".*?</select>', page, re.DOTALL)
    assert menu, "the list has a sort menu"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', menu.group(0))


def _titles(client, sort):
    return [pilot.title for pilot in client.get(URL, {"sort": sort}).context["page"].object_list]


def test_every_sort_option_has_an_english_label_for_its_direction(client, official):
    client.force_login(official)

    assert _sort_options(client, "en") == OPTIONS


def test_every_sort_option_is_labelled_through_the_swedish_catalogue(client, official):
    client.force_login(official)

    options = _sort_options(client, "sv")

    with translation.override("sv"):
        expected = [(value, gettext(label)) for value, label in OPTIONS]
    assert options == expected
    assert not [label for _value, label in options if "descending" in label]


def test_sorting_by_stage_follows_the_ladder_both_ways(client, official):
    for stage in reversed(Stage.values):
        PilotFactory(title=stage, stage=stage)
    client.force_login(official)
    ladder = ["idea", "prototype", "pilot", "scaling", "mainstreamed", "stopped"]

    assert _titles(client, "stage") == ladder
    assert _titles(client, "-stage") == ladder[::-1]


def test_pilots_without_a_start_date_come_last_both_ways(client, official):
    PilotFactory(title="undated", start_date=None)
    PilotFactory(title="early", start_date=dt.date(2023, 1, 1))
    PilotFactory(title="late", start_date=dt.date(2025, 1, 1))
    client.force_login(official)

    assert _titles(client, "start") == ["early", "late", "undated"]
    assert _titles(client, "-start") == ["late", "early", "undated"]


def test_the_other_sort_options_still_sort_their_columns(client, official, seved, lindangen):
    PilotFactory(title="B", area=seved, evidence_level=1)
    PilotFactory(title="A", area=lindangen, evidence_level=3)
    client.force_login(official)

    assert _titles(client, "title") == ["A", "B"]
    assert _titles(client, "-title") == ["B", "A"]
    assert _titles(client, "area") == ["A", "B"]
    assert _titles(client, "-area") == ["B", "A"]
    assert _titles(client, "evidence") == ["B", "A"]
    assert _titles(client, "-evidence") == ["A", "B"]
