"""A pilot's journal: updates, attachments and history."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from pilots import history, services
from pilots.forms_journal import AttachmentForm, UpdateForm
from pilots.models import Attachment, Pilot
from pilots.views.access import get_pilot_for_edit, get_pilot_for_view

JOURNAL_PAGE_SIZE = 20
# Far beyond any real journal; keeps the offset within what every database accepts.
JOURNAL_MAX_PAGE = 10_000
HISTORY_PAGE_SIZE = 25

# Downloads are labelled by their (checked) extension only, never by what a browser might sniff.
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".csv": "text/csv; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
FALLBACK_CONTENT_TYPE = "application/octet-stream"


def _journal_page_number(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("journal_page", "1"))
    except ValueError:
        return 1
    return min(max(number, 1), JOURNAL_MAX_PAGE)


def _attachment_rows(pilot: Pilot) -> list[dict[str, object]]:
    rows = []
    for attachment in pilot.attachments.select_related("uploaded_by").order_by("-uploaded_at"):
        try:
            size = attachment.file.size
        except (OSError, ValueError):
            size = None  # the file is gone from storage; the page still shows the row
        rows.append(
            {
                "attachment": attachment,
                "type": PurePath(attachment.file.name).suffix.lstrip(".").upper(),
                "size": size,
            }
        )
    return rows


def panel_context(request: HttpRequest, pilot: Pilot) -> dict[str, object]:
    """What the pilot page's journal and attachment panels need, in a fixed number of queries.

    The journal pages without counting: one row more than a page tells whether older entries
    exist, so the pilot page never runs a COUNT over the journal.
    """
    number = _journal_page_number(request)
    start = (number - 1) * JOURNAL_PAGE_SIZE
    entries = list(
        pilot.updates.select_related("author").order_by("-created_at", "-pk")[
            start : start + JOURNAL_PAGE_SIZE + 1
        ]
    )
    return {
        "updates": entries[:JOURNAL_PAGE_SIZE],
        "journal_page": number,
        "journal_newer_page": number - 1 if number > 1 else None,
        "journal_older_page": number + 1 if len(entries) > JOURNAL_PAGE_SIZE else None,
        "attachment_rows": _attachment_rows(pilot),
    }


@require_http_methods(["GET", "POST"])
def update_create(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = get_pilot_for_edit(request, slug)
    form = UpdateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.update_create(
            pilot=pilot,
            author=request.user,
            kind=form.cleaned_data["kind"],
            body=form.cleaned_data["body"],
        )
        messages.success(request, _("Your entry was added to the journal."))
        return redirect(pilot)
    return render(request, "pilots/update_form.html", {"form": form, "pilot": pilot})


@require_http_methods(["GET", "POST"])
def attachment_create(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = get_pilot_for_edit(request, slug)
    posted = request.method == "POST"
    form = AttachmentForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        attachment = services.attachment_create(
            pilot=pilot,
            file=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
            is_public=form.cleaned_data["is_public"],
            uploaded_by=request.user,
        )
        messages.success(
            request, _("The file “%(title)s” was uploaded.") % {"title": attachment.title}
        )
        return redirect(pilot)
    return render(request, "pilots/attachment_form.html", {"form": form, "pilot": pilot})


@require_GET
def attachment_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    pilot = get_pilot_for_view(request, slug)
    attachment = get_object_or_404(Attachment, pk=pk, pilot=pilot)
    try:
        handle = attachment.file.open("rb")
    except (OSError, ValueError) as error:
        raise Http404(_("The file is missing.")) from error
    name = PurePath(attachment.file.name).name
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES.get(PurePath(name).suffix.lower(), FALLBACK_CONTENT_TYPE),
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def pilot_history(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = get_pilot_for_view(request, slug)
    page = Paginator(history.event_index(pilot), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "pilots/pilot_history.html",
        {"pilot": pilot, "page": page, "events": history.events_for(page.object_list)},
    )
