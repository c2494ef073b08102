"""Forms for pilots. Each explains its fields briefly and keeps what was typed on errors."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from areas import roles
from areas.models import Area
from pilots.models import Partner, Pilot, Theme

TEXT_LIMIT = 10_000
MAX_BUDGET_SEK = 100_000_000_000
MAX_PARTICIPANTS = 10_000_000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


# The range of the database's (64-bit) ids.
ID_RANGE = range(-(2**63), 2**63)


class IdListField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows that refuses ids beyond the database's range before asking it.

    Django keeps out-of-range numbers from = and < lookups but not from IN lists, where SQLite
    raises OverflowError: a posted id of 10**30 would answer with a server error.
    """

    @staticmethod
    def _out_of_range(pk: object) -> bool:
        text = str(pk).strip()
        digits = text.removeprefix("-").removeprefix("+")
        if not digits.isdigit():
            return False  # not a whole number at all: Django's own check refuses it
        # Longer than any 64-bit id (and too long for int() to read).
        return len(digits) > 19 or int(text) not in ID_RANGE

    def _check_values(self, value: Iterable[object]) -> QuerySet:
        for pk in value:
            if self._out_of_range(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)

    def bound_data(self, data: object, initial: object) -> object:
        # The form shown again after an error must not look up what cannot be an id.
        if isinstance(data, list | tuple):
            return [pk for pk in data if str(pk).isdigit() and not self._out_of_range(pk)]
        return super().bound_data(data, initial)


# A whole number as IntegerField reads it: a sign, digits, and an optional ".000" ending.
WHOLE_NUMBER = re.compile(r"\s*(?P<sign>[+-]?)0*(?P<digits>[0-9]+)(?:\.0*)?\s*")


class CappedIntegerField(forms.IntegerField):
    """A whole number up to ``limit``, refused beyond it with the portal's own message.

    Without it, two of Django's checks answer first: the database column's range ("less than
    or equal to 9223372036854775807") and, for more digits than Python reads (4,300), "Enter a
    whole number", although it is one, only far too large.
    """

    limit: int
    too_large: str | Promise

    def __init__(self, **kwargs: object) -> None:
        # The model field's own (64-bit) maximum gives way to the portal's smaller one.
        kwargs.pop("max_value", None)
        super().__init__(max_value=self.limit, **kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, MaxValueValidator)
        ]
        self.validators.append(MaxValueValidator(self.limit, message=self.too_large))

    def to_python(self, value: object) -> int | None:
        match = WHOLE_NUMBER.fullmatch(value) if isinstance(value, str) else None
        if match and len(match["digits"]) > len(str(self.limit)):
            # Longer than the limit, so beyond it (or below zero) whatever the digits are: a
            # stand-in just past the limit gets the same answer from the checks without int().
            return -(self.limit + 1) if match["sign"] == "-" else self.limit + 1
        return super().to_python(value)


class BudgetField(CappedIntegerField):
    limit = MAX_BUDGET_SEK
    too_large = _("Enter a budget of at most 100 billion kronor.")


class ParticipantsField(CappedIntegerField):
    limit = MAX_PARTICIPANTS
    too_large = _("Enter at most 10 million participants.")


class VersionedForm(forms.ModelForm):
    """Carries the version the user opened, so a concurrent save can be detected."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = self.instance.version

    def clean_version(self) -> int | None:
        version = self.cleaned_data.get("version")
        if version is None and self.instance.pk:
            # Without the version it was opened at, a save could overwrite someone else's.
            self.add_error(
                None,
                _(
                    "The form did not say which version you opened, so nothing was saved. "
                    "Open the page again and repeat your changes."
                ),
            )
        return version

    def expected_version(self) -> int:
        return self.cleaned_data["version"] or self.instance.version

    def refuse_as_outdated(self, message: str, saved: Model) -> None:
        """Someone saved ``saved`` since this form was opened: say so and keep what was typed.

        The form then carries the version it was compared with, so that sending it again is a
        deliberate choice to replace what the other person saved.
        """
        self.add_error(None, message)
        self.data = self.data.copy()
        stored = type(saved).objects.values_list("version", flat=True).get(pk=saved.pk)
        self.data["version"] = str(stored)


class PilotForm(VersionedForm):
    class Meta:
        model = Pilot
        fields = [
            "title",
            "area",
            "need",
            "summary",
            "approach",
            "target_group",
            "themes",
            "partners",
            "start_date",
            "end_date",
            "budget_sek",
            "participants_reached",
            "lead",
            "lessons",
            "adaptation_notes",
        ]
        field_classes = {
            "themes": IdListField,
            "partners": IdListField,
            "budget_sek": BudgetField,
            "participants_reached": ParticipantsField,
        }
        widgets = {
            "need": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "approach": forms.Textarea(attrs={"rows": 4}),
            "lessons": forms.Textarea(attrs={"rows": 4}),
            "adaptation_notes": forms.Textarea(attrs={"rows": 3}),
            "themes": forms.CheckboxSelectMultiple,
            "partners": forms.SelectMultiple(attrs={"size": 6}),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }
        help_texts = {
            "title": _("A short name people will recognise, e.g. “Homework help at Seved school”."),
            "area": _("The area whose team runs the pilot. You can choose among your own areas."),
            "need": _("Start here: the urgent need in the area that this pilot answers."),
            "summary": _("Two or three sentences for someone who has never heard of it."),
            "approach": _("What you do, with whom, how often."),
            "target_group": _("Who the pilot is for, e.g. “young people aged 16–19”."),
            "themes": _("Choose one or more."),
            "partners": _("Organisations working with you. Hold Ctrl (⌘ on Mac) to pick several."),
            "start_date": _("When the pilot started or will start."),
            "end_date": _("Leave empty while it runs without a set end."),
            "budget_sek": _("Whole kronor, total for the pilot."),
            "participants_reached": _("People reached so far, as a whole number."),
            "lead": _("The person who answers for the pilot; a member of the area's team."),
            "lessons": _("What you have learnt that others should know."),
            "adaptation_notes": _("For an adapted pilot: what was kept, what changed and why."),
        }

    def __init__(self, *args: object, user: AbstractBaseUser, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        my_area_ids = set(roles.area_roles(user))
        if self.instance.pk:
            my_area_ids.add(self.instance.area_id)
        areas = Area.objects.filter(pk__in=my_area_ids)
        if user.is_superuser:
            # Superusers pass every permission check, creating included, so they may place a
            # pilot in any active area (they seldom belong to an area team).
            areas = Area.objects.filter(Q(is_active=True) | Q(pk__in=my_area_ids))
        self.fields["area"].queryset = areas
        only_one = len(my_area_ids) == 1 and not user.is_superuser
        self.fields["area"].empty_label = None if only_one else "---------"
        self.fields["lead"].queryset = (
            get_user_model()
            .objects.filter(memberships__area__in=areas, is_active=True)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["lead"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )
        self.fields["themes"].queryset = Theme.objects.order_by("name")
        self.fields["partners"].queryset = Partner.objects.order_by("name")
        if not (self.instance.pk and self.instance.adapted_from_id):
            del self.fields["adaptation_notes"]
        for name in ("need", "summary", "approach", "lessons", "adaptation_notes"):
            if name in self.fields:
                self.fields[name].validators.append(MaxLengthValidator(TEXT_LIMIT))
                self.fields[name].widget.attrs["maxlength"] = TEXT_LIMIT

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        area, lead = cleaned.get("area"), cleaned.get("lead")
        if area and lead and not lead.memberships.filter(area=area).exists():
            self.add_error("lead", _("The lead must be a member of the pilot's area team."))
        return cleaned


class ArchiveForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, archive this pilot"),
        help_text=_("It leaves lists and dashboards but keeps all its data and history."),
    )
