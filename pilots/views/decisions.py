"""A lead's decisions on a pilot: moves on the stage ladder and the evidence level.

Both pages belong to the leads of the pilot's area (``get_pilot_for_decision``); the pilot page
shows everyone the ladder, every decision and the evidence behind the level.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pilots import services
from pilots.forms import VersionedForm
from pilots.forms_decisions import EvidenceForm, StageDecisionForm
from pilots.models import EvidenceRecord, Pilot, Stage, StageDecision
from pilots.views.access import get_pilot_for_decision


def stage_ladder(pilot: Pilot) -> list[dict[str, object]]:
    return [
        {"value": stage, "label": stage.label, "current": pilot.stage == stage}
        for stage in services.STAGE_LADDER
    ]


def _evidence_records(pilot: Pilot) -> list[EvidenceRecord]:
    return list(
        pilot.evidence_records.select_related("set_by", "attachment").order_by("-set_at", "-pk")
    )


def panel_context(request: HttpRequest, pilot: Pilot) -> dict[str, object]:
    """What the pilot page's stage panel needs, in a fixed number of queries.

    Two queries whatever the number of decisions: the decisions with who made them, and the
    newest evidence record with its author and file.
    """
    decisions = pilot.stage_decisions.select_related("decided_by").order_by("-decided_at", "-pk")
    evidence = (
        pilot.evidence_records.select_related("set_by", "attachment")
        .order_by("-set_at", "-pk")
        .first()
    )
    return {
        "stage_ladder": stage_ladder(pilot),
        "stage_is_stopped": pilot.stage == Stage.STOPPED,
        "stage_decisions": list(decisions),
        "evidence_record": evidence,
    }


def _refuse_stale(form: VersionedForm, pilot: Pilot) -> None:
    """Say that someone else decided first, and let a second submit judge their version."""
    form.refuse_as_outdated(
        _(
            "Someone else changed this pilot while you had this page open, so nothing was "
            "saved. Check the pilot page to see what changed, then decide again."
        ),
        pilot,
    )


def _stage_page_context(
    pilot: Pilot, form: StageDecisionForm, has_indicator_data: bool
) -> dict[str, object]:
    """The form with the ladder, and whether the pilot is ready for scaling, if that is next."""
    return {
        "form": form,
        "pilot": pilot,
        "stage_ladder": stage_ladder(pilot),
        "stage_is_stopped": pilot.stage == Stage.STOPPED,
        "scaling_is_next": (StageDecision.Decision.GO, Stage.SCALING)
        in services.stage_moves(pilot.stage),
        "scaling_min_evidence": services.SCALING_MIN_EVIDENCE,
        "evidence_enough": pilot.evidence_level >= services.SCALING_MIN_EVIDENCE,
        "has_indicator_data": has_indicator_data,
    }


@require_http_methods(["GET", "POST"])
def pilot_stage(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = get_pilot_for_decision(request, slug)
    has_data = services.pilot_has_indicator_data(pilot)
    data = request.POST if request.method == "POST" else None
    form = StageDecisionForm(data, instance=pilot, has_indicator_data=has_data)
    if form.is_bound and form.is_valid():
        try:
            record = services.pilot_decide_stage(
                pilot=pilot,
                to_stage=form.cleaned_data["to_stage"],
                decision=form.cleaned_data["decision"],
                rationale=form.cleaned_data["rationale"],
                user=request.user,
                expected_version=form.expected_version(),
            )
        except services.ConcurrentEditError:
            _refuse_stale(form, pilot)
        except services.StageMoveRefused as refused:
            for problem in refused.problems:
                form.add_error(None, problem)
        else:
            messages.success(
                request,
                _("The decision was recorded. The pilot's stage is now %(stage)s.")
                % {"stage": record.get_to_stage_display()},
            )
            return redirect(pilot.get_absolute_url() + "#stage-heading")
    return render(request, "pilots/stage_form.html", _stage_page_context(pilot, form, has_data))


@require_http_methods(["GET", "POST"])
def pilot_evidence(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = get_pilot_for_decision(request, slug)
    form = EvidenceForm(request.POST if request.method == "POST" else None, instance=pilot)
    if form.is_bound and form.is_valid():
        try:
            record = services.pilot_set_evidence(
                pilot=pilot,
                level=form.cleaned_data["evidence_level"],
                method_note=form.cleaned_data["method_note"],
                evidence_links=form.cleaned_data["evidence_links"],
                attachment=form.cleaned_data.get("attachment"),
                user=request.user,
                expected_version=form.expected_version(),
            )
        except services.ConcurrentEditError:
            _refuse_stale(form, pilot)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The evidence level is now %(level)s.") % {"level": record.get_level_display()},
            )
            return redirect(pilot.get_absolute_url() + "#evidence-heading")
    context = {"form": form, "pilot": pilot, "evidence_records": _evidence_records(pilot)}
    return render(request, "pilots/evidence_form.html", context)
