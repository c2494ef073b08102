"""Admin for the work: pilots, the indicator catalogue, indicators, measurements and sharing.

Indicators and measurements are written through ``pilots.services`` here as everywhere else, so
the progress stored on an indicator never goes stale after an edit in the admin.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from areas.admin import ConstraintCheckingInlineFormSet
from pilots.cache import bump_data_version
from pilots.forms import IdListField
from pilots.models import (
    Attachment,
    Indicator,
    IndicatorDefinition,
    Measurement,
    Partner,
    Pilot,
    PilotUpdate,
    ShareLink,
    StageDecision,
    Theme,
)
from pilots.services import (
    indicator_delete,
    indicator_refresh,
    indicator_save,
    measurement_delete,
    pilot_readiness_refresh,
)


def _progress_percent(indicator: Indicator) -> str | None:
    # None shows as the admin's usual empty-value dash.
    return None if indicator.progress is None else f"{indicator.progress:.0%}"


def _indicator_save(request: HttpRequest, indicator: Indicator) -> None:
    # indicator_save moves the version on, so the portal's forms notice admin edits too.
    indicator._history_user = request.user
    indicator_save(indicator=indicator)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "slug")
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "website")
    list_filter = ("kind",)
    search_fields = ("name",)
    # Django 6 assumes https for scheme-less addresses; say so now rather than change later.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class ArchivedFilter(admin.SimpleListFilter):
    title = _("archived")
    parameter_name = "archived"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Pilot]) -> QuerySet[Pilot]:
        if self.value() == "yes":
            return queryset.filter(archived_at__isnull=False)
        if self.value() == "no":
            return queryset.active()
        return queryset


class IndicatorInline(admin.TabularInline):
    model = Indicator
    formset = ConstraintCheckingInlineFormSet
    extra = 0
    fields = (
        "definition",
        "baseline_value",
        "baseline_date",
        "target_value",
        "target_date",
        "current_value",
        "progress_percent",
        "status",
    )
    readonly_fields = ("current_value", "progress_percent", "status")
    autocomplete_fields = ("definition",)
    show_change_link = True

    @admin.display(description=_("progress toward target"))
    def progress_percent(self, indicator: Indicator) -> str | None:
        return _progress_percent(indicator)


class StageDecisionInline(admin.TabularInline):
    # The decision log is the pilot's audit trail: stage changes are recorded on the pilot's
    # stage page, which moves the stage and writes the decision together.
    model = StageDecision
    extra = 0
    fields = ("decided_at", "from_stage", "to_stage", "decision", "rationale", "decided_by")
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[StageDecision]:
        return super().get_queryset(request).select_related("decided_by")

    def has_add_permission(self, request: HttpRequest, obj: Pilot | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Pilot | None = None) -> bool:
        return False


@admin.register(Pilot)
class PilotAdmin(SimpleHistoryAdmin):
    list_display = (
        "title",
        "area",
        "stage",
        "evidence",
        "start_date",
        "end_date",
        "archived",
        "updated_at",
    )
    list_filter = ("area", "stage", "evidence_level", "themes", ArchivedFilter)

    list_select_related = ("area",)
    search_fields = ("title", "need", "summary", "slug")
    autocomplete_fields = ("area", "lead", "adapted_from", "themes", "partners")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "created_at"
    show_full_result_count = False
    # Evidence changes go through the portal's evidence form, which records the method behind them.
    readonly_fields = ("archived_at", "version", "created_at", "updated_at", "evidence_level")
    fieldsets = (
        (None, {"fields": ("title", "slug", "area", "lead", "stage", "evidence_level")}),
        (
            _("Need and approach"),
            {"fields": ("need", "summary", "approach", "target_group", "themes", "partners")},
        ),
        (
            _("Time and scale"),
            {"fields": ("start_date", "end_date", "budget_sek", "participants_reached")},
        ),
        (_("Lineage and lessons"), {"fields": ("adapted_from", "adaptation_notes", "lessons")}),
        (_("Record"), {"fields": ("archived_at", "version", "created_at", "updated_at")}),
    )
    inlines = (IndicatorInline, StageDecisionInline)
    actions = ("archive_selected", "unarchive_selected")

    @admin.display(description=_("evidence level"), ordering="evidence_level")
    def evidence(self, pilot: Pilot) -> int:
        # The number alone keeps rows short; the filter and the form show what it means.
        return pilot.evidence_level

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: object
    ) -> object:
        # Themes and partners refuse ids beyond the database's range, as in the portal's forms.
        kwargs.setdefault("form_class", IdListField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Pilot | None = None) -> tuple:
        if obj is None:
            return self.readonly_fields
        # Every stage change after creation needs a recorded decision (see StageDecisionInline).
        return (*self.readonly_fields, "stage")

    @admin.display(description=_("archived"), boolean=True, ordering="archived_at")
    def archived(self, pilot: Pilot) -> bool:
        return pilot.is_archived

    def save_model(self, request: HttpRequest, obj: Pilot, form: ModelForm, change: bool) -> None:
        if change:
            # The portal's forms detect concurrent edits by version; an admin edit is one too.
            obj.version += 1
        super().save_model(request, obj, form, change)
        bump_data_version()
        # The save wrote the readiness facts as they were read with the form, and a new area or
        # lineage changes them for this pilot, the original it names and the one it named.
        previous_original = form.initial.get("adapted_from") if change else None
        pilot_readiness_refresh(pilot_ids=[obj.pk, obj.adapted_from_id, previous_original])

    def delete_model(self, request: HttpRequest, obj: Pilot) -> None:
        original = obj.adapted_from_id
        super().delete_model(request, obj)
        bump_data_version()
        pilot_readiness_refresh(pilot_ids=[original])

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Pilot]) -> None:
        originals = set(queryset.values_list("adapted_from_id", flat=True))
        super().delete_queryset(request, queryset)
        bump_data_version()
        pilot_readiness_refresh(pilot_ids=originals)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is not Indicator:
            super().save_formset(request, form, formset, change)
            return
        indicators = formset.save(commit=False)
        for indicator in formset.deleted_objects:
            indicator.delete()
        for indicator in indicators:
            _indicator_save(request, indicator)
        formset.save_m2m()
        if formset.deleted_objects:
            pilot_readiness_refresh(pilot_ids=[form.instance.pk])

    def _set_archived_at(
        self, request: HttpRequest, pilots: QuerySet[Pilot], archived_at: datetime | None
    ) -> int:
        count = 0
        originals = set()
        # One save per pilot rather than a bulk update, so each gets a full history entry
        # (including its themes and partners) like any other edit.
        for pilot in pilots:
            pilot.archived_at = archived_at
            pilot.version += 1
            pilot._history_user = request.user
            pilot.save(update_fields=["archived_at", "version", "updated_at"])
            originals.add(pilot.adapted_from_id)
            count += 1
        # Only adaptations that are not archived count for their originals.
        pilot_readiness_refresh(pilot_ids=originals)
        return count

    @admin.action(description=_("Archive selected pilots"), permissions=["change"])
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[Pilot]) -> None:
        with transaction.atomic():
            count = self._set_archived_at(request, queryset.active(), timezone.now())
            bump_data_version()
        self.message_user(
            request,
            ngettext("%(count)d pilot was archived.", "%(count)d pilots were archived.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unarchive selected pilots"), permissions=["change"])
    def unarchive_selected(self, request: HttpRequest, queryset: QuerySet[Pilot]) -> None:
        with transaction.atomic():
            count = self._set_archived_at(request, queryset.filter(archived_at__isnull=False), None)
            bump_data_version()
        self.message_user(
            request,
            ngettext("%(count)d pilot was unarchived.", "%(count)d pilots were unarchived.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "name_en", "unit", "direction", "aggregation", "is_active")
    list_filter = ("direction", "aggregation", "is_active")
    search_fields = ("code", "name", "name_en")
    # "aggregation" must stay an editable form field: the model's clean() reports a refused
    # change on it, and a form without the field could not show that message.
    fields = (
        "code",
        "name",
        "name_en",
        "description",
        "unit",
        "direction",
        "aggregation",
        "is_active",
    )


class MeasurementInline(admin.TabularInline):
    model = Measurement
    formset = ConstraintCheckingInlineFormSet
    extra = 0
    fields = ("period_end", "value", "note", "recorded_by", "recorded_at")
    readonly_fields = ("recorded_by", "recorded_at")
    ordering = ("-period_end",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Measurement]:
        return super().get_queryset(request).select_related("recorded_by")


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = (
        "pilot",
        "area",
        "definition",
        "current_value",
        "progress_percent",
        "status",
        "latest_period_end",
    )
    list_filter = ("status", "definition")
    list_select_related = ("pilot__area", "definition")
    search_fields = ("pilot__title", "definition__code", "definition__name")
    autocomplete_fields = ("pilot", "definition")
    readonly_fields = (
        "current_value",
        "latest_period_end",
        "measurement_count",
        "progress_percent",
        "status",
        "version",
    )
    # The primary key is the one index that orders 100,000 rows without a sort.
    ordering = ("-id",)
    show_full_result_count = False
    inlines = (MeasurementInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Indicator]:
        # An indicator's name is its pilot and definition, and the measurement autocomplete
        # lists twenty per page. The changelist ignores list_select_related once the queryset
        # has a select_related, so this one must include it.
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description=_("area"), ordering="pilot__area__name")
    def area(self, indicator: Indicator) -> str:
        return indicator.pilot.area.name

    @admin.display(description=_("progress toward target"), ordering="progress")
    def progress_percent(self, indicator: Indicator) -> str | None:
        return _progress_percent(indicator)

    def save_model(
        self, request: HttpRequest, obj: Indicator, form: ModelForm, change: bool
    ) -> None:
        _indicator_save(request, obj)

    def delete_model(self, request: HttpRequest, obj: Indicator) -> None:
        indicator_delete(indicator=obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Indicator]) -> None:
        for indicator in queryset:
            indicator_delete(indicator=indicator)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        measurements = formset.save(commit=False)
        for measurement in formset.deleted_objects:
            measurement.delete()
        for measurement in measurements:
            if measurement.pk is None:
                measurement.recorded_by = measurement.recorded_by or request.user
            else:
                measurement.version += 1
            measurement.save()

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        # save_model refreshed before the inline measurements were written; count them now.
        indicator_refresh(indicator=form.instance)


@admin.register(Measurement)
class MeasurementAdmin(SimpleHistoryAdmin):
    list_display = ("indicator", "period_end", "value", "recorded_by", "recorded_at")
    list_filter = ("indicator__definition", "indicator__pilot__area")
    list_select_related = ("indicator__pilot", "indicator__definition", "recorded_by")
    search_fields = ("indicator__pilot__title", "indicator__definition__code")
    autocomplete_fields = ("indicator", "recorded_by")
    date_hierarchy = "period_end"
    # Two million rows: only the primary key orders them without a sort, and only period_end
    # is offered as a sortable column (useful once filtered to one indicator).
    ordering = ("-id",)
    sortable_by = ("period_end",)
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Measurement | None = None) -> tuple:
        # Moving a value to another indicator would leave the first one's progress stale.
        return ("version",) if obj is None else ("indicator", "version")

    def save_model(
        self, request: HttpRequest, obj: Measurement, form: ModelForm, change: bool
    ) -> None:
        if change:
            obj.version += 1
        else:
            obj.recorded_by = obj.recorded_by or request.user
        obj._history_user = request.user
        obj.save()
        indicator_refresh(indicator=obj.indicator)

    def delete_model(self, request: HttpRequest, obj: Measurement) -> None:
        measurement_delete(measurement=obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Measurement]) -> None:
        indicator_ids = set(queryset.values_list("indicator_id", flat=True))
        super().delete_queryset(request, queryset)
        for indicator in Indicator.objects.filter(pk__in=indicator_ids).select_related(
            "definition"
        ):
            indicator_refresh(indicator=indicator)


@admin.register(PilotUpdate)
class PilotUpdateAdmin(admin.ModelAdmin):
    list_display = ("pilot", "kind", "author", "created_at")
    list_filter = ("kind", "pilot__area")
    list_select_related = ("pilot", "author")
    search_fields = ("body", "pilot__title")
    autocomplete_fields = ("pilot", "author")
    show_full_result_count = False

    def save_model(
        self, request: HttpRequest, obj: PilotUpdate, form: ModelForm, change: bool
    ) -> None:
        if not change:
            obj.author = obj.author or request.user
        super().save_model(request, obj, form, change)
        bump_data_version()

    def delete_model(self, request: HttpRequest, obj: PilotUpdate) -> None:
        super().delete_model(request, obj)
        bump_data_version()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[PilotUpdate]) -> None:
        super().delete_queryset(request, queryset)
        bump_data_version()


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("title", "pilot", "file_size", "is_public", "uploaded_by", "uploaded_at")
    list_filter = ("is_public",)
    list_select_related = ("pilot", "uploaded_by")
    search_fields = ("title", "pilot__title")
    autocomplete_fields = ("pilot", "uploaded_by")

    @admin.display(description=_("size"))
    def file_size(self, attachment: Attachment) -> str:
        try:
            return filesizeformat(attachment.file.size)
        except (OSError, ValueError):
            # The row outlived its file (restored database, cleaned media folder).
            return _("file missing")

    def save_model(
        self, request: HttpRequest, obj: Attachment, form: ModelForm, change: bool
    ) -> None:
        if not change:
            obj.uploaded_by = obj.uploaded_by or request.user
        super().save_model(request, obj, form, change)


class ShareLinkValidFilter(admin.SimpleListFilter):
    title = _("valid")
    parameter_name = "valid"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ShareLink]) -> QuerySet[ShareLink]:
        if self.value() == "yes":
            return queryset.valid()
        if self.value() == "no":
            return queryset.filter(Q(revoked_at__isnull=False) | Q(expires_at__lte=timezone.now()))
        return queryset


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = (
        "pilot",
        "masked_token",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "valid",
    )
    list_filter = (ShareLinkValidFilter, "expires_at", "revoked_at")
    list_select_related = ("pilot", "created_by")
    search_fields = ("pilot__title", "=token")
    autocomplete_fields = ("pilot", "created_by")
    readonly_fields = ("token", "created_at")
    actions = ("revoke_selected",)

    @admin.display(description=_("token"))
    def masked_token(self, link: ShareLink) -> str:
        # A list of whole tokens would be a list of open doors; the end is enough to tell apart.
        return "…" + link.token[-4:]

    @admin.display(description=_("valid"), boolean=True)
    def valid(self, link: ShareLink) -> bool:
        return link.is_valid

    def save_model(
        self, request: HttpRequest, obj: ShareLink, form: ModelForm, change: bool
    ) -> None:
        if not change:
            obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke selected share links"), permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ShareLink]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext(
                "%(count)d share link was revoked.", "%(count)d share links were revoked.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )
