"""Admin for places and people: areas, their statistics, memberships, and users with their areas."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from areas import roles
from areas.models import Area, AreaStatistic, Membership, StatisticKind

User = get_user_model()


class ConstraintCheckingInlineFormSet(BaseInlineFormSet):
    """An inline formset that checks each new or changed row against the database's constraints.

    Django leaves the parent's foreign key out of an inline form's constraint checks, so a
    UniqueConstraint that includes it (one membership per user and area, one value per indicator
    and period) would otherwise fail only in the database, as a server error, whenever the page
    was out of date.
    """

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if not form.is_valid() or not form.has_changed() or form.cleaned_data.get("DELETE"):
                continue
            off_form = {field.name for field in self.model._meta.fields} - set(form.fields)
            try:
                form.instance.validate_constraints(exclude=off_form)
            except ValidationError as error:
                form.add_error(None, error)


class MembershipInline(admin.TabularInline):
    # Shared by the area and the user pages; the foreign key to the parent is left out of the
    # form by the formset, so only the other side's autocomplete is ever rendered.
    model = Membership
    formset = ConstraintCheckingInlineFormSet
    extra = 0
    fields = ("user", "area", "role")
    autocomplete_fields = ("user", "area")


class AreaStatisticInline(admin.TabularInline):
    model = AreaStatistic
    formset = ConstraintCheckingInlineFormSet
    extra = 0
    fields = ("kind", "year", "value", "source")
    autocomplete_fields = ("kind",)

    # The admin's default text input for the source made the row wider than the page.
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 20})}}


@admin.register(Area)
class AreaAdmin(SimpleHistoryAdmin):
    list_display = ("name", "municipality", "district", "population", "is_active")
    list_filter = ("is_active", "municipality", "district")
    search_fields = ("name", "slug", "district", "municipality", "regso_code")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "municipality", "district", "is_active")}),
        (_("Context"), {"fields": ("description", "population", "regso_code", "colour")}),
    )
    inlines = (MembershipInline, AreaStatisticInline)


@admin.register(StatisticKind)
class StatisticKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "unit")
    search_fields = ("code", "name", "name_en")
    prepopulated_fields = {"code": ("name_en",)}


@admin.register(AreaStatistic)
class AreaStatisticAdmin(admin.ModelAdmin):
    list_display = ("area", "kind", "year", "value", "source")
    list_filter = ("kind", "year", "area")
    list_select_related = ("area", "kind")
    search_fields = ("area__name", "kind__name", "kind__name_en", "source")
    autocomplete_fields = ("area", "kind")
    show_full_result_count = False


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "area", "role")
    list_filter = ("role", "area")
    list_select_related = ("user", "area")
    search_fields = ("user__username", "user__first_name", "user__last_name", "area__name")
    autocomplete_fields = ("user", "area")


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = (*UserAdmin.inlines, MembershipInline)
    list_display = (*UserAdmin.list_display, "area_list")

    def get_queryset(self, request: HttpRequest) -> QuerySet[AbstractUser]:
        # One extra query for every page of users instead of one per row for their areas.
        memberships = Membership.objects.select_related("area").order_by("area__name")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("memberships", queryset=memberships))
        )

    def has_change_permission(self, request: HttpRequest, obj: AbstractUser | None = None) -> bool:
        # Only a superuser may change a superuser: otherwise a portal admin could take over one.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: AbstractUser | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(
        self, request: HttpRequest, obj: AbstractUser | None = None
    ) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        # Portal admins manage people and memberships, never who holds which rights.
        return (*readonly, "is_superuser", "user_permissions")

    def formfield_for_manytomany(
        self, db_field: models.Field, request: HttpRequest, **kwargs: object
    ) -> forms.Field | None:
        if db_field.name == "groups" and not request.user.is_superuser:
            # A portal admin may make someone a city official, not a portal admin.
            kwargs["queryset"] = Group.objects.filter(name=roles.OFFICIALS_GROUP)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("areas"))
    def area_list(self, user: AbstractUser) -> str:
        return ", ".join(
            f"{membership.area.name} ({membership.get_role_display()})"
            for membership in user.memberships.all()
        )
