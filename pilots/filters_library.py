"""The library's search and filters; they live in the URL so a search can be bookmarked."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from pilots import library
from pilots.models import Pilot, Theme

TEXT_LIMIT = 200


class LibraryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=TEXT_LIMIT,
        help_text=_("Words from the title, need, summary, approach, lessons or target group."),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        field_name="themes",
        queryset=Theme.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("All themes"),
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Area"),
        queryset=Area.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("All areas"),
    )
    target_group = django_filters.CharFilter(
        label=_("Target group"), lookup_expr="icontains", max_length=TEXT_LIMIT
    )

    class Meta:
        model = Pilot
        fields = ["q", "theme", "area", "target_group"]

    def search(self, queryset: QuerySet[Pilot], name: str, value: str) -> QuerySet[Pilot]:
        return library.search(queryset, value)
