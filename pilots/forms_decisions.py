"""Forms for a lead's decisions on a pilot: its stage and its evidence level.

Both carry the pilot's version, so a decision made on a page opened before someone else's is
refused rather than silently stacked on it. The rules themselves live in ``pilots.services``.
"""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.utils.translation import gettext_lazy as _

from pilots import services
from pilots.forms import VersionedForm
from pilots.models import Attachment, EvidenceLevel, Pilot, Stage, StageDecision

# Versions are counters; anything beyond a database integer is not one the form handed out.
VERSION_LIMIT = 2_147_483_647


def _limit_version(form: VersionedForm) -> None:
    form.fields["version"].validators.append(MaxValueValidator(VERSION_LIMIT))


class StageDecisionForm(VersionedForm):
    """Go, iterate or stop: the new stage, the decision and why."""

    to_stage = forms.ChoiceField(label=_("New stage"), widget=forms.RadioSelect)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=StageDecision.Decision.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Go: on to the next stage (or restart a stopped pilot as an idea). Iterate: stay at "
            "this stage, or go one step back, and rework. Stop: end the pilot."
        ),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        error_messages={"required": _("Write the rationale: why this decision, on what grounds.")},
        help_text=_(
            "Why you decided this and on what grounds, for colleagues who read it later. "
            "At most 5,000 characters."
        ),
    )

    class Meta:
        model = Pilot
        fields: list[str] = []

    def __init__(self, *args: object, has_indicator_data: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _limit_version(self)
        self.has_indicator_data = has_indicator_data
        stage = self.instance.stage
        names = dict(Stage.choices)
        choices = []
        for decision, target in services.stage_moves(stage):
            if decision == StageDecision.Decision.GO:
                label = _("%(stage)s (next stage)")
            elif target == stage:
                label = _("%(stage)s (stay at this stage)")
            elif decision == StageDecision.Decision.ITERATE:
                label = _("%(stage)s (one step back)")
            else:
                label = _("%(stage)s (end the pilot)")
            choices.append((target, label % {"stage": names[target]}))
        self.fields["to_stage"].choices = choices
        self.fields["rationale"].validators.append(MaxLengthValidator(services.RATIONALE_LIMIT))
        self.fields["rationale"].widget.attrs["maxlength"] = services.RATIONALE_LIMIT

    def clean_rationale(self) -> str:
        rationale = services.plain_text(self.cleaned_data["rationale"])
        if not rationale:
            raise forms.ValidationError(self.fields["rationale"].error_messages["required"])
        return rationale

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        to_stage, decision = cleaned.get("to_stage"), cleaned.get("decision")
        if to_stage and decision:
            for problem in services.stage_move_problems(
                self.instance, to_stage, decision, self.has_indicator_data
            ):
                self.add_error(None, problem)
        return cleaned


class EvidenceForm(VersionedForm):
    """The evidence level (Nesta Standards of Evidence) with what it rests on.

    The level is not a model field of the form: the service compares it with the stored one,
    so validating the form must not write it into the pilot.
    """

    evidence_level = forms.TypedChoiceField(
        label=_("Evidence level"),
        choices=EvidenceLevel.choices,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("Nesta Standards of Evidence: each level builds on the ones below it."),
    )
    method_note = forms.CharField(
        label=_("How the evidence was gathered"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        help_text=_(
            "The method in a few sentences, e.g. “Before-and-after survey of 40 participants, "
            "compared with the school's other classes”. Required when you raise the level. "
            "At most 2,000 characters."
        ),
    )
    evidence_links = forms.CharField(
        label=_("Links to the evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "inputmode": "url", "spellcheck": "false"}),
        help_text=_(
            "Optional: reports or data online, one address per line, each starting with "
            "https:// or http://. At most 10."
        ),
    )
    attachment = forms.ModelChoiceField(
        label=_("A file on this pilot as evidence"),
        queryset=Attachment.objects.none(),
        required=False,
        empty_label=_("No file"),
        help_text=_("Optional: one of the files uploaded to this pilot, e.g. an evaluation."),
    )

    class Meta:
        model = Pilot
        fields: list[str] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _limit_version(self)
        self.stored_level = self.instance.evidence_level
        self.fields["evidence_level"].initial = self.stored_level
        self.fields["attachment"].queryset = self.instance.attachments.order_by("-uploaded_at")
        self.fields["method_note"].validators.append(MaxLengthValidator(services.METHOD_NOTE_LIMIT))
        self.fields["method_note"].widget.attrs["maxlength"] = services.METHOD_NOTE_LIMIT

    def clean_method_note(self) -> str:
        return services.plain_text(self.cleaned_data.get("method_note"))

    def clean_evidence_links(self) -> list[str]:
        return services.evidence_links_from_text(self.cleaned_data.get("evidence_links") or "")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        level = cleaned.get("evidence_level")
        if level is None or "method_note" not in cleaned:
            return cleaned
        note = cleaned["method_note"]
        if level > self.stored_level and not note:
            self.add_error(
                "method_note", _("Say how the evidence was gathered when raising the level.")
            )
            return cleaned
        has_evidence = note or cleaned.get("evidence_links") or cleaned.get("attachment")
        # Only when all else is valid: "nothing to record" next to a mistyped link would confuse.
        if level == self.stored_level and not has_evidence and not self.errors:
            self.add_error(
                None,
                _(
                    "Nothing to record: choose another level, or add the evidence behind the "
                    "current one."
                ),
            )
        return cleaned
