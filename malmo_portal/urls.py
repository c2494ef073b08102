"""URL configuration: each app's URLs under its namespace, plus auth, i18n and health checks."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from malmo_portal import health
from pilots.views import accessibility, compare, dashboard, library, sharing
from pilots.views import pilots as pilot_views

handler500 = "malmo_portal.errors.server_error"

admin.site.site_header = _("Malmö Pilot Portal")
admin.site.site_title = _("Malmö Pilot Portal")

urlpatterns = [
    path("", pilot_views.home, name="home"),
    path("areas/", include("areas.urls")),
    path("pilots/", include("pilots.urls")),
    path("dashboard/", dashboard.city_dashboard, name="dashboard"),
    path("dashboard/<slug:table>.csv", dashboard.dashboard_table_csv, name="dashboard-table-csv"),
    path("compare/", compare.compare, name="compare"),
    path("library/", library.library, name="library"),
    path("library/export.json", library.library_export_json, name="library-export-json"),
    path("library/export.csv", library.library_export_csv, name="library-export-csv"),
    path("accessibility/", accessibility.accessibility_statement, name="accessibility"),
    path("s/<str:token>/", sharing.shared_pilot, name="share"),
    path("s/<str:token>/files/<int:pk>/", sharing.shared_attachment, name="share-attachment"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz/live", health.live, name="healthz-live"),
    path("healthz/ready", health.ready, name="healthz-ready"),
    path("admin/", admin.site.urls),
]
