"""Share-link tokens are redacted from every log line; refusals are logged without tracebacks."""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import PermissionDenied

from malmo_portal.log_filters import QuietPermissionDenied, RedactShareTokens


def test_share_tokens_are_redacted_from_messages_and_arguments():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/s/abcDEF_123-x/",), None
    )
    RedactShareTokens().filter(record)
    assert record.getMessage() == "Not Found: /s/[redacted]/"
    assert "abcDEF" not in record.getMessage()


def _record_with_exception(message: str, error: Exception, **extra: object) -> logging.LogRecord:
    try:
        raise error
    except type(error):
        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, message, (), sys.exc_info()
        )
    record.__dict__.update(extra)
    return record


def test_share_tokens_are_redacted_from_tracebacks():
    record = _record_with_exception("Internal Server Error", ValueError("/s/secretTOKEN42/ broke"))
    RedactShareTokens().filter(record)
    line = logging.Formatter().format(record)
    assert "Traceback" in line
    assert "ValueError: /s/[redacted]/ broke" in line
    assert "secretTOKEN42" not in line


def test_a_refused_request_is_logged_as_one_line_without_its_traceback():
    record = _record_with_exception(
        "Forbidden (Permission denied): /pilots/x/edit/", PermissionDenied(), status_code=403
    )
    QuietPermissionDenied().filter(record)
    assert logging.Formatter().format(record) == "Forbidden (Permission denied): /pilots/x/edit/"


def test_server_errors_keep_their_traceback():
    record = _record_with_exception("Internal Server Error", KeyError("x"), status_code=500)
    QuietPermissionDenied().filter(record)
    assert "Traceback" in logging.Formatter().format(record)
