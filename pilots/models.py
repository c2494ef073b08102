"""The work: pilots, their indicators and measurements, decisions, updates and sharing."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from areas.models import Area
from pilots.validators import validate_attachment


class BilingualNameMixin(models.Model):
    """A Swedish name with an optional English one, shown in the active language."""

    name = models.CharField(_("name (Swedish)"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language, falling back to Swedish."""
        if (get_language() or "sv").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Theme(BilingualNameMixin):
    """A field of work, e.g. jobs, schooling or health; pilots carry one or more."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def get_absolute_url(self) -> str:
        return reverse("pilots:list") + f"?theme={self.slug}"


class Partner(models.Model):
    """An organisation that works on pilots with the city."""

    class Kind(models.TextChoices):
        NGO = "ngo", _("Non-profit organisation")
        PUBLIC_AGENCY = "public_agency", _("Public agency")
        UNIVERSITY = "university", _("University")
        BUSINESS = "business", _("Business")
        RESIDENTS = "residents", _("Residents' group")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NGO)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "ngo",
                        "public_agency",
                        "university",
                        "business",
                        "residents",
                        "other",
                    ]
                ),
                name="partner_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("admin:pilots_partner_change", args=[self.pk])


class Stage(models.TextChoices):
    """Where a pilot is on the ladder from idea to mainstream practice."""

    IDEA = "idea", _("Idea")
    PROTOTYPE = "prototype", _("Prototype")
    PILOT = "pilot", _("Pilot")
    SCALING = "scaling", _("Scaling")
    MAINSTREAMED = "mainstreamed", _("Mainstreamed")
    STOPPED = "stopped", _("Stopped")


RUNNING_STAGES = (Stage.PROTOTYPE, Stage.PILOT, Stage.SCALING)
# Pilot's stored facts behind the library's readiness score (see pilots.library).
READINESS_FIELDS = (
    "readiness_indicators",
    "readiness_on_track",
    "readiness_adapted_areas",
    "readiness_last_measured",
)


class EvidenceLevel(models.IntegerChoices):
    """Nesta Standards of Evidence."""

    DESCRIBED = 1, _("1 – We can describe what we do and why it matters")
    DATA = 2, _("2 – We capture data that shows positive change")
    CAUSAL = 3, _("3 – We can show causality, e.g. with a comparison group")
    INDEPENDENT = 4, _("4 – Independent replication confirms the impact")
    SCALED = 5, _("5 – It can be run elsewhere at scale with the same impact")


class PilotQuerySet(models.QuerySet["Pilot"]):
    def active(self) -> PilotQuerySet:
        """Pilots that are not archived: the ones lists and dashboards show."""
        return self.filter(archived_at__isnull=True)

    def running(self) -> PilotQuerySet:
        return self.filter(stage__in=RUNNING_STAGES)

    def in_areas(self, area_ids: list[int] | set[int]) -> PilotQuerySet:
        return self.filter(area_id__in=area_ids)


class Pilot(models.Model):
    """A social-innovation pilot: an answer to an urgent need, tried in one area."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="pilots", verbose_name=_("area")
    )
    need = models.TextField(_("urgent need"), help_text=_("The urgent need this pilot answers."))
    summary = models.TextField(_("summary"), blank=True)
    approach = models.TextField(_("approach"), blank=True)
    target_group = models.CharField(_("target group"), max_length=200, blank=True)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="pilots", verbose_name=_("themes")
    )
    partners = models.ManyToManyField(
        Partner, blank=True, related_name="pilots", verbose_name=_("partners")
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.IDEA)
    evidence_level = models.PositiveSmallIntegerField(
        _("evidence level"),
        choices=EvidenceLevel.choices,
        default=EvidenceLevel.DESCRIBED,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget_sek = models.PositiveBigIntegerField(_("budget (SEK)"), null=True, blank=True)
    participants_reached = models.PositiveIntegerField(
        _("participants reached"), null=True, blank=True
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_pilots",
        verbose_name=_("lead"),
    )
    adapted_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adaptations",
        verbose_name=_("adapted from"),
    )
    adaptation_notes = models.TextField(
        _("adaptation notes"), blank=True, help_text=_("What was kept, what changed, and why.")
    )
    lessons = models.TextField(_("lessons"), blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The facts behind the library's readiness score that live in other rows, stored by the
    # services on every write that changes them so that the library ranks thousands of pilots
    # by their own columns. Derived data, so they stay out of the history.
    readiness_indicators = models.PositiveIntegerField(_("indicators"), default=0, editable=False)
    readiness_on_track = models.PositiveIntegerField(
        _("indicators on track"), default=0, editable=False
    )
    readiness_adapted_areas = models.PositiveIntegerField(
        _("other areas with an adaptation"), default=0, editable=False
    )
    readiness_last_measured = models.DateField(
        _("latest measurement"), null=True, blank=True, editable=False
    )

    history = HistoricalRecords(m2m_fields=[themes, partners], excluded_fields=READINESS_FIELDS)
    objects = PilotQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="pilot_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(evidence_level__gte=1, evidence_level__lte=5),
                name="pilot_evidence_level_1_to_5",
            ),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="pilot_stage_valid"),
            models.CheckConstraint(
                condition=~Q(adapted_from=F("id")), name="pilot_not_adapted_from_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["area", "stage"], name="pilot_area_stage_idx"),
            models.Index(fields=["stage", "evidence_level"], name="pilot_stage_evidence_idx"),
            models.Index(fields=["archived_at", "-updated_at"], name="pilot_archived_updated_idx"),
            # The pilot list's default and title orders, pk as tie-breaker, active pilots only:
            # a page is read from the index instead of sorting every pilot, and the paginator's
            # COUNT(*) is an index-only scan.
            models.Index(
                fields=["-updated_at", "id"],
                condition=Q(archived_at__isnull=True),
                name="pilot_active_updated_idx",
            ),
            models.Index(
                fields=["title", "id"],
                condition=Q(archived_at__isnull=True),
                name="pilot_active_title_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pilots:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
        if self.pk and self.adapted_from_id == self.pk:
            raise ValidationError({"adapted_from": _("A pilot cannot be adapted from itself.")})

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_running(self) -> bool:
        return self.stage in RUNNING_STAGES


class StageDecision(models.Model):
    """A recorded decision that moved (or kept) a pilot on the stage ladder."""

    class Decision(models.TextChoices):
        GO = "go", _("Go")
        ITERATE = "iterate", _("Iterate")
        STOP = "stop", _("Stop")

    pilot = models.ForeignKey(
        Pilot, on_delete=models.CASCADE, related_name="stage_decisions", verbose_name=_("pilot")
    )
    from_stage = models.CharField(_("from stage"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=Stage.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    rationale = models.TextField(_("rationale"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="stage_decisions",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("stage decision")
        verbose_name_plural = _("stage decisions")
        indexes = [models.Index(fields=["pilot", "-decided_at"], name="decision_pilot_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rationale=""), name="stagedecision_rationale_required"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["go", "iterate", "stop"]),
                name="stagedecision_decision_valid",
            ),
            models.CheckConstraint(
                condition=Q(from_stage__in=Stage.values) & Q(to_stage__in=Stage.values),
                name="stagedecision_stages_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pilot}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"

    def get_absolute_url(self) -> str:
        return self.pilot.get_absolute_url()


class IndicatorDefinitionQuerySet(models.QuerySet["IndicatorDefinition"]):
    def active(self) -> IndicatorDefinitionQuerySet:
        return self.filter(is_active=True)


class IndicatorDefinition(BilingualNameMixin):
    """An entry in the shared indicator catalogue; pilots compare only on the same one."""

    class Direction(models.TextChoices):
        INCREASE = "increase", _("Higher is better")
        DECREASE = "decrease", _("Lower is better")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum of all measurements")
        LATEST = "latest", _("Latest measurement")
        MEAN = "mean", _("Mean of all measurements")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    aggregation = models.CharField(
        _("aggregation"),
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.LATEST,
        help_text=_("How measurements combine into a current value. Frozen once data exists."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = IndicatorDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator definition")
        verbose_name_plural = _("indicator definitions")

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("admin:pilots_indicatordefinition_change", args=[self.pk])

    @property
    def current_value_label(self) -> str:
        """What an indicator's current value is called, which follows the aggregation."""
        if self.aggregation == self.Aggregation.SUM:
            return _("Total so far")
        if self.aggregation == self.Aggregation.MEAN:
            return _("Mean so far")
        return _("Latest")

    def has_data(self) -> bool:
        return Measurement.objects.filter(indicator__definition=self).exists()

    def clean(self) -> None:
        if not self.pk:
            return
        stored = IndicatorDefinition.objects.filter(pk=self.pk).values("aggregation", "direction")
        if not stored:
            return
        changed = [
            field
            for field in ("aggregation", "direction")
            if stored[0][field] != getattr(self, field)
        ]
        if changed and self.has_data():
            raise ValidationError(
                {
                    field: _(
                        "This cannot change once measurements exist for this indicator: "
                        "it would change every stored result."
                    )
                    for field in changed
                }
            )


class Indicator(models.Model):
    """A pilot's use of a catalogue indicator, with its baseline, target and stored progress."""

    class Status(models.TextChoices):
        NO_DATA = "no_data", _("No data")
        ON_TRACK = "on_track", _("On track")
        OFF_TRACK = "off_track", _("Off track")
        REACHED = "reached", _("Target reached")

    pilot = models.ForeignKey(
        Pilot, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("pilot")
    )
    definition = models.ForeignKey(
        IndicatorDefinition,
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name=_("definition"),
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    # Derived on every write to the indicator or its measurements; pages only read them.
    # Wider than a measurement: a sum of many measurements must still fit.
    current_value = models.DecimalField(
        _("current value"), max_digits=20, decimal_places=2, null=True, blank=True, editable=False
    )
    latest_period_end = models.DateField(
        _("latest measurement"), null=True, blank=True, editable=False
    )
    measurement_count = models.PositiveIntegerField(_("measurements"), default=0, editable=False)
    progress = models.FloatField(
        _("progress toward target"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("0 at the baseline, 1 at the target."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NO_DATA, editable=False
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pilot_id", "definition_id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["pilot", "definition"], name="indicator_one_per_pilot_definition"
            ),
            models.CheckConstraint(
                condition=Q(target_date__isnull=True)
                | Q(baseline_date__isnull=True)
                | Q(target_date__gte=F("baseline_date")),
                name="indicator_target_not_before_baseline",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["no_data", "on_track", "off_track", "reached"]),
                name="indicator_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["definition", "status"], name="indicator_def_status_idx"),
            models.Index(fields=["latest_period_end"], name="indicator_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pilot} · {self.definition.label}"

    def get_absolute_url(self) -> str:
        return self.pilot.get_absolute_url()

    def clean(self) -> None:
        errors = {}
        if self.baseline_date and self.target_date and self.target_date < self.baseline_date:
            errors["target_date"] = _("The target date cannot be before the baseline date.")
        if self.definition_id and self.baseline_value is not None and self.target_value is not None:
            increase = self.definition.direction == IndicatorDefinition.Direction.INCREASE
            if increase and self.target_value < self.baseline_value:
                errors["target_value"] = _(
                    "Higher is better for this indicator: the target cannot be below the baseline."
                )
            if not increase and self.target_value > self.baseline_value:
                errors["target_value"] = _(
                    "Lower is better for this indicator: the target cannot be above the baseline."
                )
        if errors:
            raise ValidationError(errors)


class Measurement(models.Model):
    """One value of an indicator for a period, ending on period_end."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="measurements",
        verbose_name=_("indicator"),
    )
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator_id", "period_end"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_end"], name="measurement_one_per_indicator_period"
            ),
        ]
        indexes = [models.Index(fields=["period_end"], name="measurement_period_end_idx")]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.period_end}: {self.value}"

    def get_absolute_url(self) -> str:
        return self.indicator.get_absolute_url()


class PilotUpdate(models.Model):
    """A journal entry on a pilot: progress, an obstacle, a lesson or a decision."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress")
        OBSTACLE = "obstacle", _("Obstacle")
        LESSON = "lesson", _("Lesson")
        DECISION = "decision", _("Decision")

    pilot = models.ForeignKey(
        Pilot, on_delete=models.CASCADE, related_name="updates", verbose_name=_("pilot")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="pilot_updates",
        verbose_name=_("author"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROGRESS)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pilot update")
        verbose_name_plural = _("pilot updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["progress", "obstacle", "lesson", "decision"]),
                name="pilotupdate_kind_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["pilot", "-created_at"], name="update_pilot_time_idx"),
            models.Index(fields=["kind", "-created_at"], name="update_kind_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pilot} · {self.get_kind_display()} · {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.pilot.get_absolute_url()


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random folder keeps uploaded names from colliding or being guessed.
    return f"attachments/{instance.pilot_id}/{secrets.token_hex(8)}/{filename}"


class Attachment(models.Model):
    """A file on a pilot: a report, a photo, a data sheet."""

    MAX_SIZE = 10 * 1024 * 1024

    pilot = models.ForeignKey(
        Pilot, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("pilot")
    )
    file = models.FileField(
        _("file"),
        upload_to=attachment_path,
        max_length=300,
        validators=[validate_attachment],
        help_text=_("At most 10 MB: pdf, png, jpg, docx, xlsx, pptx, csv or txt."),
    )
    title = models.CharField(_("title"), max_length=200)
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Shown on share links to people without an account."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="attachments",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.pilot.get_absolute_url()


def new_share_token() -> str:
    return secrets.token_urlsafe(32)


class ShareLinkQuerySet(models.QuerySet["ShareLink"]):
    def valid(self) -> ShareLinkQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ShareLink(models.Model):
    """A revocable, expiring read-only link to a pilot for people without an account."""

    pilot = models.ForeignKey(
        Pilot, on_delete=models.CASCADE, related_name="share_links", verbose_name=_("pilot")
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_share_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="share_links",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")

    def __str__(self) -> str:
        return f"{self.pilot} · {self.expires_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.pilot.get_absolute_url()

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class EvidenceRecord(models.Model):
    """The evidence behind a pilot's level, as a lead set it: one row each time, kept as history.

    The pilot's ``evidence_level`` is the current value; the newest record says what it rests on.
    """

    pilot = models.ForeignKey(
        Pilot, on_delete=models.CASCADE, related_name="evidence_records", verbose_name=_("pilot")
    )
    level = models.PositiveSmallIntegerField(
        _("evidence level"),
        choices=EvidenceLevel.choices,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    previous_level = models.PositiveSmallIntegerField(
        _("previous evidence level"),
        choices=EvidenceLevel.choices,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    method_note = models.TextField(
        _("method"), blank=True, help_text=_("How the evidence was gathered.")
    )
    links = models.TextField(_("links"), blank=True, help_text=_("One web address per line."))
    attachment = models.ForeignKey(
        Attachment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence_records",
        verbose_name=_("attachment"),
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="evidence_records",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        ordering = ["-set_at", "-pk"]
        verbose_name = _("evidence record")
        verbose_name_plural = _("evidence records")
        indexes = [models.Index(fields=["pilot", "-set_at"], name="evidence_pilot_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5)
                & Q(previous_level__gte=1, previous_level__lte=5),
                name="evidencerecord_levels_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pilot} · {self.get_level_display()}"

    def get_absolute_url(self) -> str:
        return self.pilot.get_absolute_url()

    @property
    def link_list(self) -> list[str]:
        return [line for line in self.links.splitlines() if line.strip()]
