"""Forms for importing measurements: the upload, and the confirmation of a previewed import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pilots import importing


class MeasurementImportForm(forms.Form):
    """A CSV or XLSX file; when valid, ``cleaned_data["rows"]`` holds its checked rows."""

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A .csv or .xlsx file of at most 2 MB with a header row and the columns "
            "indicator, period_end, value and note (or indikator, periodslut, värde and "
            "anteckning). Only the first sheet of a workbook is read."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        upload = cleaned_data.get("file")
        if upload is not None:
            try:
                cleaned_data["rows"] = importing.parse_rows(importing.read_table(upload))
            except ValidationError as error:
                self.add_error("file", error)
        return cleaned_data


class MeasurementImportConfirmForm(forms.Form):
    """The id under which the previewed rows wait in the session."""

    import_id = forms.CharField(max_length=64, widget=forms.HiddenInput)
