"""The form that adapts a pilot to one of the user's areas, pre-filled from the original."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from pilots.forms import TEXT_LIMIT, IdListField
from pilots.models import Pilot, Theme

TITLE_LIMIT = 200


def adapted_title(original: Pilot, area: Area | None) -> str:
    """“<original title> – <area>”, shortened to fit the title field."""
    if area is None:
        return original.title[:TITLE_LIMIT]
    suffix = f" – {area.name}"
    return original.title[: max(TITLE_LIMIT - len(suffix), 0)] + suffix


class AdaptForm(forms.ModelForm):
    """A new pilot for one of the user's areas; the view passes the original and the areas."""

    bring_partners = forms.BooleanField(
        label=_("Bring the partners along"),
        required=False,
    )

    class Meta:
        model = Pilot
        fields = [
            "area",
            "title",
            "need",
            "summary",
            "approach",
            "target_group",
            "themes",
            "adaptation_notes",
        ]
        field_classes = {"themes": IdListField}
        widgets = {
            "need": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "approach": forms.Textarea(attrs={"rows": 4}),
            "adaptation_notes": forms.Textarea(attrs={"rows": 5}),
            "themes": forms.CheckboxSelectMultiple,
        }
        labels = {"area": _("Adapt to"), "adaptation_notes": _("What is kept? What changes? Why?")}
        help_texts = {
            "area": _(
                "One of your areas. The new pilot starts there as an idea, with you as its lead."
            ),
            "title": _("A short name people in your area will recognise."),
            "need": _("The urgent need in your area. Is it the same as in the original area?"),
            "summary": _("Two or three sentences for someone who has never heard of it."),
            "approach": _("What you will do, with whom, how often."),
            "target_group": _("Who the pilot is for, e.g. “young people aged 16–19”."),
            "themes": _("Copied from the original; change them if the focus differs."),
            "adaptation_notes": _(
                "What you keep from the original, what you change for your area, and why. "
                "The next area to adapt it will read this."
            ),
        }

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        original: Pilot,
        areas: QuerySet[Area],
        partner_names: list[str],
    ) -> None:
        initial = {}
        if data is None:
            first_area = areas.first()
            initial = {
                "area": first_area,
                "title": adapted_title(original, first_area),
                "need": original.need,
                "summary": original.summary,
                "approach": original.approach,
                "target_group": original.target_group,
                "themes": [theme.pk for theme in original.themes.all()],
            }
        super().__init__(data, initial=initial)
        self.fields["area"].queryset = areas
        self.fields["area"].empty_label = None
        self.fields["area"].error_messages["invalid_choice"] = _(
            "Choose one of your areas. An adaptation goes to another area than the original's; "
            "in the same area, record a stage decision to iterate instead."
        )
        self.fields["themes"].queryset = Theme.objects.order_by("name")
        self.fields["adaptation_notes"].required = True
        self.fields["adaptation_notes"].error_messages["required"] = _(
            "Say what is kept, what changes and why: the next area to adapt it needs to know."
        )
        for name in ("need", "summary", "approach", "adaptation_notes"):
            self.fields[name].validators.append(MaxLengthValidator(TEXT_LIMIT))
            self.fields[name].widget.attrs["maxlength"] = TEXT_LIMIT
        if partner_names:
            self.fields["bring_partners"].help_text = _(
                "The original works with: %(partners)s. Tick to list them on your pilot too; "
                "you can change them later."
            ) % {"partners": escape(", ".join(partner_names))}
        else:
            del self.fields["bring_partners"]

    def service_arguments(self) -> dict[str, object]:
        """The cleaned form as keyword arguments for ``services.pilot_adapt``."""
        data = self.cleaned_data
        return {
            "area": data["area"],
            "title": data["title"],
            "need": data["need"],
            "summary": data["summary"],
            "approach": data["approach"],
            "target_group": data["target_group"],
            "themes": data["themes"],
            "adaptation_notes": data["adaptation_notes"],
            "copy_partners": data.get("bring_partners", False),
        }
