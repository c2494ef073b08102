"""Share-link tokens are redacted from every log line."""

from __future__ import annotations

import logging

from malmo_portal.log_filters import RedactShareTokens


def test_share_tokens_are_redacted_from_messages_and_arguments():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/s/abcDEF_123-x/",), None
    )
    RedactShareTokens().filter(record)
    assert record.getMessage() == "Not Found: /s/[redacted]/"
    assert "abcDEF" not in record.getMessage()
