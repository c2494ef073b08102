"""Every pilot page, URL by URL, for every role: who gets in, who gets 403, 404 or the login."""

from __future__ import annotations

import pytest
from django.urls import reverse

from areas.models import Membership
from tests.factories import AttachmentFactory, IndicatorFactory, MeasurementFactory, PilotFactory

pytestmark = pytest.mark.django_db

READ = "read"  # every signed-in user
EDIT = "edit"  # members of the pilot's area
ARCHIVE = "archive"  # leads of the pilot's area

# (url name, needs objects, who may open it)
PAGES = [
    ("pilots:detail", (), READ),
    ("pilots:history", (), READ),
    ("pilots:attachment-download", ("attachment",), READ),
    ("pilots:edit", (), EDIT),
    ("pilots:indicator-create", (), EDIT),
    ("pilots:indicator-edit", ("indicator",), EDIT),
    ("pilots:indicator-delete", ("indicator",), EDIT),
    ("pilots:measurement-create", ("indicator",), EDIT),
    ("pilots:measurement-edit", ("measurement",), EDIT),
    ("pilots:measurement-delete", ("measurement",), EDIT),
    ("pilots:import", (), EDIT),
    ("pilots:update-create", (), EDIT),
    ("pilots:attachment-create", (), EDIT),
    ("pilots:archive", (), ARCHIVE),
]

ROLES = ["anonymous", "official", "staff_other_area", "staff", "lead"]
ALLOWED = {
    READ: {"official", "staff_other_area", "staff", "lead"},
    EDIT: {"staff", "lead"},
    ARCHIVE: {"lead"},
}


@pytest.fixture
def world(seved, lindangen, make_user, official, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pilot = PilotFactory(area=seved)
    indicator = IndicatorFactory(pilot=pilot)
    return {
        "pilot": pilot,
        "indicator": indicator,
        "measurement": MeasurementFactory(indicator=indicator),
        "attachment": AttachmentFactory(pilot=pilot),
        "users": {
            "anonymous": None,
            "official": official,
            "staff_other_area": make_user("staff-lindangen", area=lindangen),
            "staff": make_user("staff-seved", area=seved),
            "lead": make_user("lead-seved", area=seved, role=Membership.Role.LEAD),
        },
    }


def url_for(name: str, needs: tuple[str, ...], world: dict, slug: str | None = None) -> str:
    args = [slug or world["pilot"].slug] + [world[need].pk for need in needs]
    return reverse(name, args=args)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "needs", "access"), PAGES)
def test_each_role_gets_the_expected_answer_on_each_pilot_page(
    client, world, name, needs, access, role
):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)

    response = client.get(url_for(name, needs, world))

    if role == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    elif role in ALLOWED[access]:
        assert response.status_code == 200, response.content[:300]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(("name", "needs", "access"), PAGES)
def test_pages_of_a_pilot_that_does_not_exist_answer_404(client, world, name, needs, access):
    client.force_login(world["users"]["lead"])
    assert client.get(url_for(name, needs, world, slug="finns-inte")).status_code == 404


@pytest.mark.parametrize(("name", "needs", "access"), [p for p in PAGES if p[2] != READ])
def test_posts_from_users_without_the_right_are_refused_and_change_nothing(
    client, world, name, needs, access
):
    client.force_login(world["users"]["official"])
    before = world["pilot"].history.count()
    response = client.post(url_for(name, needs, world), {"title": "Hack", "confirm": "on"})
    assert response.status_code == 403
    assert world["pilot"].history.count() == before
