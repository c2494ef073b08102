"""Forms for a pilot's journal: updates and attachments."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from pilots.models import Attachment, PilotUpdate
from pilots.validators import ALLOWED_EXTENSIONS

BODY_LIMIT = 10_000
# Long names break file systems (255 bytes) long before they help anyone find a file.
FILE_STEM_LIMIT = 80
# Control characters other than tab and line breaks only ever arrive by accident or malice.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class UpdateForm(forms.ModelForm):
    class Meta:
        model = PilotUpdate
        fields = ["kind", "body"]
        widgets = {
            "kind": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
        }
        help_texts = {
            "kind": _(
                "Progress: what moved forward. Obstacle: what is in the way. Lesson: what others "
                "should know. Decision: what was decided and why."
            ),
            "body": _("Plain text, at most 10,000 characters. Blank lines separate paragraphs."),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].validators.append(MaxLengthValidator(BODY_LIMIT))
        self.fields["body"].widget.attrs["maxlength"] = BODY_LIMIT

    def clean_body(self) -> str:
        body = _CONTROL_CHARACTERS.sub("", self.cleaned_data["body"]).strip()
        if not body:
            raise forms.ValidationError(_("Write something in the entry."), code="required")
        return body


def safe_file_name(name: str) -> str:
    """A short name made of letters, digits, dots, dashes and underscores, extension kept."""
    path = PurePath(unicodedata.normalize("NFC", name).replace("\\", "/"))
    suffix = path.suffix.lower() if re.fullmatch(r"\.[a-z0-9]{1,8}", path.suffix, re.I) else ""
    stem = path.stem if suffix else path.name
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._-")[:FILE_STEM_LIMIT].strip("._-")
    return f"{stem or 'file'}{suffix}"


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["file", "title", "is_public"]
        help_texts = {
            "title": _(
                "What the file is, e.g. “Evaluation report spring 2025”. Leave empty to "
                "use the file name."
            ),
            "is_public": _(
                "Share links (read-only pages for people without an account) show only public "
                "files. Leave unticked for anything with personal data."
            ),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["file"].widget.attrs["accept"] = ",".join(ALLOWED_EXTENSIONS)

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        # The name becomes part of a path on disk and of a download header: keep it tame.
        upload.name = safe_file_name(upload.name or "")
        return upload

    def clean_title(self) -> str:
        return _CONTROL_CHARACTERS.sub("", self.cleaned_data.get("title") or "").strip()

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        upload = cleaned.get("file")
        if not cleaned.get("title"):
            # Without a valid file the form fails anyway; a stand-in title keeps a second,
            # confusing "title required" message away from the one that matters.
            cleaned["title"] = PurePath(upload.name).stem[:200] if upload else "-"
        return cleaned
