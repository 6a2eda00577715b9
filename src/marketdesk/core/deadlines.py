"""The one deadline a record shows in the operators' queue, stored so that the queue reads it from an index.

A case or a return has several deadline columns, and which of them matters depends on its status.
The queue sorts by "the deadline that matters now"; computed in SQL that is an expression no index
can serve, so every such model stores it in ``queue_due_at``, derived in ``save()`` from its own
columns (``queue_due()``). Every write of these models goes through ``save()`` (services and
``transition()``); a bulk ``update()`` of a deadline column would have to set it too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

#: Stands in for "no deadline runs", so such a row sorts last on every database.
NO_DEADLINE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def no_deadline(value: dt.datetime | None) -> bool:
    """Return whether ``value`` is no deadline at all (missing or the stand-in)."""
    return value is None or value.year == NO_DEADLINE.year


class QueueDeadlineModel(models.Model):
    """A model whose running deadline is stored in ``queue_due_at`` (``NO_DEADLINE`` when none runs)."""

    queue_due_at = models.DateTimeField(_("deadline that matters now"), default=NO_DEADLINE, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.queue_due_refresh():
            fields = kwargs.get("update_fields")
            if fields is not None:
                kwargs["update_fields"] = {*fields, "queue_due_at"}
        super().save(*args, **kwargs)

    def queue_due_refresh(self) -> bool:
        """Set ``queue_due_at`` from the record's columns; return whether it changed (a plain insert calls it too)."""
        due = self.queue_due() or NO_DEADLINE
        if due == self.queue_due_at:
            return False
        self.queue_due_at = due
        return True

    def queue_due(self) -> dt.datetime | None:
        """Return the deadline that matters now, from the record's own columns (None: none runs)."""
        raise NotImplementedError
