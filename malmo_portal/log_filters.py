"""Logging filters: share-link tokens are secrets and never reach the logs."""

import logging
import re

SHARE_TOKEN = re.compile(r"/s/[A-Za-z0-9_\-]+")


def _redact(value: object) -> object:
    return SHARE_TOKEN.sub("/s/[redacted]", value) if isinstance(value, str) else value


class RedactShareTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact(arg) for key, arg in record.args.items()}
        return True
