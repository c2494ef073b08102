"""Attachments: at most 10 MB and of an allowed type, judged by content as well as name."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from pilots.validators import MAX_ATTACHMENT_SIZE, validate_attachment

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def ooxml(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rapport.pdf", b"%PDF-1.7\n..."),
        ("bild.PNG", PNG),
        ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16),
        ("plan.docx", ooxml("word/")),
        ("data.xlsx", ooxml("xl/")),
        ("bilder.pptx", ooxml("ppt/")),
        ("mätningar.csv", "kod;period;värde\nparticipants;2025-01-31;12\n".encode()),
        ("anteckning.txt", "Hej från Seved – åäö".encode()),
    ],
)
def test_allowed_files_pass(name, content):
    validate_attachment(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", b"MZ\x90\x00", "type_not_allowed"),
        ("page.html", b"<script>alert(1)</script>", "type_not_allowed"),
        ("fake.pdf", b"<html>not a pdf</html>", "content_mismatch"),
        ("renamed.png", b"%PDF-1.4", "content_mismatch"),
        ("archive.docx", ooxml("xl/"), "content_mismatch"),
        ("broken.xlsx", b"PK\x03\x04garbage", "content_mismatch"),
        ("binary.txt", b"\x00\x01\x02", "content_mismatch"),
        ("no-extension", b"%PDF-1.4", "type_not_allowed"),
    ],
)
def test_files_whose_type_or_content_is_wrong_are_refused_with_a_reason(name, content, code):
    with pytest.raises(ValidationError) as error:
        validate_attachment(SimpleUploadedFile(name, content))
    assert error.value.code == code


def test_files_over_ten_megabytes_are_refused():
    upload = SimpleUploadedFile("stor.pdf", b"%PDF-" + b"0" * MAX_ATTACHMENT_SIZE)
    with pytest.raises(ValidationError) as error:
        validate_attachment(upload)
    assert error.value.code == "too_large"


@given(
    # Django itself refuses names that are only dots; those never reach a validator.
    name=st.text(st.characters(exclude_characters="/\\\x00"), min_size=1, max_size=60).filter(
        lambda name: name.strip(".")
    ),
    content=st.binary(max_size=2048),
)
def test_any_upload_is_either_accepted_or_refused_with_a_validation_error(name, content):
    code = None
    try:
        validate_attachment(SimpleUploadedFile(name, content))
    except ValidationError as error:
        code = error.code
    assert code in {None, "too_large", "type_not_allowed", "content_mismatch"}
