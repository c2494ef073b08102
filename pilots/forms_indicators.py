"""Forms for a pilot's indicators and measurements.

Numbers follow the page's language (1 234,5 in Swedish, 1,234.5 in English), must fit the
database's 14 digits with 2 decimals, and are refused rather than rounded when they do not.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilots import number_input
from pilots.forms import DateInput, VersionedForm
from pilots.models import Indicator, IndicatorDefinition, Measurement, Pilot

NOTE_LIMIT = 2_000
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


class NumberField(forms.DecimalField):
    """A number as the page's language prints it (1 234,5 or 1,234.5) or plainly (1234.5).

    It reads numbers with the same parser as the measurement import, so whatever the portal
    prints can be typed back, and the value is exact. The text input keeps browsers from
    rewriting what was typed; inputmode still gives phones a keyboard with digits.
    """

    default_error_messages = {
        "invalid": _("Enter a number, e.g. 1234.5 or 1,234.5."),
        "max_whole_digits": _("Enter a number of at most 12 digits before the decimal point."),
        "max_digits": _("Enter a number of at most 12 digits before the decimal point."),
        "max_decimal_places": _("Enter at most 2 decimals."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs["localize"] = True
        kwargs["widget"] = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(**kwargs)

    def to_python(self, value: object) -> Decimal | None:
        text = "" if value in self.empty_values else str(value).strip()
        if not text:
            return None
        try:
            return number_input.parse_number(text, number_input.page_style())
        except number_input.NumberError as error:
            code = str(error.problem)
            raise forms.ValidationError(self.error_messages[code], code=code) from None


def _check_date_range(value: dt.date | None) -> dt.date | None:
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise forms.ValidationError(_("Enter a date between 1900 and 2100."))
    return value


class IndicatorForm(VersionedForm):
    """Add a catalogue indicator to a pilot, or change its baseline and target."""

    class Meta:
        model = Indicator
        fields = ["definition", "baseline_value", "baseline_date", "target_value", "target_date"]
        widgets = {"baseline_date": DateInput(), "target_date": DateInput()}
        field_classes = {"baseline_value": NumberField, "target_value": NumberField}
        help_texts = {
            "definition": _(
                "Choose from the city's shared catalogue, so your pilot can be compared with "
                "others on the same indicator."
            ),
            "baseline_value": _("The value before the pilot started, in the indicator's unit."),
            "baseline_date": _("When the baseline was measured."),
            "target_value": _("The value you aim for. It may be lower than the baseline."),
            "target_date": _("When you aim to reach it; not before the baseline date."),
        }

    def __init__(self, *args: object, pilot: Pilot, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.pilot = pilot
        self.instance.pilot = pilot
        definition = self.fields["definition"]
        if self.instance.pk:
            # Measurements belong to one definition; switching it would change their meaning.
            definition.disabled = True
            definition.queryset = IndicatorDefinition.objects.filter(pk=self.instance.definition_id)
            definition.help_text = _("The indicator cannot change once it is added.")
        else:
            definition.queryset = IndicatorDefinition.objects.active().order_by("code")
            taken = set(pilot.indicators.values_list("definition_id", flat=True))
            # Offer only free definitions; a taken one posted anyway gets a clear message.
            definition.choices = [("", "---------")] + [
                (choice.pk, str(choice)) for choice in definition.queryset if choice.pk not in taken
            ]
            self.taken_definition_ids = taken

    def clean_definition(self) -> IndicatorDefinition | None:
        definition = self.cleaned_data.get("definition")
        if (
            definition is not None
            and not self.instance.pk
            and definition.pk in self.taken_definition_ids
        ):
            raise forms.ValidationError(
                _("This pilot already follows this indicator. Edit the existing one instead.")
            )
        return definition

    def clean_baseline_date(self) -> dt.date | None:
        return _check_date_range(self.cleaned_data.get("baseline_date"))

    def clean_target_date(self) -> dt.date | None:
        return _check_date_range(self.cleaned_data.get("target_date"))


class MeasurementForm(VersionedForm):
    """One value of an indicator for the period ending on period_end."""

    class Meta:
        model = Measurement
        fields = ["period_end", "value", "note"]
        widgets = {"period_end": DateInput()}
        field_classes = {"value": NumberField}
        help_texts = {
            "period_end": _("The last day of the period the value describes."),
            "note": _("Optional: where the number comes from, or what was special."),
        }

    def __init__(self, *args: object, indicator: Indicator, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.instance.indicator = indicator
        # Set when the period already has a measurement, so the page can link to it.
        self.existing_measurement: Measurement | None = None
        if not self.instance.pk and not self.is_bound:
            self.fields["period_end"].initial = timezone.localdate()
        unit = indicator.definition.unit
        if unit:
            self.fields["value"].label = _("Value (%(unit)s)") % {"unit": unit}
        note = self.fields["note"]
        note.widget = forms.TextInput(attrs={"maxlength": NOTE_LIMIT, "autocomplete": "off"})
        note.validators.append(MaxLengthValidator(NOTE_LIMIT))
        note.label = _("Note (optional)")

    def clean_period_end(self) -> dt.date | None:
        period_end = _check_date_range(self.cleaned_data.get("period_end"))
        if period_end is None:
            return None
        existing = (
            Measurement.objects.filter(indicator=self.indicator, period_end=period_end)
            .exclude(pk=self.instance.pk)
            .first()
        )
        if existing is not None:
            self.existing_measurement = existing
            raise forms.ValidationError(
                _(
                    "There is already a measurement for this period end. Nothing was "
                    "overwritten: edit the existing measurement or choose another date."
                )
            )
        return period_end

    def cleaned_data_for_service(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in ("period_end", "value", "note")}

    def prepare_inline(self, *, focus: bool = False) -> None:
        """Style the compact form on the pilot page and tie each field to its error text.

        With focus, the first field with an error (or else the value) takes the keyboard focus
        when htmx swaps the form in, so the user can correct it or type the next value.
        """
        first_error = next((name for name in self.fields if name in self.errors), None)
        focus_on = (first_error or "value") if focus else None
        for name, field in self.fields.items():
            if field.widget.is_hidden:
                continue
            # The compact form shows no help texts, so nothing may point at them.
            field.help_text = ""
            attrs = field.widget.attrs
            classes = ["form-control", "form-control-sm"]
            if self.is_bound and name in self.errors:
                classes.append("is-invalid")
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"
            attrs["class"] = " ".join(classes)
            if name == focus_on:
                attrs["autofocus"] = True
