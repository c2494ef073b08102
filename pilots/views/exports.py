"""The pilot list as a CSV or XLSX download, with the list's filters (see ``pilots.exports``)."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from pilots import exports

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def pilot_list_csv(request: HttpRequest) -> StreamingHttpResponse:
    lines = exports.rows(exports.export_queryset(request.GET))
    response = StreamingHttpResponse(
        exports.csv_chunks(lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=exports.filename("csv")
    )
    return response


@require_GET
def pilot_list_xlsx(request: HttpRequest) -> FileResponse:
    # Built in a temporary file first (a zip cannot stream); FileResponse deletes it when sent.
    handle = exports.xlsx_file(exports.rows(exports.export_queryset(request.GET)))
    return FileResponse(
        handle, as_attachment=True, filename=exports.filename("xlsx"), content_type=XLSX_TYPE
    )
