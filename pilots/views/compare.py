"""The compare page: pilots side by side, areas on one indicator, and the forms to choose them.

Everything arrives in the query string, so a comparison can be bookmarked and shared. Bad input
(unknown pilots or indicators, too few or too many pilots, both kinds at once, junk) renders the
choosing forms with a message and status 400; it never raises.
"""

from __future__ import annotations

from django import forms
from django.core.validators import slug_re
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from pilots import compare as selectors
from pilots.models import IndicatorDefinition, Pilot

# Far more than anyone ticks; beyond it the input is junk and is not looked up.
MAX_SLUGS = 50
SLUG_LENGTH = Pilot._meta.get_field("slug").max_length


class SlugListField(forms.Field):
    """Repeated ``pilots=`` parameters, blanks dropped, in the order given."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: object) -> list[str]:
        if not value:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        return [str(item).strip() for item in value if str(item).strip()]

    def validate(self, value: list[str]) -> None:
        if len(value) > MAX_SLUGS:
            raise forms.ValidationError(
                _("Choose at most %(max)d pilots.") % {"max": selectors.MAX_PILOTS}
            )


class CompareForm(forms.Form):
    pilots = SlugListField(required=False)
    indicator = forms.CharField(required=False, max_length=200)
    area = forms.CharField(required=False, max_length=200)
    q = forms.CharField(label=gettext_lazy("Search pilots"), required=False, max_length=200)
    action = forms.CharField(required=False, max_length=20)

    def clean(self) -> dict[str, object]:
        data = super().clean()
        self.notice = ""
        slugs = data.get("pilots") or []
        self.selected = self._look_up(slugs)
        code = data.get("indicator", "")
        if slugs and code:
            raise forms.ValidationError(
                _("Choose either pilots or an indicator to compare, not both.")
            )
        if data.get("action") == "search":
            self.mode = "choose"
        elif len(slugs) == 1 and not data.get("action") and slugs[0] in self._found_slugs():
            # A pilot page's "compare with other pilots" link: start choosing from it.
            self.mode = "choose"
            self.notice = _("Choose at least one more pilot to compare with.")
        elif slugs or data.get("action") == "compare":
            self.mode = "pilots"
            self._check_pilots(slugs)
        elif code:
            self.mode = "indicator"
            self.definition = IndicatorDefinition.objects.filter(code=code).first()
            if self.definition is None:
                self.add_error(
                    "indicator",
                    _("There is no indicator with the code “%(code)s” in the catalogue.")
                    % {"code": code[:60]},
                )
        else:
            self.mode = "choose"
        return data

    def _look_up(self, slugs: list[str]) -> list[Pilot]:
        """The chosen pilots that exist, in the order chosen; junk is not sent to the database."""
        wanted = [
            slug
            for slug in dict.fromkeys(slugs)
            if len(slug) <= SLUG_LENGTH and slug_re.match(slug)
        ]
        found = selectors.pilots_by_slug(wanted) if wanted else {}
        return [found[slug] for slug in wanted if slug in found]

    def _found_slugs(self) -> set[str]:
        return {pilot.slug for pilot in self.selected}

    def _check_pilots(self, slugs: list[str]) -> None:
        known = self._found_slugs()
        unknown = [slug[:60] for slug in dict.fromkeys(slugs) if slug not in known]
        if unknown:
            self.add_error(
                "pilots",
                _("These pilots were not found: %(slugs)s.") % {"slugs": ", ".join(unknown[:10])},
            )
        twice = [slug[:60] for slug in dict.fromkeys(slugs) if slugs.count(slug) > 1]
        if twice:
            self.add_error(
                "pilots",
                _("Each pilot can be chosen only once: %(slugs)s was chosen more than once.")
                % {"slugs": ", ".join(twice[:10])},
            )
        if not selectors.MIN_PILOTS <= len(slugs) <= selectors.MAX_PILOTS:
            self.add_error(
                "pilots",
                _("Choose from %(min)d to %(max)d pilots to compare; you chose %(count)d.")
                % {
                    "min": selectors.MIN_PILOTS,
                    "max": selectors.MAX_PILOTS,
                    "count": len(slugs),
                },
            )


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET)
    if not form.is_valid():
        return _choose(request, form, status=400)
    if form.mode == "pilots":
        comparison = selectors.pilot_comparison(form.selected)
        return render(request, "pilots/compare.html", {"form": form, "comparison": comparison})
    if form.mode == "indicator":
        return _indicator(request, form)
    return _choose(request, form)


def _indicator(request: HttpRequest, form: CompareForm) -> HttpResponse:
    try:
        result = selectors.indicator_comparison(
            form.definition,
            area_slug=form.cleaned_data["area"],
            page_number=request.GET.get("page"),
        )
    except LookupError:
        form.add_error("area", _("No pilot in that area uses this indicator."))
        return _choose(request, form, status=400)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pilots/compare.html",
        {
            "form": form,
            "indicator_result": result,
            "catalogue": selectors.catalogue(),
            "chosen_code": form.definition.code,
            "query_prefix": f"{query.urlencode()}&",
        },
    )


def _choose(request: HttpRequest, form: CompareForm, *, status: int = 200) -> HttpResponse:
    selected = getattr(form, "selected", [])
    query = form.cleaned_data.get("q", "") if hasattr(form, "cleaned_data") else ""
    results = []
    if query:
        results = selectors.pilot_search(query, exclude=[pilot.pk for pilot in selected])
    return render(
        request,
        "pilots/compare.html",
        {
            "form": form,
            "choosing": True,
            "selected": selected,
            "query": query,
            "results": results[: selectors.SEARCH_RESULTS],
            "more_results": len(results) > selectors.SEARCH_RESULTS,
            "catalogue": selectors.catalogue(),
            "chosen_code": request.GET.get("indicator", "")[:60],
            "limits": {"min": selectors.MIN_PILOTS, "max": selectors.MAX_PILOTS},
        },
        status=status,
    )
