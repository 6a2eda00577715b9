"""Logging helpers the settings' LOGGING names."""

from __future__ import annotations

import logging


class ClientErrorsWithoutStack(logging.Filter):
    """Log a 4xx answer as one line: a refused or missing page is the client's doing, not a crash to debug."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
