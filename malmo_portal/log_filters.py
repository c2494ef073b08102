"""Logging filters: share-link tokens never reach the logs; every line names its request; a
refused request is one line, not a traceback."""

import logging
import re

from malmo_portal.request_id import current_request_id

SHARE_TOKEN = re.compile(r"/s/[A-Za-z0-9_\-]+")


def redact(value: object) -> object:
    return SHARE_TOKEN.sub("/s/[redacted]", value) if isinstance(value, str) else value


class RedactShareTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # The whole message, formatted: a token can hide in any argument, exceptions included.
        record.msg = redact(record.getMessage())
        record.args = None
        # Formatters print exc_text when it is set, so the traceback is redacted once, here.
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        record.exc_text = redact(record.exc_text)
        record.stack_info = redact(record.stack_info)
        return True


_TRACEBACKS = logging.Formatter()


class QuietPermissionDenied(logging.Filter):
    """A 403 is the portal working as designed (someone opened another area's page): Django
    logs it with the whole traceback of the PermissionDenied; keep the one warning line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True


class AddRequestId(logging.Filter):
    """Puts the id of the request being served (or "-") on every record, for the formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True
