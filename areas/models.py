"""Places and people: the areas of the programme, their context statistics and memberships."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, e.g. #1f6f8b."))


class AreaQuerySet(models.QuerySet["Area"]):
    def active(self) -> AreaQuerySet:
        return self.filter(is_active=True)


class Area(models.Model):
    """A neighbourhood where an Area Programme team works; areas are data, not code."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    municipality = models.CharField(_("municipality"), max_length=120, default="Malmö")
    district = models.CharField(_("district"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    population = models.PositiveIntegerField(
        _("population"), null=True, blank=True, help_text=_("Residents, if known.")
    )
    regso_code = models.CharField(
        _("RegSO code"),
        max_length=20,
        blank=True,
        help_text=_("Statistics Sweden's regional statistical area code, if known."),
    )
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#1f6f8b",
        validators=[hex_colour],
        help_text=_("Used for this area in charts."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        indexes = [models.Index(fields=["municipality", "name"], name="area_municipality_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("areas:detail", kwargs={"slug": self.slug})


class StatisticKind(models.Model):
    """A kind of population context figure, e.g. the unemployment rate."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name (Swedish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("statistic kind")
        verbose_name_plural = _("statistic kinds")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language, falling back to Swedish."""
        if (get_language() or "sv").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class AreaStatistic(models.Model):
    """One yearly context figure for an area. Context only, never attributed to a pilot."""

    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="statistics", verbose_name=_("area")
    )
    kind = models.ForeignKey(
        StatisticKind, on_delete=models.PROTECT, related_name="values", verbose_name=_("kind")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["area", "kind", "year"]
        verbose_name = _("area statistic")
        verbose_name_plural = _("area statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "kind", "year"], name="areastatistic_one_per_area_kind_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.kind} · {self.year}: {self.value}"

    def get_absolute_url(self) -> str:
        return self.area.get_absolute_url()


class Membership(models.Model):
    """A user's place in an area team: staff, or lead (who also decides on stages)."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Staff")
        LEAD = "lead", _("Lead")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("area")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)

    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "area"], name="membership_one_per_user_area"),
            models.CheckConstraint(
                condition=models.Q(role__in=["staff", "lead"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.area} ({self.get_role_display()})"

    def get_absolute_url(self) -> str:
        return self.area.get_absolute_url()
