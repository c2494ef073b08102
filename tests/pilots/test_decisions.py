"""Stage decisions and evidence levels: the ladder rules, the services, the pages and the panel."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from areas.models import Membership
from pilots import services
from pilots.models import EvidenceRecord, Pilot, Stage, StageDecision
from pilots.views import decisions
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    PilotFactory,
    StageDecisionFactory,
)

pytestmark = pytest.mark.django_db

GO, ITERATE, STOP = (
    StageDecision.Decision.GO,
    StageDecision.Decision.ITERATE,
    StageDecision.Decision.STOP,
)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Messages from services in English; pages still follow their own language."""
    with translation.override("en"):
        yield


def stage_url(pilot) -> str:
    return reverse("pilots:stage", args=[pilot.slug])


def evidence_url(pilot) -> str:
    return reverse("pilots:evidence", args=[pilot.slug])


def with_indicator_data(pilot: Pilot) -> Pilot:
    indicator = IndicatorFactory(pilot=pilot)
    MeasurementFactory(indicator=indicator)
    services.indicator_refresh(indicator=indicator)
    return pilot


def decide(pilot: Pilot, to_stage: str, decision: str, *, user=None, rationale="Därför.", **kw):
    return services.pilot_decide_stage(
        pilot=pilot,
        to_stage=to_stage,
        decision=decision,
        rationale=rationale,
        user=user,
        expected_version=kw.get("expected_version", pilot.version),
    )


def set_evidence(pilot: Pilot, level: int, *, note="Enkät före och efter.", links=(), **kw):
    return services.pilot_set_evidence(
        pilot=pilot,
        level=level,
        method_note=note,
        evidence_links=links,
        user=kw.get("user"),
        attachment=kw.get("attachment"),
        expected_version=kw.get("expected_version", pilot.version),
    )


def make_attachment(pilot: Pilot):
    return services.attachment_create(
        pilot=pilot, file=SimpleUploadedFile("utvardering.pdf", PDF), title="Utvärdering"
    )


# The rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "allowed"),
    [
        (
            Stage.IDEA,
            {(GO, Stage.PROTOTYPE), (ITERATE, Stage.IDEA), (STOP, Stage.STOPPED)},
        ),
        (
            Stage.PILOT,
            {
                (GO, Stage.SCALING),
                (ITERATE, Stage.PILOT),
                (ITERATE, Stage.PROTOTYPE),
                (STOP, Stage.STOPPED),
            },
        ),
        (
            Stage.SCALING,
            {
                (GO, Stage.MAINSTREAMED),
                (ITERATE, Stage.SCALING),
                (ITERATE, Stage.PILOT),
                (STOP, Stage.STOPPED),
            },
        ),
        (Stage.MAINSTREAMED, set()),
        (Stage.STOPPED, {(GO, Stage.IDEA)}),
    ],
)
def test_each_stage_allows_exactly_the_documented_moves(stage, allowed):
    pilot = Pilot(stage=stage, evidence_level=5)
    assert set(services.stage_moves(stage)) == allowed
    every_move = {(d, s) for d in StageDecision.Decision.values for s in Stage.values}
    for decision, to_stage in every_move:
        problems = services.stage_move_problems(pilot, to_stage, decision, True)
        assert (problems == []) == ((decision, to_stage) in allowed), (decision, to_stage)


def test_go_moves_to_the_next_stage_and_records_the_decision(lead_seved, seved):
    pilot = PilotFactory(area=seved, stage=Stage.IDEA)

    record = decide(pilot, Stage.PROTOTYPE, GO, user=lead_seved, rationale="  Dags att testa. ")

    pilot.refresh_from_db()
    assert (pilot.stage, pilot.version) == (Stage.PROTOTYPE, 2)
    assert (record.from_stage, record.to_stage, record.decision) == (
        Stage.IDEA,
        Stage.PROTOTYPE,
        GO,
    )
    assert (record.rationale, record.decided_by) == ("Dags att testa.", lead_seved)
    assert pilot.history.latest().history_user == lead_seved


def test_go_cannot_skip_a_stage_and_says_which_stage_is_next(seved):
    pilot = PilotFactory(area=seved, stage=Stage.IDEA)

    with pytest.raises(services.StageMoveRefused) as refused:
        decide(pilot, Stage.PILOT, GO)

    assert refused.value.problems == ["“Go” moves the pilot to the next stage, which is Prototype."]
    assert not StageDecision.objects.exists()
    pilot.refresh_from_db()
    assert (pilot.stage, pilot.version) == (Stage.IDEA, 1)


def test_scaling_is_refused_below_evidence_level_two_with_the_reason(seved):
    pilot = with_indicator_data(PilotFactory(area=seved, stage=Stage.PILOT, evidence_level=1))

    with pytest.raises(services.StageMoveRefused) as refused:
        decide(pilot, Stage.SCALING, GO)

    assert len(refused.value.problems) == 1
    assert "2" in refused.value.problems[0]
    assert "this pilot is at level 1" in refused.value.problems[0]
    pilot.refresh_from_db()
    assert (pilot.stage, pilot.version, StageDecision.objects.count()) == (Stage.PILOT, 1, 0)


def test_scaling_is_refused_without_an_indicator_with_data_with_the_reason(seved):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT, evidence_level=3)
    IndicatorFactory(pilot=pilot)  # an indicator, but no measurements

    with pytest.raises(services.StageMoveRefused) as refused:
        decide(pilot, Stage.SCALING, GO)

    assert len(refused.value.problems) == 1
    assert "at least one indicator with measurements" in refused.value.problems[0]
    assert not StageDecision.objects.exists()


def test_scaling_without_evidence_and_data_gives_both_reasons(seved):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT, evidence_level=1)

    with pytest.raises(services.StageMoveRefused) as refused:
        decide(pilot, Stage.SCALING, GO)

    assert len(refused.value.problems) == 2


def test_scaling_is_allowed_with_evidence_level_two_and_indicator_data(seved):
    pilot = with_indicator_data(PilotFactory(area=seved, stage=Stage.PILOT, evidence_level=2))

    decide(pilot, Stage.SCALING, GO)

    assert Pilot.objects.get(pk=pilot.pk).stage == Stage.SCALING


def test_iterating_at_scaling_needs_no_new_check(seved):
    pilot = PilotFactory(area=seved, stage=Stage.SCALING, evidence_level=1)

    decide(pilot, Stage.SCALING, ITERATE)

    assert StageDecision.objects.get().to_stage == Stage.SCALING


@pytest.mark.parametrize("to_stage", [Stage.PILOT, Stage.PROTOTYPE])
def test_iterate_stays_at_the_stage_or_steps_back_one(seved, to_stage):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT)

    decide(pilot, to_stage, ITERATE)

    pilot.refresh_from_db()
    assert (pilot.stage, pilot.version) == (to_stage, 2)
    assert StageDecision.objects.get().from_stage == Stage.PILOT


@pytest.mark.parametrize("to_stage", [Stage.IDEA, Stage.SCALING])
def test_iterate_neither_jumps_back_two_nor_forward(seved, to_stage):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT)

    with pytest.raises(services.StageMoveRefused):
        decide(pilot, to_stage, ITERATE)

    assert Pilot.objects.get(pk=pilot.pk).stage == Stage.PILOT


@pytest.mark.parametrize("stage", [Stage.IDEA, Stage.PROTOTYPE, Stage.PILOT, Stage.SCALING])
def test_stop_ends_a_pilot_from_any_stage_before_mainstreamed(seved, stage):
    pilot = PilotFactory(area=seved, stage=stage)

    decide(pilot, Stage.STOPPED, STOP, rationale="Ingen efterfrågan.")

    assert Pilot.objects.get(pk=pilot.pk).stage == Stage.STOPPED
    assert StageDecision.objects.get().from_stage == stage


def test_stop_only_leads_to_stopped(seved):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT)

    with pytest.raises(services.StageMoveRefused):
        decide(pilot, Stage.IDEA, STOP)


def test_mainstreamed_is_final(seved):
    pilot = PilotFactory(area=seved, stage=Stage.MAINSTREAMED)

    for decision, to_stage in [(STOP, Stage.STOPPED), (ITERATE, Stage.SCALING)]:
        with pytest.raises(services.StageMoveRefused) as refused:
            decide(pilot, to_stage, decision)
        assert "its stage is final" in refused.value.problems[0]
    assert not StageDecision.objects.exists()


def test_a_stopped_pilot_restarts_only_as_an_idea_with_go(seved):
    pilot = PilotFactory(area=seved, stage=Stage.STOPPED)
    for decision, to_stage in [(GO, Stage.PILOT), (ITERATE, Stage.STOPPED), (STOP, Stage.STOPPED)]:
        with pytest.raises(services.StageMoveRefused):
            decide(pilot, to_stage, decision)

    decide(pilot, Stage.IDEA, GO, rationale="Ny finansiering.")

    assert Pilot.objects.get(pk=pilot.pk).stage == Stage.IDEA


def test_an_archived_pilot_takes_no_decision(seved):
    pilot = PilotFactory(area=seved, stage=Stage.IDEA, archived_at=timezone.now())

    with pytest.raises(services.StageMoveRefused):
        decide(pilot, Stage.PROTOTYPE, GO)

    assert not StageDecision.objects.exists()


@pytest.mark.parametrize("rationale", ["", "   \n\t ", "\x00\x01", "x" * 5_001])
def test_a_decision_needs_a_rationale_of_at_most_5000_characters(seved, rationale):
    pilot = PilotFactory(area=seved, stage=Stage.IDEA)

    with pytest.raises(services.StageMoveRefused):
        decide(pilot, Stage.PROTOTYPE, GO, rationale=rationale)

    pilot.refresh_from_db()
    assert (pilot.stage, pilot.version, StageDecision.objects.count()) == (Stage.IDEA, 1, 0)


def test_a_stage_decision_is_all_or_nothing(seved, monkeypatch):
    pilot = PilotFactory(area=seved, stage=Stage.IDEA)

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    # The decision row is written first; the pilot's save fails after it.
    monkeypatch.setattr(Pilot, "save", fail)
    with pytest.raises(RuntimeError):
        decide(pilot, Stage.PROTOTYPE, GO)
    monkeypatch.undo()

    stored = Pilot.objects.get(pk=pilot.pk)
    assert (stored.stage, stored.version, StageDecision.objects.count()) == (Stage.IDEA, 1, 0)


def test_a_decision_made_on_a_stale_page_is_refused(seved):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT)
    stale_version = pilot.version
    decide(Pilot.objects.get(pk=pilot.pk), Stage.STOPPED, STOP)

    with pytest.raises(services.ConcurrentEditError):
        decide(pilot, Stage.PROTOTYPE, ITERATE, expected_version=stale_version)

    stored = Pilot.objects.get(pk=pilot.pk)
    assert (stored.stage, stored.version, StageDecision.objects.count()) == (Stage.STOPPED, 2, 1)


def test_the_rules_judge_the_stored_pilot_not_the_callers_copy(seved):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT, evidence_level=1)
    with_indicator_data(pilot)
    pilot.evidence_level = 5  # changed in memory only

    with pytest.raises(services.StageMoveRefused):
        decide(pilot, Stage.SCALING, GO)


# Evidence ------------------------------------------------------------------------------------


def test_setting_evidence_records_level_method_links_file_and_who(lead_seved, seved):
    pilot = PilotFactory(area=seved, evidence_level=1)
    attachment = make_attachment(pilot)

    record = set_evidence(
        pilot,
        3,
        note="Jämförelse med parallellklass.",
        links=["https://malmo.se/rapport", "", "https://malmo.se/rapport", "http://mau.se/x"],
        attachment=attachment,
        user=lead_seved,
    )

    pilot.refresh_from_db()
    assert (pilot.evidence_level, pilot.version) == (3, 2)
    assert (record.level, record.previous_level, record.set_by) == (3, 1, lead_seved)
    assert record.link_list == ["https://malmo.se/rapport", "http://mau.se/x"]
    assert record.attachment == attachment
    assert pilot.history.latest().history_user == lead_seved


def test_raising_the_level_needs_a_method_note(seved):
    pilot = PilotFactory(area=seved, evidence_level=1)

    with pytest.raises(ValidationError) as error:
        set_evidence(pilot, 2, note="  ")

    assert "method_note" in error.value.message_dict
    assert (Pilot.objects.get(pk=pilot.pk).evidence_level, EvidenceRecord.objects.count()) == (1, 0)


def test_lowering_the_level_needs_no_note(seved):
    pilot = PilotFactory(area=seved, evidence_level=3)

    set_evidence(pilot, 2, note="")

    assert Pilot.objects.get(pk=pilot.pk).evidence_level == 2


@pytest.mark.parametrize(
    "links",
    [
        ["javascript:alert(1)"],
        ["ftp://example.com/rapport"],
        ["malmo.se/rapport"],
        [f"https://example.com/{n}" for n in range(11)],
    ],
)
def test_evidence_links_must_be_at_most_ten_web_addresses(seved, links):
    pilot = PilotFactory(area=seved, evidence_level=1)

    with pytest.raises(ValidationError) as error:
        set_evidence(pilot, 2, links=links)

    assert "evidence_links" in error.value.message_dict
    assert not EvidenceRecord.objects.exists()


def test_evidence_refuses_another_pilots_file(seved):
    pilot = PilotFactory(area=seved, evidence_level=1)
    other = make_attachment(PilotFactory(area=seved))

    with pytest.raises(ValidationError):
        set_evidence(pilot, 2, attachment=other)

    assert not EvidenceRecord.objects.exists()


def test_evidence_on_a_stale_page_is_refused(seved):
    pilot = PilotFactory(area=seved, evidence_level=1)
    set_evidence(Pilot.objects.get(pk=pilot.pk), 2)

    with pytest.raises(services.ConcurrentEditError):
        set_evidence(pilot, 4, expected_version=1)

    assert (Pilot.objects.get(pk=pilot.pk).evidence_level, EvidenceRecord.objects.count()) == (2, 1)


def test_setting_evidence_is_all_or_nothing(seved, monkeypatch):
    pilot = PilotFactory(area=seved, evidence_level=1)

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Pilot, "save", fail)
    with pytest.raises(RuntimeError):
        set_evidence(pilot, 3)
    monkeypatch.undo()

    stored = Pilot.objects.get(pk=pilot.pk)
    assert (stored.evidence_level, stored.version, EvidenceRecord.objects.count()) == (1, 1, 0)


# Pages: who gets in --------------------------------------------------------------------------


@pytest.fixture
def users(make_user, seved, lindangen, official, staff_seved, lead_seved):
    return {
        "lead": lead_seved,
        "staff": staff_seved,
        "lead_other_area": make_user("lead-lindangen", area=lindangen, role=Membership.Role.LEAD),
        "official": official,
    }


@pytest.mark.parametrize("url", [stage_url, evidence_url])
@pytest.mark.parametrize(
    ("role", "expected"),
    [("lead", 200), ("staff", 403), ("lead_other_area", 403), ("official", 403)],
)
def test_only_leads_of_the_pilots_area_open_the_decision_pages(
    client, users, seved, url, role, expected
):
    pilot = PilotFactory(area=seved)
    client.force_login(users[role])

    assert client.get(url(pilot)).status_code == expected
    posted = client.post(url(pilot), {"rationale": "x", "evidence_level": "2"})
    assert posted.status_code == (200 if expected == 200 else expected)
    assert not StageDecision.objects.exists()
    assert not EvidenceRecord.objects.exists()


@pytest.mark.parametrize("url", [stage_url, evidence_url])
def test_the_decision_pages_need_login(client, seved, url):
    pilot = PilotFactory(area=seved)

    response = client.get(url(pilot))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["pilots:stage", "pilots:evidence"])
def test_the_decision_pages_of_an_unknown_pilot_are_404(client, lead_seved, name):
    client.force_login(lead_seved)

    assert client.get(reverse(name, args=["finns-inte"])).status_code == 404


@pytest.mark.parametrize("url", [stage_url, evidence_url])
def test_an_archived_pilot_has_no_decision_pages(client, lead_seved, seved, url):
    pilot = PilotFactory(area=seved, archived_at=timezone.now())
    client.force_login(lead_seved)

    assert client.get(url(pilot)).status_code == 403


# Pages: stage decisions ----------------------------------------------------------------------


def test_a_lead_records_a_decision_that_shows_on_the_pilot_page(client, lead_seved, seved):
    pilot = PilotFactory(area=seved, stage=Stage.IDEA)
    client.force_login(lead_seved)
    page = client.get(stage_url(pilot)).content.decode()
    assert 'value="prototype"' in page
    assert 'value="pilot"' not in page  # only allowed moves are offered

    response = client.post(
        stage_url(pilot),
        {
            "to_stage": "prototype",
            "decision": "go",
            "rationale": "Skolan vill vara med.",
            "version": 1,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == pilot.get_absolute_url() + "#stage-heading"
    assert Pilot.objects.get(pk=pilot.pk).stage == Stage.PROTOTYPE
    html = client.get(pilot.get_absolute_url()).content.decode()
    assert "Skolan vill vara med." in html
    assert html.count('aria-current="step"') == 1


def test_a_decision_without_rationale_is_refused_with_a_message(client, lead_seved, seved):
    pilot = PilotFactory(area=seved, stage=Stage.IDEA)
    client.force_login(lead_seved)

    response = client.post(
        stage_url(pilot),
        {"to_stage": "prototype", "decision": "go", "rationale": "  ", "version": 1},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["rationale"]
    assert 'id="form-errors"' in response.content.decode()
    pilot.refresh_from_db()
    assert (pilot.stage, pilot.version, StageDecision.objects.count()) == (Stage.IDEA, 1, 0)


def test_a_refused_move_to_scaling_says_why_on_the_page(client, lead_seved, seved, english):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT, evidence_level=1)
    client.force_login(lead_seved)

    response = client.post(
        stage_url(pilot),
        {"to_stage": "scaling", "decision": "go", "rationale": "Nu.", "version": 1},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Moving to scaling needs evidence level 2 or higher" in html
    assert "Moving to scaling needs at least one indicator with measurements" in html
    assert (Pilot.objects.get(pk=pilot.pk).stage, StageDecision.objects.count()) == (
        Stage.PILOT,
        0,
    )


def test_a_decision_that_does_not_match_the_stage_says_what_it_does(
    client, lead_seved, seved, english
):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT)
    client.force_login(lead_seved)

    response = client.post(
        stage_url(pilot),
        {"to_stage": "stopped", "decision": "go", "rationale": "Nu.", "version": 1},
    )

    assert "“Go” moves the pilot to the next stage, which is Scaling." in response.content.decode()
    assert not StageDecision.objects.exists()


def test_a_decision_on_a_stale_page_is_refused_and_the_next_submit_can_go_through(
    client, lead_seved, seved
):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT)
    decide(pilot, Stage.PILOT, ITERATE)  # someone else, version 1 → 2
    client.force_login(lead_seved)
    data = {"to_stage": "prototype", "decision": "iterate", "rationale": "Om igen.", "version": 1}

    response = client.post(stage_url(pilot), data)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert response.context["form"].data["version"] == "2"
    assert StageDecision.objects.count() == 1
    assert client.post(stage_url(pilot), {**data, "version": 2}).status_code == 302


def test_a_mainstreamed_pilot_offers_no_decision(client, lead_seved, seved, english):
    pilot = PilotFactory(area=seved, stage=Stage.MAINSTREAMED)
    client.force_login(lead_seved)

    response = client.get(stage_url(pilot))

    html = response.content.decode()
    assert response.status_code == 200
    assert "its stage is final" in html
    assert "Record the decision" not in html
    posted = client.post(
        stage_url(pilot), {"to_stage": "stopped", "decision": "stop", "rationale": "Nu."}
    )
    assert posted.status_code == 200
    assert not StageDecision.objects.exists()


# Pages: evidence -----------------------------------------------------------------------------


def test_a_lead_sets_the_evidence_that_shows_on_the_pilot_page(client, lead_seved, seved, english):
    pilot = PilotFactory(area=seved, evidence_level=1)
    attachment = make_attachment(pilot)
    client.force_login(lead_seved)

    response = client.post(
        evidence_url(pilot),
        {
            "evidence_level": "2",
            "method_note": "Enkät till 40 deltagare före och efter.",
            "evidence_links": "https://malmo.se/rapport\r\n\r\nhttps://mau.se/data",
            "attachment": attachment.pk,
            "version": 1,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == pilot.get_absolute_url() + "#evidence-heading"
    record = EvidenceRecord.objects.get()
    assert (record.level, record.link_list, record.attachment) == (
        2,
        ["https://malmo.se/rapport", "https://mau.se/data"],
        attachment,
    )
    html = client.get(pilot.get_absolute_url()).content.decode()
    assert "Enkät till 40 deltagare före och efter." in html
    assert 'href="https://mau.se/data"' in html
    assert "We capture data that shows positive change" in html
    assert reverse("pilots:attachment-download", args=[pilot.slug, attachment.pk]) in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"evidence_level": "3", "method_note": ""}, "method_note"),
        ({"evidence_level": "2", "evidence_links": "javascript:alert(1)"}, "evidence_links"),
        (
            {
                "evidence_level": "2",
                "evidence_links": "\n".join(f"https://a.se/{n}" for n in range(11)),
            },
            "evidence_links",
        ),
        ({"evidence_level": "2", "method_note": "x" * 2_001}, "method_note"),
        ({"evidence_level": "9", "method_note": "Ja."}, "evidence_level"),
        ({"evidence_level": "2", "method_note": "Ja.", "attachment": "999999"}, "attachment"),
    ],
)
def test_the_evidence_form_rejects_bad_input_with_a_message(client, lead_seved, seved, data, field):
    pilot = PilotFactory(area=seved, evidence_level=1)
    client.force_login(lead_seved)

    response = client.post(evidence_url(pilot), {"version": 1, "method_note": "Enkät.", **data})

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'id="form-errors"' in response.content.decode()
    pilot.refresh_from_db()
    assert (pilot.evidence_level, pilot.version, EvidenceRecord.objects.count()) == (1, 1, 0)


def test_the_evidence_form_refuses_to_record_nothing(client, lead_seved, seved):
    pilot = PilotFactory(area=seved, evidence_level=2)
    client.force_login(lead_seved)

    response = client.post(evidence_url(pilot), {"evidence_level": "2", "version": 1})

    assert response.context["form"].non_field_errors()
    assert not EvidenceRecord.objects.exists()


def test_a_mistyped_link_gets_its_own_message_only(client, lead_seved, seved, english):
    pilot = PilotFactory(area=seved, evidence_level=2)
    client.force_login(lead_seved)

    response = client.post(
        evidence_url(pilot), {"evidence_level": "2", "evidence_links": "malmo.se", "version": 1}
    )

    form = response.context["form"]
    assert list(form.errors) == ["evidence_links"]
    assert form.errors["evidence_links"] == [
        "Line 1 is not a web address starting with https:// or http://: malmo.se"
    ]


# The pilot page ------------------------------------------------------------------------------


def test_the_pilot_page_marks_the_current_stage_in_text_and_for_assistive_technology(
    client, staff_seved, seved, english
):
    pilot = PilotFactory(area=seved, stage=Stage.SCALING)
    client.force_login(staff_seved)

    html = client.get(pilot.get_absolute_url()).content.decode()

    current = html.split('aria-current="step"')[1].split("</li>")[0]
    assert "Scaling (current stage)" in current
    assert "No stage decisions have been recorded yet." in html


def test_the_pilot_page_lists_decisions_newest_first_with_who(client, staff_seved, seved, english):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT)
    StageDecisionFactory(
        pilot=pilot,
        from_stage=Stage.IDEA,
        to_stage=Stage.PROTOTYPE,
        rationale="Första beslutet.",
        decided_at=timezone.now() - timezone.timedelta(days=30),
    )
    newest = StageDecisionFactory(pilot=pilot, rationale="Andra beslutet.")
    client.force_login(staff_seved)

    html = client.get(pilot.get_absolute_url()).content.decode()

    assert html.index("Andra beslutet.") < html.index("Första beslutet.")
    assert newest.decided_by.get_full_name() in html


@pytest.mark.parametrize("count", [1, 15])
def test_the_stage_panel_takes_two_queries_whatever_the_number_of_decisions(
    rf, staff_seved, seved, django_assert_num_queries, count
):
    pilot = PilotFactory(area=seved)
    StageDecisionFactory.create_batch(count, pilot=pilot)
    set_evidence(pilot, 2, attachment=make_attachment(pilot))
    request = rf.get(pilot.get_absolute_url())
    request.user = staff_seved

    # the decisions with who made them; the newest evidence record with its author and file
    with django_assert_num_queries(2):
        context = decisions.panel_context(request, pilot)
        render_to_string("pilots/_stage_panel.html", {"pilot": pilot, **context})

    assert len(context["stage_decisions"]) == count


def test_the_pilot_page_keeps_its_query_count_with_many_decisions(client, staff_seved, seved):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT, evidence_level=1)
    StageDecisionFactory(pilot=pilot)
    set_evidence(pilot, 2, attachment=make_attachment(pilot))
    client.force_login(staff_seved)
    client.get(pilot.get_absolute_url())  # warm the session and caches

    with CaptureQueriesContext(connection) as few:
        assert client.get(pilot.get_absolute_url()).status_code == 200
    StageDecisionFactory.create_batch(14, pilot=pilot)
    for _ in range(5):
        set_evidence(Pilot.objects.get(pk=pilot.pk), 3, links=["https://malmo.se/a"])
    with CaptureQueriesContext(connection) as many:
        assert client.get(pilot.get_absolute_url()).status_code == 200

    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_evidence_badge_carries_the_meaning_in_title_and_text():
    pilot = Pilot(evidence_level=3)

    with translation.override("en"):
        html = render_to_string("pilots/_evidence_badge.html", {"pilot": pilot})
        short = render_to_string("pilots/_evidence_badge.html", {"pilot": pilot, "short": True})

    meaning = "3 – We can show causality, e.g. with a comparison group"
    assert f'title="{meaning}"' in html
    assert f'<span class="visually-hidden">: {meaning}</span>' in html
    assert "Evidence level 3" in html
    assert "Level 3" in short


# Hostile input -------------------------------------------------------------------------------

HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "\x00", "<script>alert(1)</script>", "'; DROP TABLE x;--"]),
    st.text(max_size=6_000).map(lambda text: text * 2),
)
# About half the examples carry the version the page handed out, so many reach the service.
HOSTILE_VERSION = st.one_of(
    st.just("1"),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "2", "abc", "1e9", "-0"]),
)


@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    move=st.one_of(
        # allowed from "pilot", and the refused move to scaling (no indicator data)
        st.sampled_from(
            [("iterate", "pilot"), ("iterate", "prototype"), ("stop", "stopped"), ("go", "scaling")]
        ),
        st.tuples(
            st.one_of(st.sampled_from(StageDecision.Decision.values), st.text(max_size=20)),
            st.one_of(st.sampled_from(Stage.values), st.text(max_size=20)),
        ),
    ),
    rationale=HOSTILE_TEXT,
    version=HOSTILE_VERSION,
)
def test_the_stage_form_never_fails_and_writes_all_or_nothing(
    client, lead_seved, seved, move, rationale, version
):
    pilot = PilotFactory(area=seved, stage=Stage.PILOT, evidence_level=2)
    client.force_login(lead_seved)
    decision, to_stage = move

    response = client.post(
        stage_url(pilot),
        {"to_stage": to_stage, "decision": decision, "rationale": rationale, "version": version},
    )

    assert response.status_code in {200, 302}
    event(f"status {response.status_code}")
    stored = Pilot.objects.get(pk=pilot.pk)
    recorded = list(StageDecision.objects.filter(pilot=pilot))
    if response.status_code == 302:
        assert len(recorded) == 1
        assert (stored.stage, stored.version) == (recorded[0].to_stage, 2)
        assert recorded[0].rationale.strip()
    else:
        assert (recorded, stored.stage, stored.version) == ([], Stage.PILOT, 1)


@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    level=st.one_of(
        st.sampled_from(["1", "3", "5"]),
        st.integers(min_value=-3, max_value=8).map(str),
        st.text(max_size=10),
    ),
    note=HOSTILE_TEXT,
    links=st.one_of(
        st.just(""),
        HOSTILE_TEXT,
        st.lists(
            st.sampled_from(["https://malmo.se/a", "http://mau.se/b?x=1", " ", "ftp://x.se"]),
            max_size=14,
        ).map("\r\n".join),
        st.lists(st.text(max_size=40), max_size=14).map("\n".join),
    ),
    attachment=st.one_of(
        st.just(""), st.sampled_from(["0", "-1", "abc", "9" * 30]), st.integers().map(str)
    ),
    version=HOSTILE_VERSION,
)
def test_the_evidence_form_never_fails_and_writes_all_or_nothing(
    client, lead_seved, seved, level, note, links, attachment, version
):
    pilot = PilotFactory(area=seved, evidence_level=2)
    client.force_login(lead_seved)

    response = client.post(
        evidence_url(pilot),
        {
            "evidence_level": level,
            "method_note": note,
            "evidence_links": links,
            "attachment": attachment,
            "version": version,
        },
    )

    assert response.status_code in {200, 302}
    event(f"status {response.status_code}")
    stored = Pilot.objects.get(pk=pilot.pk)
    records = list(EvidenceRecord.objects.filter(pilot=pilot))
    if response.status_code == 302:
        assert len(records) == 1
        assert (stored.evidence_level, stored.version) == (records[0].level, 2)
        assert len(records[0].link_list) <= services.EVIDENCE_LINK_LIMIT
    else:
        assert (records, stored.evidence_level, stored.version) == ([], 2, 1)
