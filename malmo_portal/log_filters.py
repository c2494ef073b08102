"""Logging filters: share-link tokens never reach the logs; every line names its request."""

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
        return True


class AddRequestId(logging.Filter):
    """Puts the id of the request being served (or "-") on every record, for the formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True
