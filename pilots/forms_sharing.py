"""The form that creates a share link: only its expiry date is chosen by the user."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from pilots.models import ShareLink

DEFAULT_VALIDITY = dt.timedelta(days=30)
MAX_VALIDITY = dt.timedelta(days=365)


def last_moment_of(day: dt.date) -> dt.datetime:
    """A link chosen to expire on a day works until that day ends, in the portal's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


class ShareLinkForm(forms.ModelForm):
    expires_at = forms.DateField(
        label=_("Works until and including"),
        help_text=_("At most one year from today. You can revoke the link earlier at any time."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Choose the last day the link works."),
            "invalid": _("Enter a date such as 2025-06-30."),
        },
    )

    class Meta:
        model = ShareLink
        fields = ["expires_at"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        self.latest = self.today + MAX_VALIDITY
        field = self.fields["expires_at"]
        field.initial = self.today + DEFAULT_VALIDITY
        field.widget.attrs.update(min=self.today.isoformat(), max=self.latest.isoformat())

    def clean_expires_at(self) -> dt.datetime:
        day = self.cleaned_data["expires_at"]
        if day < self.today:
            raise forms.ValidationError(
                _("Choose today or a later day: a link cannot expire in the past."), code="past"
            )
        if day > self.latest:
            raise forms.ValidationError(
                _("A link works for at most one year: choose %(date)s or an earlier day."),
                code="too_late",
                params={"date": formats.date_format(self.latest, "SHORT_DATE_FORMAT")},
            )
        return last_moment_of(day)
