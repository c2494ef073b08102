"""The pilot list's filters; they live in the URL so a filtered list can be bookmarked."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django.forms.renderers import BaseRenderer
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from pilots.models import EvidenceLevel, Pilot, Stage, Theme

SEARCH_LIMIT = 200


class PlainSelect(forms.Select):
    """A select with the same markup as Django's, its options written in Python.

    Django renders every option through two small templates; with the hundreds of areas of a
    city-wide data set that took most of the pilot list's time. Flat choices only (no optgroups).
    """

    def render(
        self,
        name: str,
        value: object,
        attrs: dict[str, object] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


# The ladder from idea to mainstream practice, then stopped: the order of Stage's members.
STAGE_ORDER = Case(
    *(When(stage=stage, then=Value(rank)) for rank, stage in enumerate(Stage.values)),
    output_field=IntegerField(),
)


class PilotOrdering(django_filters.OrderingFilter):
    """Sorting with labels for both directions, stages along the ladder, undated pilots last.

    Stages are stored as English codes, whose alphabetical order means nothing on the page.
    Without a start date a pilot goes last in both directions (PostgreSQL would put it first
    when sorting by the latest start).
    """

    def get_ordering_value(self, param: str) -> str | OrderBy:
        ordering = super().get_ordering_value(param)
        descending = ordering.startswith("-")
        name = ordering.removeprefix("-")
        if name == "stage":
            return STAGE_ORDER.desc() if descending else STAGE_ORDER.asc()
        if name == "start_date":
            field = F(name)
            return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
        return ordering


class PilotFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=SEARCH_LIMIT)
    area = django_filters.ModelChoiceFilter(
        label=_("Area"),
        queryset=Area.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("All areas"),
        widget=PlainSelect,
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=Stage.choices, empty_label=_("All stages")
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        field_name="themes",
        queryset=Theme.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("All themes"),
        widget=PlainSelect,
    )
    evidence_level = django_filters.ChoiceFilter(
        label=_("Evidence level"),
        choices=EvidenceLevel.choices,
        empty_label=_("All levels"),
    )
    sort = PilotOrdering(
        label=_("Sort by"),
        empty_label=_("Recently updated"),
        fields=(
            ("title", "title"),
            ("area__name", "area"),
            ("stage", "stage"),
            ("evidence_level", "evidence"),
            ("start_date", "start"),
            ("updated_at", "updated"),
        ),
        # Every option says which way it sorts: django-filter's "(descending)" is English only.
        choices=[
            ("title", _("Title (A–Z)")),
            ("-title", _("Title (Z–A)")),
            ("area", _("Area (A–Z)")),
            ("-area", _("Area (Z–A)")),
            ("stage", _("Stage (idea first)")),
            ("-stage", _("Stage (stopped first)")),
            ("evidence", _("Evidence level (lowest first)")),
            ("-evidence", _("Evidence level (highest first)")),
            ("start", _("Start date (earliest first)")),
            ("-start", _("Start date (latest first)")),
            ("updated", _("Updated (oldest first)")),
            ("-updated", _("Updated (newest first)")),
        ],
    )

    class Meta:
        model = Pilot
        fields = ["q", "area", "stage", "theme", "evidence_level"]

    def search(self, queryset: QuerySet[Pilot], name: str, value: str) -> QuerySet[Pilot]:
        words = value.split()[:8]
        for word in words:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(need__icontains=word)
                | Q(summary__icontains=word)
                | Q(target_group__icontains=word)
            )
        return queryset
