from django.urls import path

from pilots.views import adapt, decisions, exports, imports, indicators, journal, sharing
from pilots.views import pilots as pilot_views

app_name = "pilots"

urlpatterns = [
    path("", pilot_views.pilot_list, name="list"),
    path("new/", pilot_views.pilot_create, name="create"),
    path("export.csv", exports.pilot_list_csv, name="export-csv"),
    path("export.xlsx", exports.pilot_list_xlsx, name="export-xlsx"),
    path("<slug:slug>/", pilot_views.pilot_detail, name="detail"),
    path("<slug:slug>/edit/", pilot_views.pilot_edit, name="edit"),
    path("<slug:slug>/archive/", pilot_views.pilot_archive, name="archive"),
    path("<slug:slug>/indicators/new/", indicators.indicator_create, name="indicator-create"),
    path(
        "<slug:slug>/indicators/<int:pk>/edit/",
        indicators.indicator_edit,
        name="indicator-edit",
    ),
    path(
        "<slug:slug>/indicators/<int:pk>/delete/",
        indicators.indicator_delete,
        name="indicator-delete",
    ),
    path(
        "<slug:slug>/indicators/<int:pk>/measurements/new/",
        indicators.measurement_create,
        name="measurement-create",
    ),
    path(
        "<slug:slug>/measurements/<int:pk>/edit/",
        indicators.measurement_edit,
        name="measurement-edit",
    ),
    path(
        "<slug:slug>/measurements/<int:pk>/delete/",
        indicators.measurement_delete,
        name="measurement-delete",
    ),
    path("<slug:slug>/measurements/import/", imports.measurement_import, name="import"),
    path(
        "<slug:slug>/measurements/import/confirm/",
        imports.measurement_import_confirm,
        name="import-confirm",
    ),
    path("<slug:slug>/updates/new/", journal.update_create, name="update-create"),
    path("<slug:slug>/attachments/new/", journal.attachment_create, name="attachment-create"),
    path(
        "<slug:slug>/attachments/<int:pk>/",
        journal.attachment_download,
        name="attachment-download",
    ),
    path("<slug:slug>/history/", journal.pilot_history, name="history"),
    path("<slug:slug>/stage/", decisions.pilot_stage, name="stage"),
    path("<slug:slug>/evidence/", decisions.pilot_evidence, name="evidence"),
    path("<slug:slug>/adapt/", adapt.pilot_adapt, name="adapt"),
    path("<slug:slug>/share/", sharing.pilot_share, name="share"),
    path("<slug:slug>/share/<int:pk>/revoke/", sharing.share_revoke, name="share-revoke"),
    path("<slug:slug>/card/", sharing.pilot_card, name="card"),
]
