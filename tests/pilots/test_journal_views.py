"""Journal entries, attachments and downloads: each works, needs login, refuses, rejects."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pilots import services
from pilots.models import Attachment, PilotUpdate
from pilots.validators import MAX_ATTACHMENT_SIZE
from tests.factories import PilotFactory, PilotUpdateFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def update_url(pilot) -> str:
    return reverse("pilots:update-create", args=[pilot.slug])


def upload_url(pilot) -> str:
    return reverse("pilots:attachment-create", args=[pilot.slug])


def download_url(attachment) -> str:
    return reverse("pilots:attachment-download", args=[attachment.pilot.slug, attachment.pk])


def make_attachment(pilot, name="rapport.pdf", content=PDF, **fields) -> Attachment:
    return services.attachment_create(
        pilot=pilot,
        file=SimpleUploadedFile(name, content),
        title=fields.pop("title", "Rapport"),
        uploaded_by=fields.pop("uploaded_by", None),
        **fields,
    )


# Journal entries ---------------------------------------------------------------------------


def test_staff_write_a_journal_entry_that_shows_on_the_pilot_page(client, staff_seved, seved):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)

    assert client.get(update_url(pilot)).status_code == 200
    response = client.post(update_url(pilot), {"kind": "lesson", "body": "Börja i liten skala."})

    assert response.status_code == 302
    assert response["Location"] == pilot.get_absolute_url()
    update = PilotUpdate.objects.get(pilot=pilot)
    assert (update.kind, update.body, update.author) == (
        "lesson",
        "Börja i liten skala.",
        staff_seved,
    )
    html = client.get(pilot.get_absolute_url()).content.decode()
    assert "Börja i liten skala." in html
    assert "update-lesson" in html
    assert staff_seved.get_full_name() in html


def test_the_journal_form_requires_login(client, seved):
    pilot = PilotFactory(area=seved)
    response = client.get(update_url(pilot))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.post(update_url(pilot), {"kind": "progress", "body": "Hej"})
    assert not PilotUpdate.objects.exists()


@pytest.mark.parametrize("who", ["official", "staff_of_another_area"])
def test_the_journal_form_refuses_officials_and_other_areas(
    client, who, official, make_user, lindangen, seved
):
    user = official if who == "official" else make_user("staff-lindangen", area=lindangen)
    pilot = PilotFactory(area=seved)
    client.force_login(user)
    assert client.get(update_url(pilot)).status_code == 403
    assert client.post(update_url(pilot), {"kind": "progress", "body": "Hej"}).status_code == 403
    assert not PilotUpdate.objects.exists()


def test_the_journal_form_of_an_archived_pilot_is_refused(client, staff_seved, seved):
    pilot = PilotFactory(area=seved, archived_at=timezone.now())
    client.force_login(staff_seved)
    assert client.post(update_url(pilot), {"kind": "progress", "body": "Hej"}).status_code == 403


def test_the_journal_form_of_an_unknown_pilot_answers_404(client, staff_seved):
    client.force_login(staff_seved)
    assert client.get(reverse("pilots:update-create", args=["finns-inte"])).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "This field is required."),
        ({"kind": "progress", "body": ""}, "This field is required."),
        ({"kind": "progress", "body": " \n\x01\t "}, "Write something in the entry."),
        ({"kind": "progress", "body": "x" * 10_001}, "at most 10000 characters"),
        ({"kind": "gossip", "body": "Hej"}, "Select a valid choice."),
        ({"kind": "progress", "body": "nul\x00byte"}, "Null characters are not allowed."),
    ],
)
def test_the_journal_form_rejects_bad_input_with_a_message_and_writes_nothing(
    client, staff_seved, seved, english, data, message
):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)

    response = client.post(update_url(pilot), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'id="form-errors"' in response.content.decode()
    assert not PilotUpdate.objects.exists()


def test_journal_text_is_shown_escaped_with_its_line_breaks(client, staff_seved, seved):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)
    body = "<script>alert(1)</script>\nمرحبا بكم في سيفيد\n\nStycke två"
    client.post(update_url(pilot), {"kind": "obstacle", "body": body})

    html = client.get(pilot.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>مرحبا بكم في سيفيد</p>" in html
    assert "<p>Stycke två</p>" in html


def test_the_journal_panel_shows_the_latest_20_and_pages_to_older_ones(
    client, staff_seved, seved, english
):
    pilot = PilotFactory(area=seved)
    now = timezone.now()
    for number in range(25):
        PilotUpdateFactory(
            pilot=pilot,
            body=f"Anteckning {number:02}",
            created_at=now - dt.timedelta(hours=number),
        )
    client.force_login(staff_seved)

    first = client.get(pilot.get_absolute_url())
    assert [u.body for u in first.context["updates"]][:2] == ["Anteckning 00", "Anteckning 01"]
    assert len(first.context["updates"]) == 20
    assert "?journal_page=2#journal" in first.content.decode()
    assert "Older entries" in first.content.decode()

    second = client.get(pilot.get_absolute_url(), {"journal_page": "2"})
    assert [u.body for u in second.context["updates"]] == [f"Anteckning {n}" for n in range(20, 25)]
    assert "?journal_page=1#journal" in second.content.decode()
    assert "Older entries" not in second.content.decode()


@pytest.mark.parametrize("page", ["0", "-3", "abc", "<script>", "9" * 40, "99"])
def test_the_journal_panel_survives_nonsense_page_numbers(client, staff_seved, seved, page):
    pilot = PilotFactory(area=seved)
    PilotUpdateFactory(pilot=pilot)
    client.force_login(staff_seved)
    assert client.get(pilot.get_absolute_url(), {"journal_page": page}).status_code == 200


def _count(client, url: str, data: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, data).status_code == 200
    return len(context.captured_queries)


def test_the_journal_and_attachment_panels_keep_the_pilot_pages_query_count_flat(
    client, staff_seved, seved
):
    # The panels add two queries: the journal page with authors, the attachments with uploaders.
    pilot = PilotFactory(area=seved)
    PilotUpdateFactory(pilot=pilot)
    make_attachment(pilot, uploaded_by=staff_seved)
    client.force_login(staff_seved)
    few = _count(client, pilot.get_absolute_url())

    for _ in range(30):
        PilotUpdateFactory(pilot=pilot, author=UserFactory())
    for _ in range(5):
        make_attachment(pilot, uploaded_by=UserFactory())

    assert _count(client, pilot.get_absolute_url()) == few
    assert _count(client, pilot.get_absolute_url(), {"journal_page": "2"}) == few


JOURNAL_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "<script>alert('x')</script>",
            "\u202eevil\u202c",
            "שלום עולם",
            "å ä ö Å Ä Ö",
            "\x00",
            "\r\n\r\n",
            "' OR 1=1 --",
        ]
    ),
    st.builds(
        lambda chunk, times: chunk * times, st.text(min_size=1, max_size=4), st.integers(2500, 6000)
    ),
)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.one_of(st.sampled_from(PilotUpdate.Kind.values), st.text(max_size=20)),
    body=JOURNAL_TEXT,
)
def test_the_journal_form_never_fails_and_writes_only_valid_entries(
    client, staff_seved, seved, kind, body
):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)

    response = client.post(update_url(pilot), {"kind": kind, "body": body})

    assert response.status_code in {200, 302}
    written = list(PilotUpdate.objects.filter(pilot=pilot))
    if response.status_code == 302:
        assert len(written) == 1
        assert written[0].kind in PilotUpdate.Kind.values
        assert 0 < len(written[0].body) <= 10_000
        assert "\x00" not in written[0].body
        assert client.get(pilot.get_absolute_url()).status_code == 200
    else:
        assert written == []
        assert 'id="form-errors"' in response.content.decode()


# Attachments ------------------------------------------------------------------------------


def test_staff_upload_an_allowed_file_and_it_is_listed_with_its_details(
    client, staff_seved, seved, media_root, english
):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)
    assert client.get(upload_url(pilot)).status_code == 200

    response = client.post(
        upload_url(pilot),
        {"file": SimpleUploadedFile("Utvärdering 2025.pdf", PDF), "title": "", "is_public": "on"},
    )

    assert response.status_code == 302
    assert response["Location"] == pilot.get_absolute_url()
    attachment = Attachment.objects.get(pilot=pilot)
    assert attachment.title == "Utvärdering_2025"
    assert attachment.is_public is True
    assert attachment.uploaded_by == staff_seved
    (stored,) = stored_files(media_root)
    assert stored.read_bytes() == PDF
    assert stored.name == "Utvärdering_2025.pdf"
    html = client.get(pilot.get_absolute_url()).content.decode()
    assert download_url(attachment) in html
    assert ">PDF<" in html
    assert f"{len(PDF)}\xa0bytes" in html
    assert staff_seved.get_full_name() in html


def test_the_upload_form_explains_that_share_links_show_only_public_files(
    client, staff_seved, seved, english
):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)
    html = client.get(upload_url(pilot)).content.decode()
    assert "show only public" in html
    assert 'enctype="multipart/form-data"' in html


def test_a_renamed_program_is_rejected_with_a_message_and_nothing_is_stored(
    client, staff_seved, seved, media_root, english
):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)

    response = client.post(
        upload_url(pilot),
        {"file": SimpleUploadedFile("rapport.pdf", b"MZ\x90\x00" + b"\x00" * 512), "title": "R"},
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert "does not match its name" in form.errors["file"][0]
    assert "does not match its name" in response.content.decode()
    assert "title" not in form.errors
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_10_mb_is_rejected_and_nothing_is_stored(
    client, staff_seved, seved, media_root, english
):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)
    big = SimpleUploadedFile("stor.pdf", b"%PDF-1.7\n" + b"0" * MAX_ATTACHMENT_SIZE)

    response = client.post(upload_url(pilot), {"file": big, "title": "Stor"})

    assert response.status_code == 200
    assert "the largest allowed is 10.0\xa0MB" in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "Ingen fil"}, "This field is required."),
        ({"file": SimpleUploadedFile("tom.pdf", b"")}, "The submitted file is empty."),
        ({"file": SimpleUploadedFile("sida.html", b"<script>")}, "cannot be uploaded"),
        ({"file": SimpleUploadedFile("a.pdf", PDF), "title": "x" * 201}, "at most 200"),
    ],
)
def test_the_upload_form_rejects_bad_input_with_a_message(
    client, staff_seved, seved, media_root, english, data, message
):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)
    response = client.post(upload_url(pilot), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_hostile_file_names_are_stored_tamely_inside_the_media_folder(
    client, staff_seved, seved, media_root
):
    pilot = PilotFactory(area=seved)
    client.force_login(staff_seved)
    for name in [
        "../../../etc/passwd.txt",
        "ö" * 300 + ".txt",
        "a;b<c>&d'e.txt",
        "C:\\Users\\x\\rapport.txt",
        "\u202etxt.exe.txt",
    ]:
        upload = SimpleUploadedFile(name, "Hej från Seved".encode())
        response = client.post(upload_url(pilot), {"file": upload, "title": ""})
        assert response.status_code == 302, name

    files = stored_files(media_root)
    assert len(files) == Attachment.objects.count() == 5
    for path in files:
        assert path.resolve().is_relative_to(media_root.resolve())
        assert len(path.name.encode()) < 255
        assert path.suffix == ".txt"
    for attachment in Attachment.objects.all():
        response = client.get(download_url(attachment))
        assert response.status_code == 200
        assert "\n" not in response["Content-Disposition"]


def test_no_file_is_left_behind_when_the_row_cannot_be_written(
    staff_seved, seved, media_root, monkeypatch
):
    pilot = PilotFactory(area=seved)

    def refuse(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(Attachment, "_do_insert", refuse)
    with pytest.raises(IntegrityError):
        make_attachment(pilot)
    assert stored_files(media_root) == []


def test_the_upload_form_requires_login(client, seved, media_root):
    pilot = PilotFactory(area=seved)
    response = client.post(upload_url(pilot), {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert stored_files(media_root) == []


@pytest.mark.parametrize("who", ["official", "staff_of_another_area"])
def test_the_upload_form_refuses_officials_and_other_areas(
    client, who, official, make_user, lindangen, seved, media_root
):
    user = official if who == "official" else make_user("staff-lindangen", area=lindangen)
    pilot = PilotFactory(area=seved)
    client.force_login(user)
    assert client.get(upload_url(pilot)).status_code == 403
    response = client.post(upload_url(pilot), {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 403
    assert stored_files(media_root) == []


def test_the_upload_form_of_an_unknown_pilot_answers_404(client, staff_seved):
    client.force_login(staff_seved)
    assert client.get(reverse("pilots:attachment-create", args=["finns-inte"])).status_code == 404


# Downloads -------------------------------------------------------------------------------


def test_a_download_is_an_attachment_with_a_safe_content_type(client, official, seved):
    attachment = make_attachment(PilotFactory(area=seved))
    client.force_login(official)

    response = client.get(download_url(attachment))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="rapport.pdf"'
    assert "private" in response["Cache-Control"]


def test_a_text_file_downloads_as_plain_text_with_its_unicode_name_encoded(
    client, staff_seved, seved
):
    attachment = make_attachment(
        PilotFactory(area=seved), name="Mötesanteckningar.txt", content=b"<html><script>"
    )
    client.force_login(staff_seved)

    response = client.get(download_url(attachment))

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "html" not in response["Content-Type"]
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''M%C3%B6tesanteckningar.txt"
    )


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("bild.png", "image/png"),
        (
            "tabell.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_downloads_are_labelled_by_their_checked_extension(
    client, staff_seved, seved, name, content_type
):
    if name.endswith(".png"):
        content = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<x/>")
        content = buffer.getvalue()
    attachment = make_attachment(PilotFactory(area=seved), name=name, content=content)
    client.force_login(staff_seved)
    assert client.get(download_url(attachment))["Content-Type"] == content_type


def test_another_pilots_attachment_answers_404(client, staff_seved, seved):
    attachment = make_attachment(PilotFactory(area=seved))
    other = PilotFactory(area=seved)
    client.force_login(staff_seved)
    url = reverse("pilots:attachment-download", args=[other.slug, attachment.pk])
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("pilots:attachment-download", args=[other.slug, 999_999])).status_code
        == 404
    )


def test_a_file_missing_from_storage_answers_404_and_the_pilot_page_still_works(
    client, staff_seved, seved, english
):
    attachment = make_attachment(PilotFactory(area=seved))
    Path(attachment.file.path).unlink()
    client.force_login(staff_seved)

    assert client.get(download_url(attachment)).status_code == 404
    page = client.get(attachment.pilot.get_absolute_url())
    assert page.status_code == 200
    assert "file missing" in page.content.decode()


def test_downloads_require_login(client, seved):
    attachment = make_attachment(PilotFactory(area=seved))
    response = client.get(download_url(attachment))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
