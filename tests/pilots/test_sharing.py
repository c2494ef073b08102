"""Share links: creating and revoking them, the public page behind them, and its files."""

from __future__ import annotations

import datetime as dt
import re
import string
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from areas.models import Membership
from areas.roles import OFFICIALS_GROUP
from pilots import services
from pilots.forms_sharing import last_moment_of
from pilots.models import IndicatorDefinition, ShareLink
from tests.factories import (
    AttachmentFactory,
    IndicatorDefinitionFactory,
    IndicatorFactory,
    MeasurementFactory,
    PartnerFactory,
    PilotFactory,
    PilotUpdateFactory,
    ShareLinkFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def share_page(pilot) -> str:
    return reverse("pilots:share", args=[pilot.slug])


def revoke_url(link) -> str:
    return reverse("pilots:share-revoke", args=[link.pilot.slug, link.pk])


def public_url(token: str) -> str:
    return reverse("share", args=[token])


def file_url(token: str, attachment) -> str:
    return reverse("share-attachment", args=[token, attachment.pk])


def in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


# Creating links ----------------------------------------------------------------------------


def test_a_member_creates_a_link_and_sees_its_full_address_once(client, staff_seved, seved):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)

    form_page = client.get(share_page(pilot))
    assert form_page.status_code == 200
    assert f'value="{in_days(30)}"' in form_page.content.decode(), "30 days by default"

    response = client.post(share_page(pilot), {"expires_at": in_days(10)})

    assert response.status_code == 302
    assert response["Location"] == share_page(pilot), "the token stays out of the redirect"
    link = ShareLink.objects.get(pilot=pilot)
    assert link.created_by == staff_seved
    assert link.expires_at == last_moment_of(timezone.localdate() + dt.timedelta(days=10))
    assert len(link.token) >= 43
    notices = [str(message) for message in get_messages(response.wsgi_request)]
    assert notices
    assert not any(link.token in notice for notice in notices)

    first = client.get(share_page(pilot))
    assert f"http://testserver/s/{link.token}/" in first.content.decode()
    assert "no-store" in first["Cache-Control"]
    again = client.get(share_page(pilot)).content.decode()
    assert link.token not in again, "the address is shown once"


def test_the_link_list_shows_every_link_with_its_state_dates_and_maker(
    client, english, staff_seved, seved
):
    pilot = PilotFactory(area=seved)
    maker = UserFactory(first_name="Sara", last_name="Delare")
    ShareLinkFactory(pilot=pilot, created_by=maker)
    ShareLinkFactory(pilot=pilot, expires_at=timezone.now() - dt.timedelta(days=1))
    ShareLinkFactory(pilot=pilot, revoked_at=timezone.now())
    other = ShareLinkFactory()
    client.force_login(staff_seved)

    html = client.get(share_page(pilot)).content.decode()

    assert "Sara Delare" in html
    assert html.count("Active") == 1
    assert html.count("Expired") == 1
    assert html.count("Revoked ") == 1
    assert f"share-link-{other.pk}" not in html


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Choose the last day the link works."),
        ("not a date", "Enter a date such as"),
        ("2024-02-30", "Enter a date such as"),
        (in_days(-1), "a link cannot expire in the past"),
        (in_days(366), "A link works for at most one year"),
        ("9999-12-31", "A link works for at most one year"),
    ],
)
def test_an_expiry_in_the_past_beyond_a_year_or_not_a_date_is_refused_with_a_message(
    client, english, staff_seved, seved, value, message
):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)

    response = client.post(share_page(pilot), {"expires_at": value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ShareLink.objects.exists()


@pytest.mark.parametrize("days", [0, 365])
def test_links_may_expire_today_or_in_exactly_one_year(client, staff_seved, seved, days):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)

    response = client.post(share_page(pilot), {"expires_at": in_days(days)})

    assert response.status_code == 302
    assert ShareLink.objects.get(pilot=pilot).is_valid


@pytest.mark.parametrize("role", ["official", "staff_other_area", "lead_other_area"])
def test_people_outside_the_pilots_area_may_not_share_it(client, seved, lindangen, make_user, role):
    users = {
        "official": lambda: make_user("official-x", groups=[OFFICIALS_GROUP]),
        "staff_other_area": lambda: make_user("staff-x", area=lindangen),
        "lead_other_area": lambda: make_user("lead-x", area=lindangen, role=Membership.Role.LEAD),
    }
    pilot = PilotFactory(area=seved)
    link = ShareLinkFactory(pilot=pilot)
    client.force_login(users[role]())

    assert client.get(share_page(pilot)).status_code == 403
    assert client.post(share_page(pilot), {"expires_at": in_days(5)}).status_code == 403
    assert client.get(revoke_url(link)).status_code == 403
    assert client.post(revoke_url(link)).status_code == 403
    assert ShareLink.objects.count() == 1
    assert ShareLink.objects.get().revoked_at is None


def test_a_lead_of_the_area_may_share_too(client, lead_seved, seved):
    pilot = PilotFactory(area=seved)
    client.force_login(lead_seved)
    assert client.post(share_page(pilot), {"expires_at": in_days(5)}).status_code == 302


def test_anonymous_visitors_are_sent_to_the_login_page(client, seved):
    pilot = PilotFactory(area=seved)
    link = ShareLinkFactory(pilot=pilot)
    for url in (share_page(pilot), revoke_url(link)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_sharing_pages_of_an_unknown_pilot_answer_404(client, staff_seved):
    client.force_login(staff_seved)
    assert client.get(reverse("pilots:share", args=["finns-inte"])).status_code == 404
    assert client.get(reverse("pilots:share-revoke", args=["finns-inte", 1])).status_code == 404


# Revoking ----------------------------------------------------------------------------------


def test_revoking_asks_for_confirmation_then_the_link_stops_working(client, staff_seved, seved):
    pilot = PilotFactory(area=seved)
    link = ShareLinkFactory(pilot=pilot)
    assert client.get(public_url(link.token)).status_code == 200
    client.force_login(staff_seved)

    confirmation = client.get(revoke_url(link))
    assert confirmation.status_code == 200
    assert 'id="confirm-revoke"' in confirmation.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is None, "GET only asks"

    response = client.post(revoke_url(link))

    assert response.status_code == 302
    assert response["Location"] == share_page(pilot)
    link.refresh_from_db()
    assert link.revoked_at is not None
    client.logout()
    assert client.get(public_url(link.token)).status_code == 404


def test_revoking_twice_keeps_the_first_time(seved):
    link = ShareLinkFactory(pilot=PilotFactory(area=seved))
    first = services.share_link_revoke(link=link).revoked_at
    again = services.share_link_revoke(link=ShareLink.objects.get(pk=link.pk)).revoked_at
    assert first is not None
    assert again == first


def test_a_link_of_another_pilot_cannot_be_revoked_through_this_one(client, staff_seved, seved):
    pilot = PilotFactory(area=seved)
    foreign = ShareLinkFactory(pilot=PilotFactory(area=seved))
    client.force_login(staff_seved)

    url = reverse("pilots:share-revoke", args=[pilot.slug, foreign.pk])

    assert client.post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


# The public page ---------------------------------------------------------------------------


@pytest.fixture
def shared(seved):
    """A pilot with everything the public page must show or hide, and a working link."""
    lead = UserFactory(first_name="Lina", last_name="Ledarsson")
    pilot = PilotFactory(
        area=seved,
        title="Läxhjälp i Seved",
        need="Barn saknar lugn plats för läxor.",
        approach="Volontärer två kvällar i veckan.",
        lessons="Börja med föräldrarna.",
        adaptation_notes="Behöll upplägget, bytte lokal.",
        participants_reached=3,
        lead=lead,
    )
    pilot.themes.add(ThemeFactory(name="Skola", name_en="School"))
    pilot.partners.add(PartnerFactory(name="Föreningen Läxhjälparna"))
    PilotUpdateFactory(pilot=pilot, body="Internt: Ahmed slutade i mars.")
    people = IndicatorDefinitionFactory(
        code="share-people",
        name="Deltagare i arbete",
        name_en="Participants in work",
        unit="personer",
        aggregation=IndicatorDefinition.Aggregation.SUM,
    )
    share = IndicatorDefinitionFactory(code="share-percent", name="Andel", unit="%")
    counted = IndicatorFactory(pilot=pilot, definition=people, baseline_value=2, target_value=30)
    MeasurementFactory(indicator=counted, value=12, note="Hemlig anteckning")
    MeasurementFactory(indicator=counted, value=3)
    services.indicator_refresh(indicator=counted)
    percent = IndicatorFactory(pilot=pilot, definition=share, baseline_value=1, target_value=3)
    MeasurementFactory(indicator=percent, value=Decimal("2.5"))
    services.indicator_refresh(indicator=percent)
    AttachmentFactory(pilot=pilot, title="Offentlig rapport", is_public=True, uploaded_by=lead)
    AttachmentFactory(pilot=pilot, title="Deltagarlista", is_public=False)
    return {"pilot": pilot, "link": ShareLinkFactory(pilot=pilot, created_by=lead)}


def test_the_public_page_opens_without_login_and_shows_the_pilot(client, shared):
    response = client.get(public_url(shared["link"].token))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Läxhjälp i Seved",
        "Seved",
        "Barn saknar lugn plats för läxor.",
        "Volontärer två kvällar i veckan.",
        "Börja med föräldrarna.",
        "Behöll upplägget, bytte lokal.",
        "Skola",
        "Föreningen Läxhjälparna",
        "Deltagare i arbete",
        "Offentlig rapport",
        "2,5",
    ):
        assert text in html, text


def test_the_public_page_hides_the_journal_the_team_and_private_files(client, shared):
    html = client.get(public_url(shared["link"].token)).content.decode()

    assert "Ahmed" not in html
    assert "Internt" not in html
    assert "Ledarsson" not in html
    assert "Lina" not in html
    assert "Deltagarlista" not in html
    assert "Hemlig anteckning" not in html
    assert shared["pilot"].get_absolute_url() not in html, "no links into the signed-in portal"


def test_small_counts_of_people_are_shown_as_fewer_than_5(client, english, shared):
    html = client.get(public_url(shared["link"].token)).content.decode()

    # Participants reached (3), the baseline (2) and one measurement (3) of a count of people,
    # plus the note that explains the rule. The total (15) would give the small measurement
    # away beside the 12, so it is not shown either.
    assert html.count("fewer than 5") == 4
    assert 'fw-semibold">not shown' in html
    assert 'fw-semibold">15' not in html
    assert ">12<" in html
    # A share in per cent is not a count of people: its small values are exact.
    assert 'fw-semibold">2.5' in html


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (dt.date(2026, 3, 1), None, "From 1 Mar 2026, ongoing"),
        (None, dt.date(2026, 6, 30), "Until 30 Jun 2026"),
        (None, None, "Not set"),
    ],
)
def test_the_public_page_says_the_period_plainly_whichever_dates_are_missing(
    client, english, shared, start, end, expected
):
    pilot = shared["pilot"]
    pilot.start_date, pilot.end_date = start, end
    pilot.save()

    html = client.get(public_url(shared["link"].token)).content.decode()

    period = re.search(r"<dt>Period</dt><dd>(.*?)</dd>", html, re.DOTALL)[1]
    assert period.strip() == expected


def test_the_public_page_stays_out_of_search_engines_caches_and_referrers(client, shared):
    response = client.get(public_url(shared["link"].token))

    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_the_public_page_follows_the_language_switch(client, english, shared):
    html = client.get(public_url(shared["link"].token)).content.decode()
    assert '<html lang="en">' in html
    assert "The urgent need" in html
    assert 'name="language" value="sv"' in html


def test_the_language_buttons_set_the_language_and_return_to_the_page(client, shared):
    url = public_url(shared["link"].token)

    response = client.get(url, {"language": "en"})

    assert response.status_code == 302
    assert response["Location"] == url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get(url).content.decode()
    unknown = client.get(url, {"language": "xx"})
    assert unknown.status_code == 200, "an unknown language is ignored"


def test_the_language_buttons_do_not_open_a_dead_link(client, seved):
    revoked = ShareLinkFactory(pilot=PilotFactory(area=seved), revoked_at=timezone.now())
    plain = client.get(public_url(revoked.token))
    switched = client.get(public_url(revoked.token), {"language": "en"})
    assert (switched.status_code, switched.content) == (404, plain.content)
    assert settings.LANGUAGE_COOKIE_NAME not in switched.cookies


def test_the_public_page_accepts_only_reading(client, shared):
    assert client.post(public_url(shared["link"].token)).status_code == 405


def not_found_answers(client, tokens: list[str]) -> set[tuple[int, bytes]]:
    answers = set()
    for token in tokens:
        response = client.get(public_url(token))
        answers.add((response.status_code, response.content))
    return answers


def test_revoked_expired_and_unknown_tokens_get_the_same_404(client, seved):
    pilot = PilotFactory(area=seved)
    revoked = ShareLinkFactory(pilot=pilot, revoked_at=timezone.now())
    expired = ShareLinkFactory(pilot=pilot, expires_at=timezone.now() - dt.timedelta(seconds=1))
    working = ShareLinkFactory(pilot=pilot)

    answers = not_found_answers(
        client,
        [revoked.token, expired.token, "x" * 43, working.token[:-1], working.token + "A", "ä"],
    )

    assert len(answers) == 1, "every failure answers byte for byte the same"
    status, body = answers.pop()
    assert status == 404
    assert pilot.title.encode() not in body


def test_tokens_of_links_that_do_not_work_stay_out_of_the_logs(client, seved, caplog):
    link = ShareLinkFactory(pilot=PilotFactory(area=seved))
    typo = link.token[:-1] + ("A" if link.token[-1] != "A" else "B")

    with caplog.at_level("DEBUG"):
        assert client.get(public_url(typo)).status_code == 404

    assert "A share link that does not work was opened." in caplog.text
    assert link.token[:-1] not in caplog.text


def test_a_token_is_matched_exactly_not_by_case(client, seved):
    link = ShareLinkFactory(
        pilot=PilotFactory(area=seved), token="AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde"
    )
    assert client.get(public_url(link.token)).status_code == 200
    assert client.get(public_url(link.token.lower())).status_code == 404
    assert client.get(public_url(link.token.upper())).status_code == 404


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(token=st.text(min_size=1, max_size=120))
def test_any_token_in_the_address_answers_404_never_an_error(client, token):
    response = client.get("/s/" + quote(token, safe="") + "/")
    assert response.status_code == 404


# Files on the public page ------------------------------------------------------------------


def test_public_files_download_through_the_link(client, shared):
    public = shared["pilot"].attachments.get(is_public=True)
    token = shared["link"].token
    assert file_url(token, public) in client.get(public_url(token)).content.decode()

    response = client.get(file_url(token, public))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Referrer-Policy"] == "no-referrer"


def test_private_files_other_pilots_files_and_dead_links_answer_the_same_404(client, shared):
    token = shared["link"].token
    private = shared["pilot"].attachments.get(is_public=False)
    elsewhere = AttachmentFactory(is_public=True)
    public = shared["pilot"].attachments.get(is_public=True)
    revoked = ShareLinkFactory(pilot=shared["pilot"], revoked_at=timezone.now())
    dead_page = client.get(public_url("x" * 43))

    for url in (
        file_url(token, private),
        file_url(token, elsewhere),
        file_url(revoked.token, public),
        file_url("x" * 43, public),
        reverse("share-attachment", args=[token, 999_999]),
    ):
        response = client.get(url)
        assert (response.status_code, response.content) == (404, dead_page.content), url


# Queries -----------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_public_page_uses_the_same_queries_for_few_and_many_indicators(
    client, seved, django_assert_num_queries
):
    pilot = PilotFactory(area=seved)
    link = ShareLinkFactory(pilot=pilot)
    IndicatorFactory(pilot=pilot)
    # The link with its pilot and area, themes, partners, indicators with their definitions,
    # all measurements, public attachments.
    with django_assert_num_queries(6):
        client.get(public_url(link.token))
    for _ in range(8):
        indicator = IndicatorFactory(pilot=pilot)
        MeasurementFactory.create_batch(5, indicator=indicator)
    pilot.themes.add(*ThemeFactory.create_batch(3))
    pilot.partners.add(*PartnerFactory.create_batch(3))
    AttachmentFactory.create_batch(3, pilot=pilot, is_public=True)
    with django_assert_num_queries(6):
        client.get(public_url(link.token))


def test_the_share_page_uses_the_same_queries_for_few_and_many_links(
    client, staff_seved, seved, django_assert_num_queries
):
    pilot = PilotFactory(area=seved)
    ShareLinkFactory(pilot=pilot)
    client.force_login(staff_seved)
    few = _queries(client, share_page(pilot))
    ShareLinkFactory.create_batch(15, pilot=pilot)
    with django_assert_num_queries(few):
        client.get(share_page(pilot))


# Bad input on the form ---------------------------------------------------------------------


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.one_of(
        st.text(max_size=40),
        st.dates().map(dt.date.isoformat),
        st.integers(min_value=-400, max_value=400).map(in_days),
    )
)
def test_any_expiry_input_gets_a_page_or_a_redirect_never_an_error(
    client, staff_seved, seved, value
):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)
    before = ShareLink.objects.count()

    response = client.post(share_page(pilot), {"expires_at": value})

    assert response.status_code in (200, 302)
    created = ShareLink.objects.count() - before
    assert created == (1 if response.status_code == 302 else 0)
    if created:
        link = ShareLink.objects.latest("pk")
        today = timezone.localdate()
        assert today <= timezone.localtime(link.expires_at).date() <= today + dt.timedelta(days=365)


def test_tokens_are_long_url_safe_and_random(staff_seved, seved):
    pilot = PilotFactory(area=seved)
    expiry = timezone.now() + dt.timedelta(days=30)
    tokens = [
        services.share_link_create(pilot=pilot, user=staff_seved, expires_at=expiry).token
        for _ in range(200)
    ]

    assert len(set(tokens)) == len(tokens)
    assert all(len(token) >= 43 for token in tokens), "at least 256 bits"
    assert all(set(token) <= set(string.ascii_letters + string.digits + "-_") for token in tokens)
    assert len(set("".join(tokens))) == 64, "the whole URL-safe alphabet is in use"


def test_a_token_is_compared_in_constant_time(client, seved, monkeypatch):
    link = ShareLinkFactory(pilot=PilotFactory(area=seved))
    compared = []

    def compare_digest(stored: bytes, given: bytes) -> bool:
        compared.append((stored, given))
        return stored == given

    monkeypatch.setattr("pilots.views.sharing.hmac.compare_digest", compare_digest)

    assert client.get(public_url(link.token)).status_code == 200
    assert client.get(public_url("unknown" * 6)).status_code == 404

    assert compared[0] == (link.token.encode(), link.token.encode())
    assert len(compared) == 2, "a wrong token goes through the same comparison"
